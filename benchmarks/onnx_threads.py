"""ONNX Runtime's thread spinning: the bundled model's batch-1 forward (calls in a row),
and a PyTorch operation right after the last of them, with ONNX Runtime's threads sleeping,
spinning until the call returns, or spinning on after it. colorgan's backend uses the
middle one (colorgan.inference.onnx_model).

Run: python benchmarks/onnx_threads.py [--rounds 40]
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import onnxruntime
import torch

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.inference.colorize import bundled_weights_path, onnx_form  # noqa: E402
from colorgan.inference.onnx_model import automatic_form  # noqa: E402
from machine import describe_machine  # noqa: E402

SETTINGS = {  # (session.intra_op.allow_spinning, session.force_spinning_stop)
    "threads sleep between operators": ("0", "0"),
    "threads spin until the call returns": ("1", "1"),
    "threads spin on after the call": ("1", "0"),
}


def session(spinning: str, stop: str) -> onnxruntime.InferenceSession:
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = torch.get_num_threads()
    options.add_session_config_entry("session.intra_op.allow_spinning", spinning)
    options.add_session_config_entry("session.force_spinning_stop", stop)
    graph = automatic_form(onnx_form(bundled_weights_path()))
    return onnxruntime.InferenceSession(str(graph), options, providers=["CPUExecutionProvider"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    feed = {"luminance": np.random.default_rng(0).uniform(
        -1, 1, (1, 1, args.size, args.size)).astype(np.float32)}
    image = torch.rand(3, 1500, 1500)  # a full-size color conversion's kind of work
    sessions = {name: session(*values) for name, values in SETTINGS.items()}
    forward = {name: [] for name in sessions}
    after = {name: [] for name in sessions}
    for _ in range(args.rounds):  # the settings in turn, each a row of calls
        for name, each in sessions.items():
            each.run(None, feed)  # warm-up, after the previous row's PyTorch operation
            for _ in range(3):
                started = time.perf_counter()
                each.run(None, feed)
                forward[name].append(time.perf_counter() - started)
            returned = time.perf_counter()
            image.pow(2.4).clamp(0, 1)
            after[name].append(time.perf_counter() - returned)
    print(f"machine: {describe_machine()}; onnxruntime {onnxruntime.__version__}; bundled "
          f"model, batch 1 at {args.size}x{args.size}; {args.rounds} rounds\n")
    print("| ONNX Runtime's threads | forward, best | forward, median | "
          "PyTorch operation after it, median |")
    print("|---|---|---|---|")
    for name in sessions:
        print(f"| {name} | {min(forward[name]) * 1000:.1f} ms | "
              f"{statistics.median(forward[name]) * 1000:.1f} ms | "
              f"{statistics.median(after[name]) * 1000:.1f} ms |")


if __name__ == "__main__":
    main()
