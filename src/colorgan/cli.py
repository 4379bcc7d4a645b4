"""Command-line interface: argument parsing only; every command calls the modules below."""

import argparse
import json
import math
import signal
import sys
from pathlib import Path

from colorgan.settings import (
    DEFAULT_PRESET,
    LOSS_SPACES,
    LR_SCHEDULES,
    MAX_HINTS,
    SELECTABLE_MEASURES,
    ColorizeOptions,
    TrainConfig,
    check_train_settings,
)

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C


def _add_train(commands: argparse._SubParsersAction) -> None:
    defaults = TrainConfig()
    # Options left out stay out of the namespace, so a --config file's values hold for them.
    parser = commands.add_parser("train", help="train a colorization GAN on folders of photos",
                                 argument_default=argparse.SUPPRESS)
    parser.add_argument("data", nargs="*", help="folders (or files) of color photos")
    parser.add_argument("--config", help="a JSON recipe (see recipes/); options given here win")
    parser.add_argument("--preset", help=f"default {DEFAULT_PRESET}; `colorgan models` lists "
                                         "them")
    parser.add_argument("--out", help=f"run folder (default {defaults.out})")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue a stopped run where its last checkpoint left it")
    parser.add_argument("--size", type=int, help=f"training crop side ({defaults.size})")
    parser.add_argument("--size-schedule", type=_step_and_side, nargs="+", metavar="STEP:SIDE",
                        help="progressive resizing: from each STEP on, crops of SIDE pixels "
                             "(e.g. 2000:160); default: --size throughout")
    parser.add_argument("--batch-size", type=int, help=f"default {defaults.batch_size}")
    parser.add_argument("--steps", type=int,
                        help=f"total steps (default {defaults.steps}; on resume: as saved)")
    parser.add_argument("--pretrain-steps", type=int,
                        help="generator-only L1 steps before the adversarial phase (default 0; "
                             "on resume: as saved)")
    parser.add_argument("--sample-every", type=int, help=f"default {defaults.sample_every}")
    parser.add_argument("--save-every", type=int,
                        help="checkpoint interval (default: twice --sample-every)")
    parser.add_argument("--num-samples", type=int, help=f"default {defaults.num_samples}")
    parser.add_argument("--mini-epoch", type=int,
                        help=f"images per step in the seed regime ({defaults.mini_epoch})")
    parser.add_argument("--workers", type=int, help=f"loader processes ({defaults.workers})")
    parser.add_argument("--device", help="auto (default), cpu, cuda, cuda:1...")
    parser.add_argument("--seed", type=int, help=f"default {defaults.seed}")
    parser.add_argument("--degrade", type=float,
                        help="probability of old-print defects (grain, blur, fading) on inputs")
    parser.add_argument("--source-balance", type=float,
                        help="0 (default): every photo equally often, so big folders dominate; "
                             "1: every data folder equally often; 0.5: in between")
    parser.add_argument("--source-multipliers", type=float, nargs="+", metavar="M",
                        help="one per data folder: scales that folder's share of the draws "
                             "(0 leaves it out); default: all 1")
    parser.add_argument("--lr-generator", type=float, help="default: the preset's")
    parser.add_argument("--lr-discriminator", type=float, help="default: the preset's")
    parser.add_argument("--encoder-lr-scale", type=float,
                        help="learning rate of a pretrained encoder as a share of the "
                             "generator's (0 keeps its weights frozen); default: the preset's")
    parser.add_argument("--min-chroma", type=float,
                        help="leave out training photos whose mean Lab chroma is under this "
                             f"(default {defaults.min_chroma}: only grayscale ones)")
    parser.add_argument("--encoder-frozen-steps", type=int,
                        help="keep a pretrained encoder's weights for this many steps at the "
                             "start while the decoder warms up (default 0)")
    parser.add_argument("--lr-schedule", choices=LR_SCHEDULES,
                        help="constant (default) or cosine: every learning rate falls along a "
                             "half cosine to 0 at the last of --steps")
    parser.add_argument("--weight-decay", type=float,
                        help="the generator's weights shrink by learning rate x this each step "
                             "(AdamW), against overfitting a small photo set; default 0")
    parser.add_argument("--l1-weight", type=float, help="default: the preset's")
    parser.add_argument("--gan-weight", type=float, help="default: the preset's")
    parser.add_argument("--bins-weight", type=float, help="default: the preset's")
    parser.add_argument("--colorfulness-weight", type=float,
                        help="weight of the colorfulness loss (the shortfall of the spread "
                             "of each image's colors from the original's) relative to L1; "
                             "default 0")
    parser.add_argument("--colorfulness-hint-free", action="store_true",
                        help="count the colorfulness loss on crops without simulated hints "
                             "alone (a hint model; docs/EXPERIMENTS.md, 48)")
    parser.add_argument("--loss-space", choices=LOSS_SPACES,
                        help="lab (default): L1 on the a, b channels; rgb: L1 on the sRGB "
                             "image they make with L, where PSNR and colorfulness are measured")
    parser.add_argument("--init-weights", help="start from this model's generator (run folder, "
                                               "checkpoint or .safetensors; matching layers)")
    parser.add_argument("--max-minutes", type=float,
                        help="stop and save after this many minutes (a wall-clock budget)")
    parser.add_argument("--no-pretrained", dest="pretrained", action="store_false",
                        help="start a pretrained encoder from random weights instead")
    parser.add_argument("--ema-decay", type=float,
                        help="sample and export an exponential moving average of the "
                             "generator's weights, e.g. 0.999 (default 0: its own weights)")
    parser.add_argument("--val", nargs="+", metavar="FOLDER",
                        help="photos to score (PSNR, colorfulness, hue distance, rebalanced "
                             "AuC, the judge's top-1 and KL) at every checkpoint; the "
                             "best-scoring weights are kept as best.safetensors")
    parser.add_argument("--select-by", choices=SELECTABLE_MEASURES,
                        help="the validation measure that picks best.safetensors (default "
                             f"{defaults.select_by}; docs/MEASURES.md)")
    parser.add_argument("--keep-snapshots", action="store_true",
                        help="keep the weights of every validated step in snapshots/, to "
                             "choose among them with colorgan evaluate")
    parser.add_argument("--rebalance-uniform-mix", type=float,
                        help="a binned head's class rebalancing: the share of a uniform "
                             f"distribution mixed into the data's (default "
                             f"{defaults.rebalance_uniform_mix}; Zhang et al.: 0.5)")


