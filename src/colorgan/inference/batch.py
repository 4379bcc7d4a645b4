"""Coloring many files: finding inputs, skipping bad ones, never overwriting by accident."""

import collections
import glob
import itertools
import sys
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image
from tqdm import tqdm

from colorgan.inference.colorize import Colorizer
from colorgan.inference.imageio import (
    IMAGE_SUFFIXES,
    ImageReadError,
    eight_bit,
    encode_for,
    open_image,
)
from colorgan.inference.storage import LOCAL, Storage
from colorgan.inference.video import VIDEO_SUFFIXES, VideoError, colorize_video
from colorgan.settings import ColorizeOptions

# Photos are decoded and sent through the model together up to this many pixels at once.
BATCH_PIXEL_BUDGET = 8_000_000


@dataclass(frozen=True)
class Source:
    """An input file and where it sits in the tree that the output folder mirrors."""

    path: Path
    relative: Path  # under the folder (or glob base) it was found in; a file's name alone


@dataclass
class BatchReport:
    """Which inputs were colored, skipped (output already there) or failed, and why."""

    done: list[Path] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)  # the outputs of `done`, in order
    skipped: list[Path] = field(default_factory=list)
    failed: list[tuple[Path, str]] = field(default_factory=list)
    seconds: float = 0.0

    def settle(self, source: Path, reason: str | None, target: Path | None = None) -> None:
        """One input's outcome: written to `target`, or failed for `reason` (printed)."""
        if reason is None:
            self.done.append(source)
            self.written.append(target)
        else:
            self.failed.append((source, reason))
            tqdm.write(f"error: {reason}", file=sys.stderr)

    def summary(self) -> str:
        skipped = f"skipped {len(self.skipped)}, " if self.skipped else ""
        return (f"done {len(self.done)}, {skipped}failed {len(self.failed)}, "
                f"{self.seconds:.1f} seconds")


class NoInputs(ValueError):
    """No file matched what the user gave."""


MEDIA_SUFFIXES = IMAGE_SUFFIXES | VIDEO_SUFFIXES | {".gif"}


def collect_inputs(patterns: Sequence[str | Path], recursive: bool = False,
                   storage: Storage = LOCAL) -> list[Source]:
    """Files, folders (recursively with `recursive`) and, on this machine, globs, in order,
    without repeats."""
    found: list[Source] = []
    for pattern in patterns:
        path = Path(pattern)
        files = storage.find(path, recursive)
        if files == [path]:  # a file named on its own is taken as it is
            found.append(Source(path, Path(path.name)))
        elif files is not None:
            found.extend(Source(p, p.relative_to(path)) for p in files
                         if p.suffix.lower() in MEDIA_SUFFIXES)
        elif storage is not LOCAL:
            raise NoInputs(f"{storage.name(path)}: no such file or folder")
        else:
            matches = sorted(glob.glob(pattern, recursive=recursive))
            if not matches:
                raise NoInputs(f"{pattern}: no such file, folder or matching files")
            base = _glob_base(pattern)
            found.extend(Source(Path(match), Path(match).relative_to(base))
                         for match in matches if Path(match).is_file())
    first_of_each: dict[Path, Source] = {}
    for source in found:
        first_of_each.setdefault(source.path, source)
    unique = list(first_of_each.values())
    if not unique:
        raise NoInputs("no image files found in the given inputs")
    return unique


def _glob_base(pattern: str) -> Path:
    # The folder part before the first wildcard: `album/**/*.jpg` mirrors the tree under album.
    parts = Path(pattern).parts
    fixed = list(itertools.takewhile(lambda part: not glob.has_magic(part), parts[:-1]))
    return Path(*fixed) if fixed else Path()


def is_video(path: Path) -> bool:
    return path.suffix.lower() in VIDEO_SUFFIXES


