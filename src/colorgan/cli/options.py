"""What every command shares: exit codes, the usage error, typed numbers, and the checks that
run before any work (device, preset, vividness, output folder)."""

import argparse
import math
from pathlib import Path

from colorgan.atomic import file_in_the_way

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a process stopped by Ctrl-C


class UsageError(Exception):
    """A command line that cannot be run as given."""


def number(kind: type, least: float | None = None, above: float | None = None,
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


COUNT = number(int, least=1)
POSITIVE = number(float, above=0)


def check_output_folder(folder: Path) -> None:
    """An output folder that is a file, or lies under one, is a usage error."""
    blocking = file_in_the_way(folder)
    if blocking is not None:
        raise UsageError(f"-o {folder}: {blocking} is a file, not a folder")


def add_backend(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--backend", choices=("auto", "torch", "onnx"), default="auto",
                        help="what runs the model: onnx (ONNX Runtime, CPU, 1.15 to 2.7 "
                             "times as fast), torch, or auto (default): onnx where ONNX Runtime is "
                             "installed and the model has an ONNX form (the bundled one does, "
                             "or a .onnx --model), else torch")


def check_preset(name: str) -> None:
    from colorgan.models import PRESETS

    if name not in PRESETS:
        raise UsageError(f"--preset {name!r} is not one of {', '.join(sorted(PRESETS))}")


def check_vividness(vividness: float) -> None:
    from colorgan.inference.colorize import check_vividness as check

    try:
        check(vividness)
    except ValueError as error:
        raise UsageError(str(error)) from None


def check_device(name: str) -> None:
    from colorgan.inference.device import resolve_device

    try:
        resolve_device(name)
    except ValueError as error:
        raise UsageError(str(error)) from None
