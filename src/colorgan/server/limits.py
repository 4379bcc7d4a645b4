"""What one server accepts and how much work it takes on: plain values, so that the command
line can show their defaults without importing the web stack."""

from dataclasses import dataclass

# A server answers strangers: its own pixel limit is far below the CLI's 100 MP, because one
# 100 MP photo costs the single worker about 15 s and 2.7 GB while everyone else waits.
SERVER_MAX_PIXELS = 25_000_000


@dataclass(frozen=True)
class ServerLimits:
    """What one server accepts and how much work it takes on at once."""

    max_upload_bytes: int = 20 * 1024 * 1024
    max_pixels: int = SERVER_MAX_PIXELS
    workers: int = 1
    queue: int = 4  # requests waiting for a worker before 503
    queue_pixels: int = 2 * SERVER_MAX_PIXELS  # pixels waiting or in work before 503
    timeout_seconds: float = 120.0
    body_timeout_seconds: float = 30.0  # a client that stops sending its request gets 408
