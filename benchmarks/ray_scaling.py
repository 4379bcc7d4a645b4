"""Photos per second of `colorize --engine ray` with 1 and 2 workers against the single-machine
path, measured in one run on this machine (a local Ray instance started once, before timing).

Each Ray job is timed whole: its actors start and load the model inside the time, as they do
for a user. Run: python benchmarks/ray_scaling.py [--photos 64] [--megapixels 0.5]
"""

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.inference.batch import collect_inputs, colorize_files  # noqa: E402
from colorgan.inference.colorize import Colorizer  # noqa: E402
from colorgan.inference.ray_job import ClusterOptions, ModelChoice, colorize_on_ray  # noqa: E402
from colorgan.settings import ColorizeOptions  # noqa: E402
from machine import describe_machine  # noqa: E402


def write_photos(folder: Path, count: int, megapixels: float) -> None:
    """Gray JPEGs cut from a public-domain photo at different offsets, all of one size."""
    width = round((megapixels * 1e6 * 4 / 3) ** 0.5)
    height = round(width * 3 / 4)
    base = Image.fromarray(data.astronaut()).convert("L").resize((width + count, height))
    for index in range(count):
        base.crop((index, 0, index + width, height)).save(folder / f"photo{index:04d}.jpg",
                                                          quality=90)


def timed(run) -> float:
    started = time.perf_counter()
    report = run()
    assert not report.failed, report.failed[:3]
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--photos", type=int, default=64)
    parser.add_argument("--megapixels", type=float, default=0.5)
    parser.add_argument("--size", type=int, default=256, help="working size")
    args = parser.parse_args()
    import ray

    ray.init(logging_level="warning", log_to_driver=False)
    cpus = int(ray.cluster_resources()["CPU"])
    with tempfile.TemporaryDirectory() as folder:
        inputs = Path(folder) / "in"
        inputs.mkdir()
        write_photos(inputs, args.photos, args.megapixels)
        sources = collect_inputs([str(inputs)])

        def options(name: str) -> ColorizeOptions:
            out = Path(folder) / name
            shutil.rmtree(out, ignore_errors=True)
            return ColorizeOptions(out_dir=out, size=args.size)

        colorizer = Colorizer.load(device="cpu")
        print(f"machine: {describe_machine()}; Ray sees {cpus} CPUs; {args.photos} gray "
              f"photos of {args.megapixels} MP, working size {args.size}, backend "
              f"{colorizer.backend}\n")
        local = timed(lambda: colorize_files(colorizer, sources, options("local")))
        rows = [("single machine (model loaded before timing)", local)]
        for workers in (1, 2):
            cluster = ClusterOptions(workers=workers, cpus_per_worker=cpus / workers)
            seconds = timed(lambda cluster=cluster, workers=workers: colorize_on_ray(
                sources, options(f"ray{workers}"), cluster, ModelChoice(device="cpu")))
            rows.append((f"Ray, {workers} worker(s) x {cpus // workers} CPU(s), "
                         "actors started in the time", seconds))
        print("| engine | seconds | photos/s | against single machine |")
        print("|---|---|---|---|")
        for name, seconds in rows:
            print(f"| {name} | {seconds:.1f} | {args.photos / seconds:.2f} | "
                  f"{local / seconds:.2f}x |")


if __name__ == "__main__":
    main()
