"""`colorgan models`: the presets with their size and cost."""

import argparse

from colorgan.cli.options import EXIT_OK, number


def add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("models", help="list the presets with their size and cost")
    parser.add_argument("--size", type=number(int, least=32), default=256,
                        help="image side for the FLOP count")


def run(args: argparse.Namespace) -> int:
    from colorgan.models.flops import preset_table

    print(preset_table(args.size))
    return EXIT_OK
