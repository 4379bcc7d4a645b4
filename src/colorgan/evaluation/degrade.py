"""Make a clean decolorized photo look like a real old print: grain, blur, fading, JPEG, scratches.

Applied to the model's input only, so the model learns to ignore these defects instead of
turning them into colored noise.
"""

import io

import kornia.filters
import numpy as np
import torch
from PIL import Image


def _fade(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    contrast = rng.uniform(0.55, 0.95)
    shift = rng.uniform(-0.15, 0.15)
    return (luminance - luminance.mean()) * contrast + luminance.mean() + shift


def _blur(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    sigma = float(rng.uniform(0.4, 1.6))
    return kornia.filters.gaussian_blur2d(luminance[None], (7, 7), (sigma, sigma))[0]


def _grain(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    strength = rng.uniform(0.01, 0.08)
    noise = torch.from_numpy(rng.standard_normal(luminance.shape).astype(np.float32))
    return luminance + strength * noise


def _jpeg(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    gray = ((luminance[0].clamp(-1, 1) + 1) * 127.5).round().byte().numpy()
    buffer = io.BytesIO()
    Image.fromarray(gray, "L").save(buffer, "JPEG", quality=int(rng.integers(15, 60)))
    decoded = np.asarray(Image.open(buffer), dtype=np.float32)
    return torch.from_numpy(decoded / 127.5 - 1.0)[None]


def _scratches(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    scratched = luminance.clone()
    height, width = luminance.shape[-2:]
    for _ in range(int(rng.integers(1, 5))):
        column = int(rng.integers(0, width))
        top = int(rng.integers(0, height // 2 + 1))
        bottom = int(rng.integers(top + 1, height + 1))
        scratched[..., top:bottom, column] = float(rng.choice([-0.9, 0.9]))
    return scratched


DEFECTS = (_fade, _blur, _grain, _jpeg, _scratches)


def age_luminance(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Every old-print defect once: as worn as a training input ever gets, to test on."""
    for defect in DEFECTS:
        luminance = defect(luminance, rng).clamp(-1.0, 1.0)
    return luminance


def degrade_luminance(luminance: torch.Tensor, rng: np.random.Generator) -> torch.Tensor:
    """Each old-print defect with probability one half; luminance is (1, H, W) in [-1, 1]."""
    for defect in DEFECTS:
        if rng.random() < 0.5:
            luminance = defect(luminance, rng)
    return luminance.clamp(-1.0, 1.0)
