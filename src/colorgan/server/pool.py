"""The model workers of the server: a fixed number of threads with a queue bounded in requests
and in pixels, that drops the work of a client who has gone.

A page that recolors as its slider moves abandons a request at every step; without the drop,
each abandoned request would still be colored in turn, and the one the page waits for would
finish seconds later.
"""

import asyncio
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor

from colorgan.server.limits import ServerLimits

# How often a waiting request asks whether its client is still there.
DISCONNECT_POLL_SECONDS = 0.1


class Busy(Exception):
    """Every worker and queue slot is taken, or the work waiting is already too large."""


class Abandoned(Exception):
    """The client left before its work was done: queued work was dropped, running work's
    answer is thrown away."""


class WorkerPool:
    """A fixed number of model workers with a queue bounded in requests and in pixels: a
    queue of ten 1 MP photos is short, a queue of two 25 MP ones is not."""

    def __init__(self, limits: ServerLimits):
        self.limits = limits
        self.executor = ThreadPoolExecutor(max_workers=limits.workers,
                                           thread_name_prefix="colorize")
        self.in_flight = 0
        self.pixels_in_flight = 0

    async def run(self, pixels: int, gone: Callable[[], Awaitable[bool]], work, *args):
        """Run work(*args) on a worker; `pixels` is its size, counted against the queue;
        `gone` says whether the client has left (then Abandoned, and queued work never runs)."""
        if (self.in_flight >= self.limits.workers + self.limits.queue
                or (self.in_flight and self.pixels_in_flight + pixels > self.limits.queue_pixels)):
            raise Busy
        self.in_flight += 1
        self.pixels_in_flight += pixels
        future = self.executor.submit(work, *args)
        # The slot frees when the work really ends (or is dropped from the queue), even after
        # a timeout answered the client.
        future.add_done_callback(lambda _: self._release(pixels))
        waiting = asyncio.wrap_future(future)
        try:
            async with asyncio.timeout(self.limits.timeout_seconds):
                while True:
                    done, _ = await asyncio.wait({waiting}, timeout=DISCONNECT_POLL_SECONDS)
                    if done:
                        return waiting.result()
                    if await gone():
                        raise Abandoned
        except (Abandoned, TimeoutError):
            future.cancel()  # nobody waits for it: dropped if it is still queued
            raise

    def _release(self, pixels: int) -> None:
        self.in_flight -= 1
        self.pixels_in_flight -= pixels