def _number(kind: type, least: float | None = None, above: float | None = None,
            most: float | None = None):
    """An argparse type: a finite int or float within bounds, or a usage error that says
    which (argparse names the option)."""
    def parse(text: str):
        try:
            value = kind(text)
        except ValueError:
            what = "a whole number" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        if least is not None and value < least:
            raise argparse.ArgumentTypeError(f"must be at least {least:g}, not {text}")
        if above is not None and value <= above:
            raise argparse.ArgumentTypeError(f"must be above {above:g}, not {text}")
        if most is not None and value > most:
            raise argparse.ArgumentTypeError(f"must be at most {most:g}, not {text}")
        return value

    return parse


COUNT = _number(int, least=1)
POSITIVE = _number(float, above=0)


def _step_and_side(text: str) -> list[int]:
    try:
        step, side = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not STEP:SIDE, e.g. 2000:160") from None
    return [step, side]


def _run_train(args: argparse.Namespace) -> int:
    from colorgan.train import load_run_config, train

    if "resume" in args:
        # A resumed run keeps its recipe; only its length and this process's budget change.
        changes = {name: getattr(args, name) for name in ("steps", "pretrain_steps",
                                                          "max_minutes") if name in args}
        train(load_run_config(Path(args.resume), **changes), resume=True)
        return EXIT_OK
    values = {}
    if "config" in args:
        try:
            values = json.loads(Path(args.config).read_text())
        except (OSError, json.JSONDecodeError) as error:
            raise UsageError(f"--config {args.config}: {error}") from None
    if not isinstance(values, dict):
        raise UsageError(f"--config {args.config}: a recipe is a JSON object of settings")
    fields = set(TrainConfig.__dataclass_fields__)
    values.update({key: value for key, value in vars(args).items()
                   if key in fields and value != []})
    try:
        check_train_settings(values)
    except ValueError as error:
        where = f"--config {args.config}" if "config" in args else "train"
        raise UsageError(f"{where}: {error}") from None
    if not values.get("data"):
        raise UsageError("train needs at least one data folder (or --config, or --resume)")
    _check_device(values.get("device", "auto"))
    _check_preset(values.get("preset", DEFAULT_PRESET))
    multipliers = values.get("source_multipliers") or []
    if multipliers and len(multipliers) != len(values["data"]):
        raise UsageError(f"--source-multipliers: {len(multipliers)} given for "
                         f"{len(values['data'])} data folders (one each)")
    train(TrainConfig(**values))
    return EXIT_OK


