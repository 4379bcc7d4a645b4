"""Load test of `colorgan serve` on loopback: requests/s, latency, errors, server peak memory.

Sends CONCURRENCY requests at a time, REQUESTS in all, and stops after --max-seconds anyway.
Run: python benchmarks/server_load.py [--concurrency 4] [--requests 40] [--side 1024]
"""

import argparse
import io
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.servers import running_server  # noqa: E402

from machine import describe_machine  # noqa: E402


def peak_memory_bytes(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--side", type=int, default=1024, help="photo side in pixels")
    parser.add_argument("--max-seconds", type=float, default=120)
    args = parser.parse_args()
    photo = io.BytesIO()
    Image.fromarray(data.astronaut()).convert("L").resize((args.side, args.side)).save(photo, "PNG")
    body = photo.getvalue()
    with running_server("--device", "cpu") as (url, server):
        deadline = time.monotonic() + args.max_seconds
        latencies, codes = [], []

        def one(_: int) -> None:
            if time.monotonic() > deadline:
                return
            started = time.perf_counter()
            answer = httpx.post(f"{url}/api/colorize", files={"file": ("p.png", body)},
                                timeout=args.max_seconds)
            latencies.append(time.perf_counter() - started)
            codes.append(answer.status_code)

        started = time.perf_counter()
        with ThreadPoolExecutor(args.concurrency) as pool:
            list(pool.map(one, range(args.requests)))
        elapsed = time.perf_counter() - started
        peak = peak_memory_bytes(server.pid)
    ok = [lat for lat, code in zip(latencies, codes, strict=True) if code == 200]
    print(f"machine: {describe_machine()}; {args.side}x{args.side} gray PNG, "
          f"{args.concurrency} concurrent, {len(codes)} requests, server defaults "
          "(1 worker, queue 4)")
    print("| requests/s (200s) | p50 | p95 | 200 | 503 (busy) | other errors | "
          "server peak memory |")
    print("|---|---|---|---|---|---|---|")
    print(f"| {len(ok) / elapsed:.2f} | {np.percentile(ok, 50):.2f} s | "
          f"{np.percentile(ok, 95):.2f} s | {len(ok)} | {codes.count(503)} | "
          f"{len(codes) - len(ok) - codes.count(503)} | {peak / 2**30:.2f} GiB |")


if __name__ == "__main__":
    main()
