"""Hints simulated from the true colors while a hint model trains, as Zhang et al. 2017 do: a
geometric number of squares of 1 to MAX_SIMULATED_SIDE pixels with the true mean chroma, some
of them where the automatic colors are most wrong, which is where people click."""

import numpy as np
import torch
from torch.nn import functional

MAX_SIMULATED_SIDE = 9
STOP_PROBABILITY = 1 / 8  # simulated hints per crop: geometric, mean 8 (Zhang et al.)
ERROR_SPACING = 12  # working pixels between two hints put where the error is largest


def simulated_hints(chroma: torch.Tensor, rng: np.random.Generator, free_share: float,
                    error_share: float, automatic: torch.Tensor | None = None) -> torch.Tensor:
    """Training hints (N, HINT_CHANNELS, H, W) for true chroma (N, 2, H, W): none on a
    free_share of crops; on the others a geometric number of squares of 1 to
    MAX_SIMULATED_SIDE pixels holding the true mean chroma there, at random points, or on an
    error_share of them (when the automatic prediction is given) where it is most wrong."""
    batch, _, height, width = chroma.shape
    planes = torch.zeros(batch, 3, height, width, device=chroma.device)
    errors = None
    if automatic is not None:
        errors = functional.avg_pool2d((automatic - chroma).abs().sum(1, keepdim=True),
                                       MAX_SIMULATED_SIDE, 1, MAX_SIMULATED_SIDE // 2)[:, 0]
    for index in range(batch):
        if rng.random() < free_share:
            continue
        count = int(rng.geometric(STOP_PROBABILITY))
        sides = rng.integers(1, MAX_SIMULATED_SIDE + 1, count)
        if errors is not None and rng.random() < error_share:
            centers = _largest(errors[index].clone(), count)
        else:
            centers = zip(rng.integers(height, size=count), rng.integers(width, size=count),
                          strict=True)
        for (y, x), side in zip(centers, sides, strict=False):
            top = int(min(max(0, y - side // 2), height - side))
            left = int(min(max(0, x - side // 2), width - side))
            rows, columns = slice(top, top + side), slice(left, left + side)
            planes[index, :2, rows, columns] = chroma[index, :, rows, columns].mean(
                dim=(1, 2), keepdim=True)
            planes[index, 2, rows, columns] = 1.0
    return planes


def hinted(planes: torch.Tensor) -> torch.Tensor:
    """Which images of a batch of hint planes (N, HINT_CHANNELS, H, W) hold any hint: their
    last plane is the mask."""
    return planes[:, -1].flatten(1).amax(dim=1) > 0


def _largest(error: torch.Tensor, count: int) -> list[tuple[int, int]]:
    """Up to `count` points of an (H, W) error map, largest first, ERROR_SPACING apart."""
    width = error.shape[1]
    centers = []
    for _ in range(count):
        y, x = divmod(int(error.argmax()), width)
        centers.append((y, x))
        error[max(0, y - ERROR_SPACING):y + ERROR_SPACING + 1,
              max(0, x - ERROR_SPACING):x + ERROR_SPACING + 1] = -1.0
    return centers
