"""Coloring many files: finding inputs, skipping bad ones, never overwriting by accident."""

import glob
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from colorgan.colorize import DEFAULT_WORKING_SIZE, Colorizer
from colorgan.data import IMAGE_SUFFIXES
from colorgan.imageio import DEFAULT_MAX_PIXELS, ImageReadError, open_image, save_image
from colorgan.video import DEFAULT_TEMPORAL, VIDEO_SUFFIXES, VideoError, colorize_video

# Photos are decoded and sent through the model together up to this many pixels at once.
BATCH_PIXEL_BUDGET = 8_000_000


@dataclass
class ColorizeOptions:
    """How `colorgan colorize` writes its results."""

    out_dir: Path
    file_format: str = "png"  # "png" or "jpg"
    quality: int = 92
    overwrite: bool = False
    side_by_side: bool = False
    size: int = DEFAULT_WORKING_SIZE
    max_pixels: int = DEFAULT_MAX_PIXELS
    batch_size: int = 8
    temporal: float = DEFAULT_TEMPORAL  # chroma smoothing over video frames; 0: off


@dataclass
class BatchReport:
    """Which inputs were colored, which failed and why."""

    done: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        return (f"done {len(self.done)}, failed {len(self.failed)}, "
                f"{self.seconds:.1f} seconds")


class NoInputs(ValueError):
    """No file matched what the user gave."""


def collect_inputs(patterns: Sequence[str], recursive: bool = False) -> list[Path]:
    """Files, folders (recursively with `recursive`) and globs, in order, without repeats."""
    found: list[Path] = []
    for pattern in patterns:
        path = Path(pattern)
        if path.is_dir():
            walk = path.rglob("*") if recursive else path.iterdir()
            found.extend(sorted(p for p in walk if p.is_file() and p.suffix.lower()
                                in IMAGE_SUFFIXES | VIDEO_SUFFIXES | {".gif"}))
        elif path.exists():
            found.append(path)
        else:
            matches = sorted(glob.glob(pattern, recursive=recursive))
            if not matches:
                raise NoInputs(f"{pattern}: no such file, folder or matching files")
            found.extend(Path(match) for match in matches if Path(match).is_file())
    unique = list(dict.fromkeys(found))
    if not unique:
        raise NoInputs("no image files found in the given inputs")
    return unique


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def output_path(source: Path, options: ColorizeOptions) -> Path:
    """OUT_DIR/<stem>.png (or .jpg); videos become OUT_DIR/<stem>.mp4."""
    suffix = "mp4" if is_video(source) else options.file_format
    return options.out_dir / f"{source.stem}.{suffix}"


def side_by_side(original: Image.Image, colorized: Image.Image) -> Image.Image:
    """original | colorized, as the article showed its results."""
    mode = colorized.mode
    canvas = Image.new(mode, (original.width + colorized.width, colorized.height))
    canvas.paste(original.convert(mode), (0, 0))
    canvas.paste(colorized, (original.width, 0))
    return canvas


def _read_chunks(sources: list[Path], options: ColorizeOptions,
                 fail: Callable[[Path, str], None]) -> Iterator[list[tuple[Path, Image.Image]]]:
    # Group decoded photos up to a pixel budget, so batching never costs unbounded memory.
    chunk: list[tuple[Path, Image.Image]] = []
    pixels = 0
    for source in sources:
        try:
            image = open_image(source, options.max_pixels)
        except ImageReadError as error:
            fail(source, str(error))
            continue
        if chunk and (pixels + image.width * image.height > BATCH_PIXEL_BUDGET
                      or len(chunk) >= options.batch_size):
            yield chunk
            chunk, pixels = [], 0
        chunk.append((source, image))
        pixels += image.width * image.height
    if chunk:
        yield chunk


def colorize_files(colorizer: Colorizer, sources: list[Path], options: ColorizeOptions
                   ) -> BatchReport:
    """Color every source into options.out_dir; one bad file never stops the others."""
    started = time.perf_counter()
    report = BatchReport()
    options.out_dir.mkdir(parents=True, exist_ok=True)
    progress = tqdm(total=len(sources), unit="photo", disable=len(sources) < 2)

    def fail(source: Path, reason: str) -> None:
        report.failed.append((source, reason))
        tqdm.write(f"error: {reason}", file=sys.stderr)
        progress.update(1)

    targets: dict[Path, Path] = {}
    for source in sources:
        target = output_path(source, options)
        if target in targets.values():
            fail(source, f"{source}: same output name as an earlier input ({target.name})")
        elif target.exists() and not options.overwrite:
            fail(source, f"{source}: {target} exists (use --overwrite)")
        else:
            targets[source] = target
    for source in [source for source in targets if is_video(source)]:
        try:
            colorize_video(colorizer, source, targets[source], options.size, options.temporal)
        except VideoError as error:
            fail(source, str(error))
            continue
        report.done.append(source)
        progress.update(1)
    photos = [source for source in targets if not is_video(source)]
    for chunk in _read_chunks(photos, options, fail):
        colorized = colorizer.colorize_batch([image for _, image in chunk], options.size)
        for (source, image), result in zip(chunk, colorized, strict=True):
            if options.side_by_side:
                result = side_by_side(image, result)
            try:
                save_image(result, targets[source], options.quality)
            except OSError as error:
                fail(source, f"{targets[source]}: cannot write: {error}")
                continue
            report.done.append(source)
            progress.update(1)
    progress.close()
    report.seconds = time.perf_counter() - started
    return report
