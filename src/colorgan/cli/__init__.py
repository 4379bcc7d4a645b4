"""The `colorgan` command: one small module per command, each parsing its options and calling
one function of the library; this one finds them by name and turns errors into exit codes."""

import argparse
import signal
import sys

from colorgan.cli import colorize, evaluate, export, models, pack, serve, train
from colorgan.cli.options import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, UsageError

COMMANDS = {"colorize": colorize, "train": train, "evaluate": evaluate, "serve": serve,
            "models": models, "export": export, "pack": pack}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="colorgan", description="Color black-and-white photos "
                                     "with a GAN; train, measure and serve the models.")
    commands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS.values():
        command.add(commands)
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
        return COMMANDS[args.command].run(args)
    except UsageError as error:
        parser.error(str(error))
    except (OSError, ValueError, RuntimeError) as error:
        print(f"colorgan {args.command}: error: {error}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(f"colorgan {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK
