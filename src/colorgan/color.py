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
