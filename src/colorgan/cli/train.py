"""`colorgan train`: a run from a recipe and options, or the resumption of one."""

import argparse
from pathlib import Path

from colorgan.cli.options import EXIT_OK, UsageError, check_device, check_preset
from colorgan.extras import require
from colorgan.settings import (
    DEFAULT_PRESET,
    LOSS_SPACES,
    LR_SCHEDULES,
    SELECTABLE_MEASURES,
    TrainConfig,
    check_train_settings,
)


def add(commands: argparse._SubParsersAction) -> None:
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
    parser.add_argument("--select-by", choices=tuple(SELECTABLE_MEASURES),
                        help="the validation measure that picks best.safetensors (default "
                             f"{defaults.select_by}; docs/MEASURES.md)")
    parser.add_argument("--keep-snapshots", action="store_true",
                        help="keep the weights of every validated step in snapshots/, to "
                             "choose among them with colorgan evaluate")
    parser.add_argument("--rebalance-uniform-mix", type=float,
                        help="a binned head's class rebalancing: the share of a uniform "
                             f"distribution mixed into the data's (default "
                             f"{defaults.rebalance_uniform_mix}; Zhang et al.: 0.5)")


def _step_and_side(text: str) -> list[int]:
    try:
        step, side = (int(part) for part in text.split(":"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not STEP:SIDE, e.g. 2000:160") from None
    return [step, side]


def run(args: argparse.Namespace) -> int:
    require("train", "colorgan train")
    from colorgan.training.recipes import RecipeError, read_recipe
    from colorgan.training.run import load_run_config, train

    if "resume" in args:
        # A resumed run keeps its recipe; only its length and this process's budget change.
        changes = {name: getattr(args, name) for name in ("steps", "pretrain_steps",
                                                          "max_minutes") if name in args}
        train(load_run_config(Path(args.resume), **changes), resume=True)
        return EXIT_OK
    values = {}
    if "config" in args:
        try:
            values = read_recipe(Path(args.config))
        except RecipeError as error:
            raise UsageError(str(error)) from None
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
    check_device(values.get("device", "auto"))
    check_preset(values.get("preset", DEFAULT_PRESET))
    multipliers = values.get("source_multipliers") or []
    if multipliers and len(multipliers) != len(values["data"]):
        raise UsageError(f"--source-multipliers: {len(multipliers)} given for "
                         f"{len(values['data'])} data folders (one each)")
    train(TrainConfig(**values))
    return EXIT_OK
