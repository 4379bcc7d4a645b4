"""A compact copy of training folders: photos shrunk and re-encoded, folders kept apart.

Training on a rented GPU means sending the data with the job, often under a size limit.
Photos larger than the training crops carry pixels no crop uses, and WebP stores small
photos in fewer bytes than JPEG at a like quality. A packed copy keeps one folder per
source, so `--source-balance` and `--source-multipliers` work on it as on the originals.
"""

import random
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

from colorgan.inference.imageio import find_images, load_rgb, save_image


@dataclass
class PackReport:
    """What a pack wrote and skipped."""

    written: int = 0
    skipped: int = 0
    left_out: int = 0  # readable, but under the chroma floor or outside the drawn share
    bytes_written: int = 0

    def summary(self) -> str:
        left_out = f", {self.left_out} left out" if self.left_out else ""
        return (f"{self.written} photos written ({self.bytes_written / 2**20:.1f} MiB), "
                f"{self.skipped} unreadable skipped{left_out}")


def shrunk(image: Image.Image, max_side: int) -> Image.Image:
    """The image scaled down so its short side is at most max_side; never enlarged."""
    scale = max_side / min(image.size)
    if scale >= 1.0:
        return image
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.Resampling.LANCZOS, reducing_gap=3.0)


def packed_name(relative: Path) -> Path:
    """The copy's path: the original's with .webp added, so photos that differ only in
    their suffix (a.png, a.jpg) stay two files."""
    return relative.with_name(relative.name + ".webp")


def check_sources(folders: Sequence[Path], out: Path) -> None:
    """Folders that can be packed side by side into out, or a ValueError saying why not."""
    for folder in folders:
        if not folder.is_dir():
            raise ValueError(f"{folder}: not a folder (pack takes folders of photos)")
        if out.resolve().is_relative_to(folder.resolve()):
            raise ValueError(f"{out}: the packed copy cannot go inside the source {folder}")
    names = [folder.resolve().name for folder in folders]
    if len(set(names)) != len(names):
        raise ValueError("two source folders have the same name; each becomes a folder of "
                         "the copy, so give folders with different names")


def chosen_photos(folder: Path, min_chroma: float | None, share: float, seed: int,
                   report: PackReport) -> list[Path]:
    """The folder's photos to pack: those at or over the chroma floor (training would drop
    the rest anyway), then a seeded random share of them, so a copy fits a size limit and
    keeps every folder's weight in the mix."""
    if min_chroma is None:
        photos = find_images([folder])
    else:
        from colorgan.evaluation.photos import (
            scan_images,  # the chroma floor takes PyTorch; a plain pack not
        )

        scan = scan_images([folder], warn=False, min_chroma=min_chroma)
        for path in scan.unreadable:
            print(f"skipped {path}: unreadable", file=sys.stderr)
        report.skipped += len(scan.unreadable)
        report.left_out += len(scan.grayscale) + len(scan.muted)
        photos = scan.kept
    if share < 1.0:
        drawn = random.Random(f"{seed}:{folder.resolve().name}").sample(
            photos, round(share * len(photos)))
        report.left_out += len(photos) - len(drawn)
        photos = sorted(drawn)
    return photos


def pack_folders(folders: Sequence[str | Path], out: str | Path, max_side: int = 192,
                 quality: int = 75, min_chroma: float | None = None, share: float = 1.0,
                 seed: int = 0) -> PackReport:
    """Write out/<folder name>/... for each folder: the chosen photos (chosen_photos), shrunk
    to max_side on their short side and saved as WebP; an unreadable file is reported and
    skipped."""
    if max_side < 1 or not 1 <= quality <= 100:
        raise ValueError("max_side must be positive and quality between 1 and 100")
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share {share} is outside (0, 1]")
    folders, out = [Path(folder) for folder in folders], Path(out)
    check_sources(folders, out)
    report = PackReport()
    for folder in folders:
        copy = out / folder.resolve().name
        for path in chosen_photos(folder, min_chroma, share, seed, report):
            try:
                image = shrunk(load_rgb(path), max_side)
            except Exception as error:  # PIL raises many kinds for broken files
                print(f"skipped {path}: {error}", file=sys.stderr)
                report.skipped += 1
                continue
            target = copy / packed_name(path.relative_to(folder))
            save_image(image, target, quality)
            report.written += 1
            report.bytes_written += target.stat().st_size
    return report
