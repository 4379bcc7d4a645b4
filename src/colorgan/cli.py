"""Command-line interface: argument parsing only; every command calls the modules below."""

import argparse
import sys
from pathlib import Path

from colorgan.models import DEFAULT_PRESET, PRESETS

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _add_train(commands: argparse._SubParsersAction) -> None:
    from colorgan.train import TrainConfig

    defaults = TrainConfig()
    parser = commands.add_parser("train", help="train a colorization GAN on folders of photos")
    parser.add_argument("data", nargs="*", help="folders (or files) of color photos")
    parser.add_argument("--preset", default=DEFAULT_PRESET, choices=sorted(PRESETS))
    parser.add_argument("--out", default=defaults.out, help="run folder")
    parser.add_argument("--resume", metavar="RUN_DIR",
                        help="continue a stopped run where its last checkpoint left it")
    parser.add_argument("--size", type=int, default=defaults.size, help="training crop side")
    parser.add_argument("--batch-size", type=int, default=defaults.batch_size)
    parser.add_argument("--steps", type=int, default=None,
                        help=f"total steps (default {defaults.steps}; on resume: as saved)")
    parser.add_argument("--pretrain-steps", type=int, default=defaults.pretrain_steps,
                        help="generator-only L1 steps before the adversarial phase")
    parser.add_argument("--sample-every", type=int, default=defaults.sample_every)
    parser.add_argument("--save-every", type=int, default=defaults.save_every,
                        help="checkpoint interval (default: twice --sample-every)")
    parser.add_argument("--num-samples", type=int, default=defaults.num_samples)
    parser.add_argument("--mini-epoch", type=int, default=defaults.mini_epoch,
                        help="images per step in the seed preset's regime")
    parser.add_argument("--workers", type=int, default=defaults.workers)
    parser.add_argument("--device", default=defaults.device, help="auto, cpu, cuda, cuda:1...")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--degrade", type=float, default=defaults.degrade,
                        help="probability of old-print defects (grain, blur, fading) on inputs")
    parser.add_argument("--lr-generator", type=float)
    parser.add_argument("--lr-discriminator", type=float)
    parser.add_argument("--l1-weight", type=float)
    parser.add_argument("--gan-weight", type=float)
    parser.add_argument("--no-pretrained", dest="pretrained", action="store_false",
                        help="start a pretrained encoder from random weights instead")


def _run_train(args: argparse.Namespace) -> int:
    from colorgan.train import TrainConfig, load_run_config, train

    if args.resume:
        config = load_run_config(Path(args.resume), args.steps)
        train(config, resume=True)
        return EXIT_OK
    if not args.data:
        raise UsageError("train needs at least one data folder (or --resume RUN_DIR)")
    fields = set(TrainConfig.__dataclass_fields__)
    values = {key: value for key, value in vars(args).items() if key in fields}
    if args.steps is None:
        values.pop("steps")
    train(TrainConfig(**values))
    return EXIT_OK


def _add_models(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="list the presets with their size and cost")
    parser.add_argument("--size", type=int, default=256, help="image side for the FLOP count")


def _run_models(args: argparse.Namespace) -> int:
    import torch

    from colorgan.flops import count_flops, parameter_count

    print(f"{'preset':<20}{'G params':>10}{'D params':>10}{'G GFLOP/img':>13}  description")
    for name, preset in PRESETS.items():
        generator, discriminator = preset.build_generator(False), preset.build_discriminator()
        generator.eval()
        with torch.no_grad():
            flops = count_flops(generator, torch.zeros(1, 1, args.size, args.size))
        marker = " (default)" if name == DEFAULT_PRESET else ""
        print(f"{name:<20}{parameter_count(generator) / 1e6:>9.2f}M"
              f"{parameter_count(discriminator) / 1e6:>9.2f}M{flops / 1e9:>13.2f}  "
              f"{preset.description}{marker}")
    print(f"FLOPs counted for one {args.size}x{args.size} image (multiply-add = 2 FLOPs)")
    return EXIT_OK


class UsageError(Exception):
    """A command line that cannot be run as given."""


COMMANDS = {"train": (_add_train, _run_train), "models": (_add_models, _run_models)}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colorgan", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for add, _ in COMMANDS.values():
        add(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `colorgan` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command][1](args)
    except UsageError as error:
        parser.error(str(error))
    except (FileNotFoundError, FileExistsError, ValueError, RuntimeError) as error:
        print(f"colorgan {args.command}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
