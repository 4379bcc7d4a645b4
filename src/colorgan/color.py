"""CIE-Lab conversion and scaling to the model's range: the only module that knows Lab.

The model sees lightness L in [0, 100] as `luminance` in [-1, 1] and predicts the chroma
channels a, b as `chroma` in [-1, 1] (a tanh output), scaled by AB_RANGE.
"""

import kornia.color
import numpy as np
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
# several full-size float copies at once; strips of 128K pixels keep each pass's arrays in
# the CPU's caches (faster than strips of 1M in a trial).
STRIP_PIXELS = 1 << 17


def _strips(height: int, width: int) -> range:
    return range(0, height, max(1, STRIP_PIXELS // max(1, width)))


# At full resolution the sRGB transfer curves (a power per channel and pixel) cost more than
# the model. 8-bit photos take them from tables instead, computed once by kornia's own
# conversions: L of each gray level, each channel level's share of the CIE Y of its pixel,
# and the sRGB byte of each of 2^16 steps of linear light (at most one level from
# lab_to_rgb's rounding, on about 0.2% of pixels).
def _per_channel(convert, values: torch.Tensor) -> torch.Tensor:
    """kornia's conversion of a (3, H, W) image applied to 1-D values, as (3, N)."""
    return convert(values.view(1, -1, 1).expand(3, -1, 1))[..., 0]


_IDENTITY = torch.eye(3).view(3, 3, 1, 1)  # three one-pixel images: the matrices' columns
_GRAY_LIGHTNESS = _per_channel(kornia.color.rgb_to_lab, torch.arange(256) / 255)[0].numpy()
_SRGB_TO_Y = kornia.color.rgb_to_xyz(_IDENTITY)[:, 1, 0, 0]
_CHANNEL_Y = (_SRGB_TO_Y[:, None] * _per_channel(kornia.color.rgb_to_linear_rgb,
                                                 torch.arange(256) / 255)).numpy()
_LINEAR_STEPS = 65535
_LINEAR_TO_SRGB_BYTE = (_per_channel(kornia.color.linear_rgb_to_rgb,
                                     torch.arange(_LINEAR_STEPS + 1, dtype=torch.float64)
                                     / _LINEAR_STEPS)[0].clamp(0, 1) * 255).round().byte().numpy()
_WHITE = torch.tensor([0.95047, 1.0, 1.08883])  # D65, as rgb_to_lab normalizes XYZ
# Contiguous: einsum's own loop is ten times slower on the transposed view.
_XYZ_TO_LINEAR_RGB = np.ascontiguousarray(
    (kornia.color.xyz_to_rgb(_IDENTITY)[..., 0, 0].T * _WHITE).numpy())


def lightness(values: torch.Tensor) -> torch.Tensor:
    """CIE L (0-100) of a photo given as (1, H, W) gray or (3, H, W) sRGB: uint8, or float
    in [0, 1]."""
    if values.dtype == torch.uint8:
        return torch.from_numpy(_lightness_of_bytes(values.numpy()))
    height, width = values.shape[-2:]
    result = torch.empty(height, width)
    step = _strips(height, width).step
    for top in _strips(height, width):
        strip = values[:, top:top + step].expand(3, -1, -1)
        result[top:top + step] = rgb_to_lab(strip)[0]
    return result


def _lightness_of_bytes(pixels: np.ndarray) -> np.ndarray:
    if pixels.shape[0] == 1:
        return _GRAY_LIGHTNESS[pixels[0]]
    height, width = pixels.shape[-2:]
    result = np.empty((height, width), np.float32)
    step = _strips(height, width).step
    for top in _strips(height, width):
        red, green, blue = pixels[:, top:top + step]
        y = _CHANNEL_Y[0][red] + _CHANNEL_Y[1][green] + _CHANNEL_Y[2][blue]
        f = np.where(y > 0.008856, np.cbrt(y), 7.787 * y + np.float32(4 / 29))
        result[top:top + step] = 116 * f - 16
    return result


def lightness_to_luminance(lightness_values: torch.Tensor) -> torch.Tensor:
    """CIE L (0-100) to the model's luminance in [-1, 1]."""
    return lightness_values / (L_MAX / 2) - 1.0


def compose_rgb(lightness_values: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """Full-resolution L (H, W) and model chroma (2, H, W) to sRGB bytes (H, W, 3): Lab to
    sRGB as lab_to_rgb computes it, with the final curve from a table."""
    height, width = lightness_values.shape
    light, ab = lightness_values.numpy(), chroma.numpy()
    result = np.empty((height, width, 3), np.uint8)
    step = _strips(height, width).step
    for top in _strips(height, width):
        rows = slice(top, top + step)
        f = np.empty((3, *light[rows].shape), np.float32)  # f(X), f(Y), f(Z), in place
        np.add(light[rows], 16, out=f[1])
        f[1] /= 116
        np.clip(ab[:, rows], -1, 1, out=f[::2])
        f[::2] *= np.array([AB_RANGE / 500, -AB_RANGE / 200], np.float32)[:, None, None]
        f[::2] += f[1]
        np.maximum(f[2], 0, out=f[2])
        xyz = f * f
        xyz *= f
        dark = f <= np.float32(0.2068966)  # the linear segment near black
        if dark.any():
            f -= np.float32(4 / 29)
            f /= np.float32(7.787)
            np.copyto(xyz, f, where=dark)
        # einsum's own loop, not BLAS (optimize=True): BLAS's worker thread spins on after the
        # call and takes a core from the next photo's forward pass.
        linear = np.einsum("ij,jhw->hwi", _XYZ_TO_LINEAR_RGB, xyz)
        np.clip(linear, 0, 1, out=linear)
        linear *= _LINEAR_STEPS
        steps = np.rint(linear, out=linear).astype(np.uint16)
        np.take(_LINEAR_TO_SRGB_BYTE, steps, out=result[rows])  # faster than fancy indexing
    return torch.from_numpy(result)
