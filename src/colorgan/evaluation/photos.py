"""Finding the color photos in folders: grayscale and broken files are skipped (and named),
and a chroma floor can leave out the most muted. Evaluation scores on these photos, training
learns from them."""

import os
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import torch
from PIL import Image

from colorgan.color import chroma_strength
from colorgan.inference.imageio import find_images
from colorgan.inference.planes import image_to_tensor
from colorgan.settings import MIN_CHROMA

SCAN_SIDE = 64


@dataclass
class ScanReport:
    """What a folder scan kept and why it skipped the rest."""

    kept: list[Path] = field(default_factory=list)
    grayscale: list[Path] = field(default_factory=list)
    unreadable: list[Path] = field(default_factory=list)
    muted: list[Path] = field(default_factory=list)  # color, but under the chosen chroma floor

    def summary(self) -> str:
        muted = f", {len(self.muted)} under the chroma floor" if self.muted else ""
        return (f"{len(self.kept)} photos kept, {len(self.grayscale)} grayscale{muted} and "
                f"{len(self.unreadable)} unreadable skipped")


def thumbnail(path: Path) -> torch.Tensor:
    """A quickly decoded RGB tensor (3, h, w) of the photo, at most SCAN_SIDE a side."""
    with Image.open(path) as image:
        image.draft("RGB", (SCAN_SIDE, SCAN_SIDE))
        image.thumbnail((SCAN_SIDE, SCAN_SIDE))
        return image_to_tensor(image.convert("RGB"))


def _classify(path: Path, min_chroma: float) -> str:
    try:
        rgb = thumbnail(path)
    except Exception:  # PIL raises many kinds for broken files; all mean "unreadable"
        return "unreadable"
    strength = float(chroma_strength(rgb))
    if strength < MIN_CHROMA:
        return "grayscale"
    return "kept" if strength >= min_chroma else "muted"


def scan_images(folders: Sequence[str | Path], warn: bool = True,
                min_chroma: float = MIN_CHROMA) -> ScanReport:
    """Find the color photos under the folders; warn once per grayscale or broken file.

    Photos under `min_chroma` (mean Lab chroma) are skipped too, but only counted: that is a
    choice of training mix, not a fault of the file.
    """
    paths = find_images(folders)
    report = ScanReport()
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        verdicts = pool.map(lambda path: _classify(path, min_chroma), paths)
        for path, verdict in zip(paths, verdicts, strict=True):
            getattr(report, verdict).append(path)
            if warn and verdict in ("grayscale", "unreadable"):
                print(f"warning: skipping {path}: {verdict}", file=sys.stderr)
    return report