def _add_models(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="list the presets with their size and cost")
    parser.add_argument("--size", type=_number(int, least=32), default=256,
                        help="image side for the FLOP count")


def _run_models(args: argparse.Namespace) -> int:
    import torch

    from colorgan.flops import count_flops, parameter_count
    from colorgan.models import PRESETS

    width = max(map(len, PRESETS)) + 2
    print(f"{'preset':<{width}}{'G params':>10}{'D params':>10}{'G GFLOP/img':>13}  description")
    for name, preset in PRESETS.items():
        generator, discriminator = preset.build_generator(False), preset.build_discriminator()
        generator.eval()
        with torch.no_grad():
            flops = count_flops(generator, torch.zeros(1, 1, args.size, args.size))
        marker = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name:<{width}}{parameter_count(generator) / 1e6:>9.2f}M"
              f"{parameter_count(discriminator) / 1e6:>9.2f}M{flops / 1e9:>13.2f}  "
              f"{preset.description}{marker}")
    print(f"FLOPs counted for one {args.size}x{args.size} image (multiply-add = 2 FLOPs)")
    return EXIT_OK


def _add_colorize(commands: argparse._SubParsersAction) -> None:
    defaults = ColorizeOptions(out_dir=Path("colorized"))
    parser = commands.add_parser("colorize", help="color black-and-white photos")
    parser.add_argument("inputs", nargs="+", help="files, folders or globs")
    parser.add_argument("-o", "--out", default=str(defaults.out_dir), help="output folder")
    parser.add_argument("-r", "--recursive", action="store_true",
                        help="descend into folders (the output folder mirrors their tree)")
    parser.add_argument("--format", choices=["png", "jpg"], default=defaults.file_format)
    parser.add_argument("--quality", type=_number(int, least=1, most=100),
                        default=defaults.quality, help="JPEG quality")
    existing = parser.add_mutually_exclusive_group()
    existing.add_argument("--overwrite", action="store_true", help="replace existing outputs")
    existing.add_argument("--skip-existing", action="store_true",
                          help="leave inputs whose output exists alone (resumes a batch)")
    parser.add_argument("--side-by-side", action="store_true",
                        help="write original | colorized as one image")
    parser.add_argument("--size", type=_number(int, least=32), default=defaults.size,
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
    parser.add_argument("--max-pixels", type=_number(float, least=1),
                        default=defaults.max_pixels,
                        help="refuse larger images (default 100e6)")
    parser.add_argument("--batch-size", type=COUNT, default=defaults.batch_size)
    parser.add_argument("--temporal", type=float, default=defaults.temporal,
                        help="video only: chroma smoothing over time, 0 (off) to 0.95")
    parser.add_argument("--device", default="auto", help="auto, cpu, cuda...")
    _add_backend(parser)
    cluster = parser.add_argument_group("on a Ray cluster (pip install 'colorgan[ray]')")
    cluster.add_argument("--engine", choices=("local", "ray"), default="local",
                         help="local (default): this process; ray: a pool of Ray actors, "
                              "each loading the model once; photos only")
    cluster.add_argument("--ray-address", help="join this Ray cluster (default: start a "
                                               "local Ray instance)")
    cluster.add_argument("--workers", type=COUNT, default=2, help="model actors (default 2)")
    cluster.add_argument("--cpus-per-worker", type=POSITIVE, default=1.0)
    cluster.add_argument("--gpus-per-worker", type=_number(float, least=0), default=0.0,
                         help="e.g. 1 for an actor per GPU (use --device cuda)")


def _run_colorize(args: argparse.Namespace) -> int:
    from colorgan.batch import NoInputs, collect_inputs, colorize_files
    from colorgan.colorize import Colorizer
    from colorgan.storage import LOCAL, open_locations

    # Everything a user can get wrong is checked before the model loads: a typo fails fast
    # (the numbers' ranges by their argparse types).
    if not 0 <= args.temporal < 1:  # NaN too
        raise UsageError("--temporal must be at least 0 and below 1")
    try:
        storage, (*inputs, out) = open_locations([*args.inputs, args.out])
    except ValueError as error:
        raise UsageError(str(error)) from None
    if storage is LOCAL:
        _check_output_folder(out)
        inputs = args.inputs  # patterns: globs work on this machine's files
    _check_device(args.device)
    if args.vividness is not None:
        _check_vividness(args.vividness)
    try:
        sources = collect_inputs(inputs, args.recursive, storage)
    except NoInputs as error:
        raise UsageError(str(error)) from None
    hints = _read_hints(args, sources, storage)
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


def _read_hints(args: argparse.Namespace, sources: list, storage) -> tuple:
    """The --hint and --hints hints, checked against the one photo they are for."""
    if not args.hint and args.hints is None:
        return ()
    from colorgan.batch import is_video
    from colorgan.hints import check_hints, hints_from_json, parse_hint
    from colorgan.imageio import ImageReadError, open_image

    if len(sources) != 1 or is_video(sources[0].path):
        raise UsageError("hints are for one photo: give exactly one photo with --hint/--hints")
    try:
        hints = [parse_hint(text) for text in args.hint]
        if args.hints is not None:
            try:
                text = Path(args.hints).read_text()
            except (OSError, UnicodeDecodeError) as error:
                raise ValueError(f"--hints {args.hints}: {error}") from None
            hints += hints_from_json(text)
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
    if args.workers < 1 or args.cpus_per_worker <= 0 or args.gpus_per_worker < 0:
        raise UsageError("--workers must be at least 1, --cpus-per-worker positive, "
                         "--gpus-per-worker 0 or more")
    from colorgan.ray_job import ClusterOptions, ModelChoice, colorize_on_ray

    cluster = ClusterOptions(args.ray_address, args.workers, args.cpus_per_worker,
                             args.gpus_per_worker)
    model = ModelChoice(args.model, args.backend, args.device, args.vividness)
    return colorize_on_ray(sources, options, cluster, model, storage)


def _check_output_folder(folder: Path) -> None:
    """An output folder that is a file, or lies under one, is a usage error."""
    for path in (folder, *folder.parents):
        if path.exists():
            if not path.is_dir():
                raise UsageError(f"-o {folder}: {path} is a file, not a folder")
            return


def _add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("auto", "torch", "onnx"), default="auto",
                        help="what runs the model: onnx (ONNX Runtime, CPU, 1.15 to 1.6 "
                             "times as fast), torch, or auto (default): onnx where ONNX Runtime is "
                             "installed and the model has an ONNX form (the bundled one does, "
                             "or a .onnx --model), else torch")


