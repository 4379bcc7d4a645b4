"""Start `colorgan serve` on a free loopback port for a test or a benchmark, and stop it after."""

import contextlib
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_server(*options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """(base URL, process) of a server that answers /api/health."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "colorgan.cli", "serve", "--port",
                                str(port), *options], stdout=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/health", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the server did not start") from None
                time.sleep(0.2)
        yield url, process
    finally:
        process.terminate()
        # Generous: on a loaded machine a clean shutdown took over 10 s (seen with a
        # training run and a second test suite beside this one).
        process.wait(timeout=60)
