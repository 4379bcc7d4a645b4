"""The yardstick for every benchmark: this machine's matmul FLOP/s, measured in the same run."""

import time

import torch


def matmul_flops_per_second(side: int = 2048, seconds: float = 3.0) -> float:
    """Best sustained float32 matmul rate over a few seconds, with all of torch's threads."""
    left, right = torch.randn(side, side), torch.randn(side, side)
    torch.mm(left, right)  # warm up
    best = 0.0
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        for _ in range(4):
            torch.mm(left, right)
        best = max(best, 4 * 2 * side**3 / (time.perf_counter() - started))
    return best


def best_time(run, repeats: int = 5) -> float:
    """The fastest of several runs (after one warm-up): the least disturbed by other load."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def describe_machine() -> str:
    import os
    import platform

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
            f"torch {torch.__version__}, {torch.get_num_threads()} threads")