def plan_targets(sources: Sequence[Source], options: ColorizeOptions
                 ) -> tuple[dict[Path, Path], list[tuple[Path, str]]]:
    """Each source's output path, mirroring the input tree; and the sources that cannot have one.

    OUT/<relative path>.png (or .jpg; videos .mp4). Where two inputs would share an output
    (x.jpg beside x.png), both keep their own suffix in the name: x.jpg.png, x.png.png.
    """
    def suffix(source: Source) -> str:
        return ".mp4" if is_video(source.path) else f".{options.file_format}"

    plain = [source.relative.with_suffix(suffix(source)) for source in sources]
    counts = collections.Counter(plain)
    targets: dict[Path, Path] = {}
    clashes: list[tuple[Path, str]] = []
    for source, relative in zip(sources, plain, strict=True):
        if counts[relative] > 1:
            relative = source.relative.with_name(source.relative.name + suffix(source))
        target = options.out_dir / relative
        if target in targets.values():
            clashes.append((source.path, f"{source.path}: same output as an earlier input "
                                         f"({target}); color the folders separately"))
        else:
            targets[source.path] = target
    return targets, clashes


def side_by_side(original: Image.Image, colorized: Image.Image) -> Image.Image:
    """original | colorized, as the article showed its results."""
    mode = colorized.mode
    canvas = Image.new(mode, (original.width + colorized.width, colorized.height))
    canvas.paste(eight_bit(original).convert(mode), (0, 0))
    canvas.paste(colorized, (original.width, 0))
    return canvas


@dataclass
class BatchPlan:
    """What a batch will do with each input, decided before any model work."""

    targets: dict[Path, Path] = field(default_factory=dict)  # to color, and where
    skipped: list[Path] = field(default_factory=list)  # output there already (--skip-existing)
    failed: list[tuple[Path, str]] = field(default_factory=list)  # no output possible

    @property
    def photos(self) -> dict[Path, Path]:
        return {source: target for source, target in self.targets.items()
                if not is_video(source)}

    @property
    def videos(self) -> dict[Path, Path]:
        return {source: target for source, target in self.targets.items() if is_video(source)}


def plan_batch(sources: Sequence[Source], options: ColorizeOptions,
               storage: Storage = LOCAL) -> BatchPlan:
    """Outputs for every source, existing ones skipped or refused as the options say; output
    folders made and cleared of temporaries that killed runs left there.

    Outputs never replace inputs, whatever the options: files inside the output folder are
    not inputs (an output folder within the input tree is not colored again), and an output
    that would land on an input fails that input. Neither does a pipe or a device named as
    an input, nor an output whose folder cannot be made (a file stands there)."""
    sources = [source for source in sources if not _in_nested_output(source, options.out_dir,
                                                                      storage)]
    planned, clashes = plan_targets(sources, options)
    plan = BatchPlan(failed=list(clashes))
    inputs = {storage.identity(source.path) for source in sources}
    for source, target in planned.items():
        exists = storage.exists(target)
        if not storage.is_regular_file(source):
            plan.failed.append((source, f"{storage.name(source)}: not a regular file (a pipe, "
                                        "socket or device): give the photo itself"))
        elif storage.identity(target) in inputs:
            plan.failed.append((source, f"{storage.name(source)}: its output "
                                        f"{storage.name(target)} would replace an input; "
                                        "choose another output folder (-o)"))
        elif exists and options.skip_existing:
            plan.skipped.append(source)
        elif exists and not options.overwrite:
            plan.failed.append((source, f"{storage.name(source)}: {storage.name(target)} exists "
                                        "(use --overwrite or --skip-existing)"))
        else:
            plan.targets[source] = target
    for folder in sorted({target.parent for target in plan.targets.values()}):
        try:
            storage.prepare_folder(folder)
        except OSError as error:
            for source in [s for s, t in plan.targets.items() if t.parent == folder]:
                del plan.targets[source]
                plan.failed.append((source, f"{storage.name(source)}: cannot make the output "
                                            f"folder {storage.name(folder)}: "
                                            f"{error.strerror or error}"))
    return plan


def _in_nested_output(source: Source, out_dir: Path, storage: Storage) -> bool:
    """Whether the source lies in an output folder nested inside its input folder: an
    earlier run's result, not a photo to color."""
    root = source.path.parents[len(source.relative.parts) - 1]
    return (storage.is_within(source.path, out_dir) and storage.is_within(out_dir, root)
            and storage.identity(out_dir) != storage.identity(root))


