"""End-to-end colorize speed and memory for 0.25-24 MP photos, model FLOP/s, folder throughput.

Each photo size runs in a fresh process so that its peak memory is its own.
Run: python benchmarks/colorize_speed.py [--model PATH] [--size 256]
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.inference.colorize import Colorizer, bundled_weights_path, read_model  # noqa: E402
from colorgan.inference.imageio import open_image, save_image  # noqa: E402
from colorgan.models.flops import count_flops  # noqa: E402
from colorgan.models.registry import trained_generator  # noqa: E402
from machine import best_time, describe_machine, describe_matmul, matmul_rates  # noqa: E402

MEGAPIXELS = (0.25, 1, 12, 24)


def gray_photo(megapixels: float, folder: Path) -> Path:
    """A gray JPEG of about that many pixels (a 4:3 crop of a real photo, upscaled)."""
    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(width * 3 / 4)
    image = Image.fromarray(data.astronaut()).convert("L").resize((width, height),
                                                                   Image.Resampling.BICUBIC)
    path = folder / f"gray_{megapixels}mp.jpg"
    image.save(path, quality=90)
    return path


def one_photo(path: str, model: str | None, size: int, backend: str) -> None:
    """Child process: time decode -> colorize -> encode, print JSON with the peak memory."""
    colorizer = Colorizer.load(model, "cpu", backend)
    out = Path(path).with_suffix(".out.jpg")
    timings = {}

    def run() -> None:
        started = time.perf_counter()
        image = open_image(path)
        decoded = time.perf_counter()
        colored = colorizer.colorize(image, size)
        colorized = time.perf_counter()
        save_image(colored, out, quality=92)
        timings.update(decode=decoded - started, colorize=colorized - decoded,
                       encode=time.perf_counter() - colorized)

    total = best_time(run, repeats=2)
    png_seconds = best_time(lambda: save_image(colorizer.colorize(open_image(path), size),
                                               out.with_suffix(".png")), repeats=2)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"total": total, **timings, "png_total": png_seconds, "peak_bytes": peak}))


def eager_generator(model: str | None) -> torch.nn.Module:
    """The generator as training leaves it (batch norms apart, contiguous tensors): what
    PyTorch eager runs before colorgan's inference changes."""
    return trained_generator(*read_model(Path(model) if model else bundled_weights_path()))


def forward_seconds(colorizers: dict[str, Colorizer], eager: torch.nn.Module, size: int,
                    batch: int, cycles: int = 4, calls: int = 5) -> dict[str, float]:
    """Seconds of one forward pass of `batch` images at the working size, for PyTorch eager
    and each backend: the best call of `calls` in a row, each backend's rows taken in turn
    for `cycles` rounds so that the machine's drift falls on all of them alike. Calls run in
    rows, not alternating one by one: after each call PyTorch's OpenMP threads spin for a
    while, and an ONNX Runtime call started in that time shares the cores with them."""
    luminance = torch.rand(batch, 1, size, size) * 2 - 1
    runs = {"eager": lambda: eager(luminance)}
    runs.update({name: (lambda model=model: model.predict_chroma(luminance))
                 for name, model in colorizers.items()})
    best = dict.fromkeys(runs, float("inf"))
    with torch.inference_mode():
        for _ in range(cycles):
            for name, run in runs.items():
                run()  # warm-up: the first call after another backend's row
                for _ in range(calls):
                    started = time.perf_counter()
                    run()
                    best[name] = min(best[name], time.perf_counter() - started)
    return best


def startup_seconds(*arguments: str) -> float:
    """Wall time of a fresh `colorgan ...` process, best of three."""
    command = [sys.executable, "-m", "colorgan.cli", *arguments]
    return best_time(lambda: subprocess.run(command, capture_output=True, check=True), 3)


def pack_seconds() -> float:
    """Wall time of a fresh `colorgan pack` of one small photo: a command that needs no
    PyTorch, so it should start as fast as --help."""
    with tempfile.TemporaryDirectory() as folder:
        photos = Path(folder, "photos")
        photos.mkdir()
        Image.new("RGB", (96, 64), (200, 80, 40)).save(photos / "one.png")
        return startup_seconds("pack", str(photos), "--out", str(Path(folder, "packed")))


def folder_throughput(colorizer: Colorizer, size: int, count: int = 32) -> float:
    """Photos per second for a batch of 256x256 gray photos (the model batches them)."""
    photos = [Image.fromarray(np.asarray(data.astronaut())[i * 8:i * 8 + 256, :256]).convert("L")
              for i in range(count)]
    return count / best_time(lambda: colorizer.colorize_batch(photos, size, batch_size=8),
                             repeats=2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model to load (default: bundled)")
    parser.add_argument("--size", type=int, default=256, help="working size")
    parser.add_argument("--backend", default="auto", choices=("auto", "torch", "onnx"),
                        help="what runs the model in the end-to-end table")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        one_photo(args.child, args.model, args.size, args.backend)
        return
    rates = matmul_rates()
    matmul = max(rates.values())
    backends = {name: Colorizer.load(args.model, "cpu", name) for name in ("torch", "onnx")}
    colorizer = Colorizer.load(args.model, "cpu", args.backend)
    print(f"machine: {describe_machine()}; model: {colorizer.config['preset']}; "
          f"working size {args.size}; end to end with the {colorizer.backend} backend")
    print(describe_matmul(rates))
    luminance = torch.zeros(1, 1, args.size, args.size)
    with torch.inference_mode():
        flops = count_flops(backends["torch"].generator, luminance)
    eager = eager_generator(args.model)
    names = {"eager": "PyTorch eager, the trained model as is",
             "torch": "the torch backend (batch norms folded, channels-last)",
             "onnx": "the onnx backend (ONNX Runtime)"}
    for batch in (1, 8):
        seconds = forward_seconds(backends, eager, args.size, batch)
        print(f"model forward, batch {batch} at {args.size}x{args.size} "
              f"({flops / 1e9:.2f} GFLOP an image):")
        for name, value in seconds.items():
            print(f"  {names[name]}: {value * 1000:.0f} ms "
                  f"({batch * flops / value / matmul:.0%} of matmul)")
        print(f"  ONNX Runtime {seconds['eager'] / seconds['onnx']:.2f}x as fast as PyTorch "
              f"eager, {seconds['torch'] / seconds['onnx']:.2f}x as fast as the torch backend")
    print(f"folder of 256x256 photos, batches of 8: "
          f"{folder_throughput(colorizer, args.size):.1f} photos/s")
    print(f"startup: `colorgan --help` {startup_seconds('--help'):.2f} s, "
          f"`colorgan colorize --help` {startup_seconds('colorize', '--help'):.2f} s, "
          f"`colorgan pack` of one photo {pack_seconds():.2f} s\n")
    print("| photo | end to end (JPEG in/out) | decode | colorize | encode | with PNG output | "
          "peak memory |")
    print("|---|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as folder:
        for megapixels in MEGAPIXELS:
            path = gray_photo(megapixels, Path(folder))
            command = [sys.executable, __file__, "--child", str(path), "--size", str(args.size),
                       "--backend", args.backend]
            if args.model:
                command += ["--model", args.model]
            result = json.loads(subprocess.run(command, capture_output=True, text=True,
                                               check=True).stdout)
            print(f"| {megapixels} MP | {result['total']:.2f} s | {result['decode']:.2f} s | "
                  f"{result['colorize']:.2f} s | {result['encode']:.2f} s | "
                  f"{result['png_total']:.2f} s | {result['peak_bytes'] / 2**30:.2f} GiB |",
                  flush=True)


if __name__ == "__main__":
    main()
