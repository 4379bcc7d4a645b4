"""CIE-Lab conversion and scaling to the model's range: the only module that knows Lab.

The model sees lightness L in [0, 100] as `luminance` in [-1, 1] and predicts the chroma
channels a, b as `chroma` in [-1, 1] (a tanh output), scaled by AB_RANGE.
"""

import kornia.color
import torch

L_MAX = 100.0
# The sRGB gamut spans about a in [-86, 98] and b in [-108, 94]; 110 covers it (Zhang et al.).
AB_RANGE = 110.0


def rgb_to_lab(rgb: torch.Tensor) -> torch.Tensor:
    """sRGB in [0, 1], shape (..., 3, H, W), to CIE-Lab (D65)."""
    return kornia.color.rgb_to_lab(rgb)


def lab_to_rgb(lab: torch.Tensor) -> torch.Tensor:
    """CIE-Lab to sRGB, clipped to [0, 1]."""
    return kornia.color.lab_to_rgb(lab, clip=True)


def split_lab(lab: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Lab to the model's (luminance, chroma), both scaled to [-1, 1]."""
    luminance = lab[..., :1, :, :] / (L_MAX / 2) - 1.0
    chroma = (lab[..., 1:, :, :] / AB_RANGE).clamp(-1.0, 1.0)
    return luminance, chroma


def join_lab(luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """The model's (luminance, chroma) back to Lab; chroma is clamped to the valid range."""
    lightness = (luminance + 1.0) * (L_MAX / 2)
    ab = chroma.clamp(-1.0, 1.0) * AB_RANGE
    return torch.cat([lightness, ab], dim=-3)


def rgb_to_model(rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """sRGB in [0, 1] to the model's (luminance, chroma)."""
    return split_lab(rgb_to_lab(rgb))


def model_to_rgb(luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """The model's (luminance, chroma) to sRGB in [0, 1]."""
    return lab_to_rgb(join_lab(luminance, chroma))


def gray_rgb(luminance: torch.Tensor) -> torch.Tensor:
    """The decolorized image: the same lightness with zero chroma, as sRGB."""
    return model_to_rgb(luminance, torch.zeros_like(luminance).expand(*luminance.shape[:-3], 2,
                                                                       *luminance.shape[-2:]))


def chroma_strength(rgb: torch.Tensor) -> torch.Tensor:
    """Mean Lab chroma sqrt(a^2 + b^2) per image: near zero for grayscale or toned images."""
    ab = rgb_to_lab(rgb)[..., 1:, :, :]
    return ab.pow(2).sum(dim=-3).sqrt().mean(dim=(-2, -1))


# Full-resolution conversions run in strips of rows so that a 24 MP photo never needs
# several full-size float copies at once.
STRIP_PIXELS = 1 << 20


def _strips(height: int, width: int) -> range:
    return range(0, height, max(1, STRIP_PIXELS // max(1, width)))


def lightness(values: torch.Tensor) -> torch.Tensor:
    """CIE L (0-100) of a photo given as (1, H, W) gray or (3, H, W) sRGB in [0, 1]."""
    height, width = values.shape[-2:]
    result = torch.empty(height, width)
    step = _strips(height, width).step
    for top in _strips(height, width):
        strip = values[:, top:top + step].expand(3, -1, -1)
        result[top:top + step] = rgb_to_lab(strip)[0]
    return result


def lightness_to_luminance(lightness_values: torch.Tensor) -> torch.Tensor:
    """CIE L (0-100) to the model's luminance in [-1, 1]."""
    return lightness_values / (L_MAX / 2) - 1.0


def compose_rgb(lightness_values: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """Full-resolution L (H, W) and model chroma (2, H, W) to sRGB bytes (H, W, 3)."""
    height, width = lightness_values.shape
    result = torch.empty(height, width, 3, dtype=torch.uint8)
    step = _strips(height, width).step
    for top in _strips(height, width):
        lab = torch.cat([lightness_values[None, top:top + step],
                         chroma[:, top:top + step].clamp(-1.0, 1.0) * AB_RANGE])
        result[top:top + step] = (lab_to_rgb(lab) * 255).round_().byte().permute(1, 2, 0)
    return result
