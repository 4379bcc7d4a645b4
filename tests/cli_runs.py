"""Running `colorgan` for a test: in this process (no interpreter start, no imports again:
seconds less per call), or as its own process where the process itself is under test
(signals, start-up without PyTorch, a real server)."""

import contextlib
import io
import signal
import subprocess
import sys
from dataclasses import dataclass


@dataclass
class Run:
    """What a command printed and how it exited, as subprocess.CompletedProcess says it."""

    returncode: int
    stdout: str
    stderr: str


def in_process(*args: str) -> Run:
    """`colorgan ARGS` called as a function: its exit code, stdout and stderr."""
    from colorgan.cli import main

    stdout, stderr = io.StringIO(), io.StringIO()
    handler = signal.getsignal(signal.SIGTERM)  # main() turns SIGTERM into Ctrl-C
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as stop:  # argparse's usage errors
                code = stop.code if isinstance(stop.code, int) else 1
    finally:
        signal.signal(signal.SIGTERM, handler)
    return Run(code, stdout.getvalue(), stderr.getvalue())


def as_process(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    """`colorgan ARGS` as its own process."""
    return subprocess.run([sys.executable, "-m", "colorgan.cli", *args], capture_output=True,
                          text=True, timeout=timeout)
