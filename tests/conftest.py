"""Small generated photos for the tests: color scenes, a gray one, broken files."""

from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image
from torch import nn


def color_photo(seed: int, size: tuple[int, int] = (96, 80)) -> Image.Image:
    """A colorful synthetic scene: a sky-to-ground gradient with a few colored discs."""
    rng = np.random.default_rng(seed)
    width, height = size
    rows = np.linspace(0, 1, height)[:, None, None]
    top, bottom = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    pixels = np.broadcast_to(top * (1 - rows) + bottom * rows, (height, width, 3)).copy()
    yy, xx = np.mgrid[:height, :width]
    for _ in range(3):
        cy, cx, radius = rng.uniform(0, height), rng.uniform(0, width), rng.uniform(5, 20)
        pixels[(yy - cy) ** 2 + (xx - cx) ** 2 < radius ** 2] = rng.uniform(0, 255, 3)
    return Image.fromarray(pixels.astype(np.uint8), "RGB")


@pytest.fixture
def photo_folder(tmp_path: Path) -> Path:
    """Twelve color photos in nested folders, one grayscale photo and two broken files."""
    folder = tmp_path / "photos"
    (folder / "nested").mkdir(parents=True)
    for index in range(12):
        target = folder / ("nested" if index % 3 == 0 else "") / f"photo{index:02d}.png"
        color_photo(index).save(target)
    color_photo(99).convert("L").convert("RGB").save(folder / "gray.jpg")
    (folder / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (folder / "empty.png").write_bytes(b"")
    (folder / "notes.txt").write_text("not an image, and not an image suffix either")
    return folder


def hinted_generator(seed: int = 0) -> nn.Module:
    """An untrained hint model whose hint branches are not zero, so hints change its colors."""
    from colorgan.models import get_preset

    torch.manual_seed(seed)
    generator = get_preset("efficientnet-unet-hints").build_generator(False)
    for parameter in generator.hint_parameters():
        nn.init.normal_(parameter, std=0.5)
    return generator.eval()


@pytest.fixture
def hinted_model(tmp_path: Path) -> Path:
    """hinted_generator() as a safetensors export, as --model takes it."""
    from colorgan.models.files import export_generator

    path = tmp_path / "hinted.safetensors"
    export_generator(path, hinted_generator().state_dict(), {"preset": "efficientnet-unet-hints"})
    return path
