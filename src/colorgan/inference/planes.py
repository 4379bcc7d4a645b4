"""A photo as PyTorch planes, the form the color conversions and the model take.

Kept apart from colorgan.inference.imageio so that reading and writing files needs no PyTorch (a
command such as `colorgan pack` then starts at once).
"""

from dataclasses import dataclass

import numpy as np
import torch
from PIL import Image

from colorgan.inference.imageio import DEEP_GRAY_MODES, unit_gray


@dataclass
class Planes:
    """A photo as planes: 1 channel (gray) or 3 (RGB), plus alpha if any. 8-bit photos stay
    bytes (their color conversions take tables); others are floats in [0, 1]."""

    values: torch.Tensor  # (C, H, W), uint8 or float32
    alpha: np.ndarray | None  # (H, W) uint8

    @property
    def unit_values(self) -> torch.Tensor:
        """The planes as floats in [0, 1]."""
        if self.values.dtype == torch.uint8:
            return self.values.float() / 255.0
        return self.values

    @property
    def height(self) -> int:
        return self.values.shape[-2]

    @property
    def width(self) -> int:
        return self.values.shape[-1]


def to_planes(image: Image.Image) -> Planes:
    """Any PIL mode to float planes: gray stays one channel, alpha is kept aside."""
    alpha = None
    if image.mode == "La":  # premultiplied: Pillow converts it to LA only
        image = image.convert("LA")
    if image.mode in ("LA", "PA", "RGBA", "RGBa") or (
            image.mode == "P" and "transparency" in image.info):
        rgba = image if image.mode == "LA" else image.convert("RGBA")
        alpha = np.asarray(rgba.getchannel("A"))
        image = rgba.convert("L" if image.mode == "LA" else "RGB")
    if image.mode in DEEP_GRAY_MODES:
        return Planes(torch.from_numpy(unit_gray(image)[None].copy()), alpha)
    if image.mode in ("1", "L"):
        return Planes(torch.from_numpy(np.asarray(image.convert("L"))[None].copy()), alpha)
    rgb = np.asarray(image.convert("RGB")).transpose(2, 0, 1)
    return Planes(torch.from_numpy(np.ascontiguousarray(rgb)), alpha)


def tensor_to_image(rgb: torch.Tensor) -> Image.Image:
    """A float tensor (3, H, W) in [0, 1] to a PIL RGB image."""
    array = (rgb.clamp(0, 1) * 255).round().byte().permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array, "RGB")


def image_to_tensor(image: Image.Image) -> torch.Tensor:
    """A PIL RGB image to a float tensor (3, H, W) in [0, 1]."""
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255.0).permute(2, 0, 1)