def _check_preset(name: str) -> None:
    from colorgan.models import PRESETS

    if name not in PRESETS:
        raise UsageError(f"--preset {name!r} is not one of {', '.join(sorted(PRESETS))}")


def _check_vividness(vividness: float) -> None:
    from colorgan.colorize import check_vividness

    try:
        check_vividness(vividness)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _check_device(name: str) -> None:
    from colorgan.device import resolve_device

    try:
        resolve_device(name)
    except ValueError as error:
        raise UsageError(str(error)) from None


def _add_export(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write a run's generator as one safetensors "
                                                "or ONNX file")
    parser.add_argument("model", help="run folder, checkpoint or .safetensors ('bundled': the "
                                      "default model)")
    parser.add_argument("output", help="the .safetensors file to write (a .json goes beside "
                                       "it), or an .onnx file (opset 18; any batch and size; "
                                       "the config in its metadata; a model that takes "
                                       "hints also gets NAME.automatic.onnx, the faster graph "
                                       "for photos without hints)")
    parser.add_argument("--half", action="store_true", help="store weights as float16")
    parser.add_argument("--share-weights", action="store_true",
                        help="an .onnx output reads its weights from MODEL, a .safetensors "
                             "export in the same folder (float16: use --half), instead of "
                             "holding a copy: one file of weights for both backends")
    parser.add_argument("--vividness", type=float,
                        help="the vividness its users get by default (1: as trained)")
    parser.add_argument("--preset", help="run the weights as another preset whose layers "
                                         "they fit (efficientnet-compact-unet[-hints]: "
                                         "efficientnet-unet's weights, a faster decoder)")
    parser.add_argument("--temperature", type=float,
                        help="binned models: annealed-mean temperature in (0, 1], lower is "
                             "more vivid")
    parser.add_argument("--rebalance", type=float,
                        help="binned models: share of the training's rare-color rebalancing "
                             "kept, 0 (truest) to 2 (most vivid); 1 as trained")


