"""`colorgan colorize`: photos, folders, globs and videos, on this machine or a Ray cluster."""

import argparse
from pathlib import Path

from colorgan.cli.options import (
    COUNT,
    EXIT_FAILED,
    EXIT_OK,
    POSITIVE,
    UsageError,
    add_backend,
    check_device,
    check_output_folder,
    check_vividness,
    number,
)
from colorgan.extras import require
from colorgan.settings import ColorizeOptions


def add(commands: argparse._SubParsersAction) -> None:
    defaults = ColorizeOptions(out_dir=Path("colorized"))
    parser = commands.add_parser("colorize", help="color black-and-white photos")
    parser.add_argument("inputs", nargs="+", help="files, folders or globs")
    parser.add_argument("-o", "--out", default=str(defaults.out_dir), help="output folder")
    parser.add_argument("-r", "--recursive", action="store_true",
                        help="descend into folders (the output folder mirrors their tree)")
    parser.add_argument("--format", choices=["png", "jpg"], default=defaults.file_format)
    parser.add_argument("--quality", type=number(int, least=1, most=100),
                        default=defaults.quality, help="JPEG quality")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    existing.add_argument("--skip-existing", action="store_true",
                          help="leave inputs whose output exists alone (resumes a batch)")
    parser.add_argument("--side-by-side", action="store_true",
                        help="write original | colorized as one image")
    parser.add_argument("--size", type=number(int, least=32), default=defaults.size,
                        help="working size: the model sees about SIZE x SIZE pixels")
    parser.add_argument("--vividness", type=float,
                        help="color strength: 1 as the model colors, above 1 more vivid, "
                             "0 gray (at most 3); default: the model's own (the bundled "
                             "model's is in docs/MODEL_CARD.md)")
    parser.add_argument("--model", help="run folder, checkpoint or .safetensors "
                                        "(default: the bundled model)")
    parser.add_argument("--hint", action="append", default=[], metavar="X,Y,#RRGGBB",
                        help="one photo only: the color at pixel X,Y (from the photo's top "
                             "left) was this; its lightness stays the photo's. Repeatable")
    parser.add_argument("--hints", metavar="FILE",
                        help='one photo only: hints as a JSON list of {"x": 120, "y": 80, '
                             '"color": "#c0392b"}')
    parser.add_argument("--max-pixels", type=number(float, least=1),
                        default=defaults.max_pixels,
                        help="refuse larger images (default 100e6)")
    parser.add_argument("--batch-size", type=COUNT, default=defaults.batch_size)
    parser.add_argument("--temporal", type=float, default=defaults.temporal,
                        help="video only: chroma smoothing over time, 0 (off) to 0.95")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda...")
    add_backend(parser)
    cluster = parser.add_argument_group("on a Ray cluster (pip install 'colorgan[ray]')")
    cluster.add_argument("--engine", choices=("local", "ray"), default="local",
                         help="local (default): this process; ray: a pool of Ray actors, "
                              "each loading the model once; photos only")
    cluster.add_argument("--ray-address", help="join this Ray cluster (default: start a "
                                               "local Ray instance)")
    cluster.add_argument("--workers", type=COUNT, default=2, help="model actors (default 2)")
    cluster.add_argument("--cpus-per-worker", type=POSITIVE, default=1.0)
    cluster.add_argument("--gpus-per-worker", type=number(float, least=0), default=0.0,
                         help="e.g. 1 for an actor per GPU (use --device cuda)")


def run(args: argparse.Namespace) -> int:
    from colorgan.inference.batch import NoInputs, collect_inputs, colorize_files, is_video
    from colorgan.inference.colorize import Colorizer
    from colorgan.inference.storage import LOCAL, open_locations

    # Everything a user can get wrong is checked before the model loads: a typo fails fast
    # (the numbers' ranges by their argparse types).
    if not 0 <= args.temporal < 1:  # NaN too
        raise UsageError("--temporal must be at least 0 and below 1")
    try:
        storage, (*inputs, out) = open_locations([*args.inputs, args.out])
    except ValueError as error:
        raise UsageError(str(error)) from None
    if storage is LOCAL:
        check_output_folder(out)
        inputs = args.inputs  # patterns: globs work on this machine's files
    check_device(args.device)
    if args.vividness is not None:
        check_vividness(args.vividness)
    try:
        sources = collect_inputs(inputs, args.recursive, storage)
    except NoInputs as error:
        raise UsageError(str(error)) from None
    if any(is_video(source.path) for source in sources):
        require("video", "coloring a video")
    hints = _hints_for(args, sources, storage)
    options = ColorizeOptions(out_dir=out, file_format=args.format,
                              quality=args.quality, overwrite=args.overwrite,
                              skip_existing=args.skip_existing,
                              side_by_side=args.side_by_side, size=args.size,
                              max_pixels=int(args.max_pixels), batch_size=args.batch_size,
                              temporal=args.temporal, hints=hints)
    if hints and args.engine == "ray":
        raise UsageError("hints are for one photo: leave out --engine ray")
    if args.engine == "ray":
        report = _colorize_on_ray(args, sources, options, storage)
    else:
        colorizer = Colorizer.load(args.model, args.device, args.backend)
        if hints and not colorizer.takes_hints:
            raise UsageError(f"this model ({colorizer.config.get('preset')}) does not take "
                             "color hints; the bundled model does")
        if args.vividness is not None:
            colorizer = colorizer.with_vividness(args.vividness)
        report = colorize_files(colorizer, sources, options, storage)
    if len(sources) > 1 or report.failed or report.skipped:
        print(report.summary())
    if len(sources) == 1 and report.done:
        print(f"wrote {storage.name(report.written[0])}")
    return EXIT_FAILED if report.failed else EXIT_OK


def _hints_for(args: argparse.Namespace, sources: list, storage) -> tuple:
    """The --hint and --hints hints, checked against the one photo they are for."""
    if not args.hint and args.hints is None:
        return ()
    from colorgan.inference.batch import is_video
    from colorgan.inference.hints import check_hints, read_hints
    from colorgan.inference.imageio import ImageReadError, open_image

    if len(sources) != 1 or is_video(sources[0].path):
        raise UsageError("hints are for one photo: give exactly one photo with --hint/--hints")
    try:
        hints = read_hints(args.hint, None if args.hints is None else Path(args.hints))
        photo = open_image(storage.read(sources[0].path), int(args.max_pixels),
                           storage.name(sources[0].path))
        check_hints(hints, photo.width, photo.height)
    except (ValueError, ImageReadError, OSError) as error:
        raise UsageError(str(error)) from None
    return tuple(hints)


def _colorize_on_ray(args: argparse.Namespace, sources: list, options: ColorizeOptions,
                     storage):
    import importlib.util

    if importlib.util.find_spec("ray") is None:
        raise UsageError("--engine ray needs Ray: pip install 'colorgan[ray]'")
    from colorgan.inference.ray_job import ClusterOptions, ModelChoice, colorize_on_ray

    cluster = ClusterOptions(args.ray_address, args.workers, args.cpus_per_worker,
                             args.gpus_per_worker)
    model = ModelChoice(args.model, args.backend, args.device, args.vividness)
    return colorize_on_ray(sources, options, cluster, model, storage)
