"""What color hints cost at inference: a 1 MP photo colored by the automatic model, and by the
hint model without and with hints, on each backend, timed in one run (best of several).

Run: python benchmarks/hint_speed.py --automatic runs/bundled/v3.safetensors
     [--model PATH (default: the bundled model)] [--hints 10] [--size 256]
The automatic model runs on ONNX Runtime from the .onnx file beside it (`colorgan export`).
"""

import argparse
import sys
import time
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.evaluation.known_colors import ground_truth_hints  # noqa: E402
from colorgan.inference.colorize import Colorizer, onnx_runtime_installed  # noqa: E402
from machine import describe_machine  # noqa: E402

ROUNDS = 15


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--automatic", required=True, type=Path,
                        help="the automatic model (.safetensors) to compare with")
    parser.add_argument("--model", help="the hint model (default: the bundled model)")
    parser.add_argument("--hints", type=int, default=10)
    parser.add_argument("--size", type=int, default=256)
    args = parser.parse_args()
    photo = Image.fromarray(data.astronaut()).resize((1224, 816), Image.Resampling.BICUBIC)
    gray = photo.convert("L")
    hints = ground_truth_hints(np.asarray(photo), args.hints, np.random.default_rng(0), args.size)
    backends = ["torch"] + (["onnx"] if onnx_runtime_installed() else [])
    print(describe_machine())
    print(f"1224x816 photo, {args.size} px working size, {args.hints} hints; seconds per photo "
          f"(colorize, no file I/O), best of {ROUNDS} rounds\n")
    print("| backend | automatic | hint model, no hints | hint model, hints | hints / automatic |")
    print("|---|---|---|---|---|")
    for backend in backends:
        automatic_form = args.automatic.with_suffix(".onnx") if backend == "onnx" \
            else args.automatic
        automatic = Colorizer.load(automatic_form, "cpu", backend)
        hinted = Colorizer.load(args.model, "cpu", backend)
        runs = [partial(colorizer.colorize, gray, args.size, given)
                for colorizer, given in ((automatic, ()), (hinted, ()), (hinted, hints))]
        for run in runs:  # warm-up
            run()
        # Taken in turns, so that a burst of other load on this shared machine does not
        # fall on one of them alone.
        seconds = np.min([[_seconds(run) for run in runs] for _ in range(ROUNDS)], axis=0)
        print(f"| {backend} | {seconds[0]:.3f} | {seconds[1]:.3f} | {seconds[2]:.3f} | "
              f"{seconds[2] / seconds[0]:.2f}x |")

def _seconds(run) -> float:
    started = time.perf_counter()
    run()
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