def _run_export(args: argparse.Namespace) -> int:
    import torch

    from colorgan.checkpoint import export_generator
    from colorgan.colorize import bundled_weights_path, read_model

    if not args.output.endswith((".safetensors", ".onnx")):
        raise UsageError("the output file must end in .safetensors or .onnx")
    model = bundled_weights_path() if args.model == "bundled" else Path(args.model)
    _check_export_target(model, Path(args.output))
    if args.share_weights and not (args.output.endswith(".onnx")
                                   and model.suffix == ".safetensors"):
        raise UsageError("--share-weights writes an .onnx file that reads its weights from "
                         "a .safetensors MODEL")
    if args.share_weights and any(getattr(args, name) is not None
                                  for name in ("vividness", "preset", "temperature",
                                               "rebalance")):
        raise UsageError("--share-weights exports MODEL as it is, so that both forms agree; "
                         "set --vividness, --preset, --temperature or --rebalance on MODEL's "
                         "own export")
    if args.share_weights and model.resolve().parent != Path(args.output).resolve().parent:
        raise UsageError("--share-weights: the .onnx file must go in MODEL's folder, where "
                         "ONNX Runtime looks for the weights")
    weights, config = read_model(model)
    if args.share_weights and args.half != any(tensor.dtype == torch.float16
                                                for tensor in weights.values()):
        raise UsageError("--share-weights: use --half exactly when MODEL stores float16 "
                         "weights, so that the graph's weights are the file's")
    if args.temperature is not None or args.rebalance is not None:
        from colorgan.models.chroma_bins import set_decoding

        try:
            set_decoding(weights, args.temperature, args.rebalance)
        except ValueError as error:
            raise UsageError(str(error)) from None
        config.update({name: value for name in ("temperature", "rebalance")
                       if (value := getattr(args, name)) is not None})
    if args.vividness is not None:
        _check_vividness(args.vividness)
        config["vividness"] = args.vividness
    if args.preset is not None:
        _check_preset_fits(args.preset, weights)
        config["preset"] = args.preset
    if args.output.endswith(".onnx"):
        from colorgan.onnx_model import automatic_form, export_onnx

        written = export_onnx(Path(args.output), weights, config, args.half,
                              model if args.share_weights else None)
        if automatic_form(written).exists():
            print(f"wrote {automatic_form(written)} (the graph for photos without hints)")
    else:
        written = export_generator(Path(args.output), weights, config, args.half)
    print(f"wrote {written}")
    return EXIT_OK


