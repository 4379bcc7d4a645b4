"""Any image side works: pad to what the network's strides need, crop the output back."""

from collections.abc import Callable

import torch
from torch import nn


def pad_to_multiple(images: torch.Tensor, multiple: int
                    ) -> tuple[torch.Tensor, Callable[[torch.Tensor], torch.Tensor]]:
    """Reflect-pad height and width up to a multiple; return the images and an undo function."""
    height, width = images.shape[-2:]
    pad_bottom, pad_right = -height % multiple, -width % multiple
    if pad_bottom == 0 and pad_right == 0:
        return images, lambda output: output
    # Reflection needs the pad to be smaller than the side; replicate covers tiny images.
    mode = "reflect" if pad_bottom < height and pad_right < width else "replicate"
    padded = nn.functional.pad(images, (0, pad_right, 0, pad_bottom), mode=mode)
    return padded, lambda output: output[..., :height, :width]


def pad_with_zeros(images: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Zero-pad height and width at the bottom and right up to shape: for inputs such as
    color hints, where a reflected copy would be a hint that nobody gave."""
    height, width = images.shape[-2:]
    return nn.functional.pad(images, (0, shape[1] - width, 0, shape[0] - height))