def _read_chunks(sources: list[Path], options: ColorizeOptions,
                 fail: Callable[[Path, str], None], storage: Storage
                 ) -> Iterator[list[tuple[Path, Image.Image]]]:
    # Group decoded photos up to a pixel budget, so batching never costs unbounded memory.
    chunk: list[tuple[Path, Image.Image]] = []
    pixels = 0
    for source in sources:
        try:
            image = open_image(storage.read(source), options.max_pixels, storage.name(source))
        except OSError as error:  # a file system's own failure (pyarrow raises OSError)
            fail(source, f"{storage.name(source)}: cannot read: {error}")
            continue
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


def _colorize_chunk(colorizer: Colorizer, chunk: list[tuple[Path, Image.Image]],
                    options: ColorizeOptions, fail: Callable[[Path, str], None],
                    storage: Storage) -> Iterator[tuple[Path, Image.Image, Image.Image]]:
    # A photo that breaks the batch (an odd mode, say) is retried alone, so it fails alone.
    hints = [options.hints] * len(chunk) if options.hints else None
    try:
        colorized = colorizer.colorize_batch([image for _, image in chunk], options.size,
                                             hints=hints)
    except Exception:
        if len(chunk) == 1:
            source, _ = chunk[0]
            fail(source, f"{storage.name(source)}: cannot color: "
                         f"{traceback.format_exc(limit=0).strip()}")
            return
        for single in chunk:
            yield from _colorize_chunk(colorizer, [single], options, fail, storage)
        return
    for (source, image), result in zip(chunk, colorized, strict=True):
        yield source, image, result


def color_photos(colorizer: Colorizer, targets: dict[Path, Path], options: ColorizeOptions,
                 storage: Storage = LOCAL) -> Iterator[tuple[Path, str | None]]:
    """Color and write each photo; yields (source, None) when written, (source, reason) when
    not, in the order they finish. Any engine that colors photos runs this."""
    failures: list[tuple[Path, str]] = []

    def fail(source: Path, reason: str) -> None:
        failures.append((source, reason))

    for chunk in _read_chunks(list(targets), options, fail, storage):
        for source, image, result in _colorize_chunk(colorizer, chunk, options, fail, storage):
            if options.side_by_side:
                result = side_by_side(image, result)
            target = targets[source]
            encoded = encode_for(target, result, options.quality)
            try:
                storage.write(target, encoded, replace=options.overwrite)
            except FileExistsError:
                # Written meanwhile: by a retry of this very job (a Ray task whose worker
                # died) if it holds these bytes, else by another run, whose file stays.
                if not storage.holds(target, encoded):
                    fail(source, f"{storage.name(target)}: another run wrote it meanwhile; "
                                 "kept that one (use --overwrite to replace it)")
                    continue
            except OSError as error:
                fail(source, f"{storage.name(target)}: cannot write: {error}")
                continue
            yield source, None
        yield from failures
        failures.clear()
    yield from failures


def colorize_files(colorizer: Colorizer, sources: Sequence[Source], options: ColorizeOptions,
                   storage: Storage = LOCAL) -> BatchReport:
    """Color every source into options.out_dir; one bad file never stops the others."""
    started = time.perf_counter()
    report = BatchReport()
    progress = tqdm(total=len(sources), unit="photo", disable=len(sources) < 2)

    def settle(source: Path, reason: str | None, target: Path | None = None) -> None:
        report.settle(source, reason, target)
        progress.update(1)

    plan = plan_batch(sources, options, storage)
    for source, reason in plan.failed:
        settle(source, reason)
    report.skipped.extend(plan.skipped)
    progress.update(len(plan.skipped))
    for source, target in plan.videos.items():
        if storage is not LOCAL:
            settle(source, f"{storage.name(source)}: videos are colored from local paths")
            continue
        try:
            colorize_video(colorizer, source, target, options.size, options.temporal,
                           options.max_pixels)
        except VideoError as error:
            settle(source, str(error))
            continue
        settle(source, None, target)
    photos = plan.photos
    for source, reason in color_photos(colorizer, photos, options, storage):
        settle(source, reason, photos[source])
    progress.close()
    report.seconds = time.perf_counter() - started
    return report