def _check_export_target(model: Path, output: Path) -> None:
    """Before any work: an export never replaces its own model, and its files can be written."""
    from colorgan.checkpoint import WEIGHTS_NAME
    from colorgan.onnx_model import automatic_form

    sources = {model.resolve()}
    if model.is_dir():
        sources |= {(model / WEIGHTS_NAME).resolve(), (model / WEIGHTS_NAME).with_suffix(
            ".json").resolve()}
    else:
        sources.add(model.with_suffix(".json").resolve())
    written = [output, output.with_suffix(".json")] if output.suffix == ".safetensors" \
        else [output, automatic_form(output)]
    for path in written:
        if path.resolve() in sources:
            raise UsageError(f"{output}: the export would replace its own model {model}; "
                             "write it to another file")
        if path.is_dir():
            raise UsageError(f"{path} is a folder; name the file to write")
    _check_output_folder(output.parent)


def _check_preset_fits(name: str, weights: dict) -> None:
    from colorgan.models import get_preset

    try:
        get_preset(name).build_generator(False).load_state_dict(weights)
    except (KeyError, ValueError, RuntimeError) as error:
        raise UsageError(f"--preset {name}: the weights do not fit it: "
                         f"{' '.join(str(error).split())[:300]}") from None


def _add_evaluate(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("evaluate", help="score models on folders of color photos")
    parser.add_argument("data", nargs="+", help="folders of color photos (ground truth)")
    parser.add_argument("--model", action="append", default=[],
                        help="run folder, checkpoint or .safetensors; repeat to compare; "
                             "'bundled' is the default model (used when none is given)")
    parser.add_argument("--size", type=_number(int, least=32), default=256,
                        help="working size")
    parser.add_argument("--limit", type=COUNT, help="only the first N photos, in sorted order")
    parser.add_argument("--out", default="evaluation", help="folder for the JSON and the grid")
    parser.add_argument("--grid-photos", type=_number(int, least=0), default=8)
    parser.add_argument("--aged", action="store_true",
                        help="give the models old-print versions (grain, blur, fading, JPEG, "
                             "scratches) and score their colors on that lightness")
    parser.add_argument("--hints", type=_number(int, least=0, most=MAX_HINTS), default=0,
                        metavar="N",
                        help="give models that take color hints N of each photo's true colors "
                             "at random points (seeded: the same for every model)")
    parser.add_argument("--no-judge", dest="judge", action="store_false",
                        help="leave out the ImageNet classifier's measures (top-1, top-5, KL, "
                             "Fréchet; docs/MEASURES.md), which need the train extra")
    parser.add_argument("--device", default="auto")


def _run_evaluate(args: argparse.Namespace) -> int:
    from colorgan.colorize import Colorizer
    from colorgan.evaluate import evaluate, format_table, write_json
    from colorgan.hints import HintError

    names = args.model or ["bundled"]
    if len(set(names)) != len(names):
        raise UsageError("each --model may be given once")
    _check_device(args.device)
    models = {name: Colorizer.load(None if name == "bundled" else name, args.device)
              for name in names}
    judge = None
    if args.judge:
        from colorgan.judge import Judge

        try:
            judge = Judge()
        except RuntimeError as error:
            raise UsageError(f"{error}, or leave the classifier out with --no-judge") from None
    out = Path(args.out)
    try:
        evaluation = evaluate(args.data, models, args.size, args.limit, args.grid_photos,
                              out / "comparison.png", args.aged, args.hints, judge)
    except HintError as error:
        raise UsageError(f"--hints: {error}") from None
    write_json(evaluation, out / "evaluation.json",
               {"data": args.data, "size": args.size, "limit": args.limit, "aged": args.aged,
                "hints": args.hints})
    print(format_table(evaluation))
    print(f"wrote {out / 'evaluation.json'} and {out / 'comparison.png'}")
    return EXIT_FAILED if evaluation.failed else EXIT_OK


def _add_serve(commands: argparse._SubParsersAction) -> None:
    from colorgan.server.limits import ServerLimits

    defaults = ServerLimits()
    parser = commands.add_parser("serve", help="the web app and HTTP API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=_number(int, least=0, most=65535), default=8000)
    parser.add_argument("--model", help="run folder, checkpoint or .safetensors "
                                        "(default: the bundled model)")
    parser.add_argument("--device", default="auto")
    _add_backend(parser)
    parser.add_argument("--max-upload-mb", type=_number(float, above=0, most=2**20),
                        default=20.0)
    parser.add_argument("--max-pixels", type=_number(float, least=1),
                        default=defaults.max_pixels,
                        help="refuse larger images with 413 (default 25e6; the CLI's is 100e6)")
    parser.add_argument("--workers", type=COUNT, default=1, help="photos colored at once")
    parser.add_argument("--queue", type=_number(int, least=0), default=4,
                        help="photos waiting before 503")
    parser.add_argument("--queue-pixels", type=_number(float, least=1),
                        default=defaults.queue_pixels,
                        help="pixels waiting or in work before 503 (default 50e6)")
    parser.add_argument("--timeout", type=POSITIVE, default=120.0, help="seconds per request")
    parser.add_argument("--body-timeout", type=POSITIVE,
                        default=defaults.body_timeout_seconds,
                        help="seconds a client may pause while sending a request (default 30)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests for this host name (repeat for more; '*' "
                             "for any). By default only loopback names and the --host name "
                             "are answered, against DNS rebinding")


def _run_serve(args: argparse.Namespace) -> int:
    from colorgan.colorize import Colorizer
    from colorgan.server.limits import ServerLimits
    from colorgan.server.run import serve

    _check_device(args.device)
    limits = ServerLimits(max_upload_bytes=int(args.max_upload_mb * 2**20),
                          max_pixels=int(args.max_pixels), workers=args.workers,
                          queue=args.queue, queue_pixels=int(args.queue_pixels),
                          timeout_seconds=args.timeout, body_timeout_seconds=args.body_timeout)
    serve(args.host, args.port, Colorizer.load(args.model, args.device, args.backend), limits,
          args.allow_host)
    return EXIT_OK


def _add_pack(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("pack", help="a compact copy of training folders (photos "
                                              "shrunk, as WebP) to send with a GPU job")
    parser.add_argument("folders", nargs="+", help="folders of color photos; each becomes "
                                                   "a folder of the copy")
    parser.add_argument("--out", required=True, help="folder for the copy")
    parser.add_argument("--max-side", type=_number(int, least=16), default=192,
                        help="short side of the copies at most (default 192; never enlarged)")
    parser.add_argument("--quality", type=_number(int, least=1, most=100), default=75,
                        help="WebP quality (default 75)")
    parser.add_argument("--min-chroma", type=_number(float, least=0), default=None,
                        help="leave out photos under this chroma floor, which training with "
                             "the same floor drops anyway (default: keep all)")
    parser.add_argument("--share", type=_number(float, above=0, most=1), default=1.0,
                        help="pack a random share of each folder's photos, to fit a size "
                             "limit (default 1: all)")
    parser.add_argument("--seed", type=_number(int, least=0), default=0,
                        help="seed of the drawn share")


def _run_pack(args: argparse.Namespace) -> int:
    from colorgan.pack import pack_folders

    report = pack_folders(args.folders, args.out, args.max_side, args.quality,
                          args.min_chroma, args.share, args.seed)
    print(f"{report.summary()} to {args.out}")
    return EXIT_FAILED if report.skipped else EXIT_OK


class UsageError(Exception):
    """A command line that cannot be run as given."""


COMMANDS = {
    "colorize": (_add_colorize, _run_colorize),
    "train": (_add_train, _run_train),
    "evaluate": (_add_evaluate, _run_evaluate),
    "serve": (_add_serve, _run_serve),
    "models": (_add_models, _run_models),
    "export": (_add_export, _run_export),
    "pack": (_add_pack, _run_pack),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colorgan", description="Color black-and-white photos "
                                     "with a GAN; train, measure and serve the models.")
    commands = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(commands)
    return parser


def _stop_on_sigterm() -> None:
    # A polite kill (SIGTERM) stops as Ctrl-C does: temporary files go, outputs stay whole.
    def interrupt(*_):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `colorgan` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _stop_on_sigterm()
    try:
        return COMMANDS[args.command][1](args)
    except UsageError as error:
        parser.error(str(error))
    except (OSError, ValueError, RuntimeError) as error:
        print(f"colorgan {args.command}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"colorgan {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
