"""Writes docs/results/old_photos.jpg: real black-and-white and artificially aged photos, colored.

Rows: scikit-image's `camera` (a real black-and-white photograph), then astronaut, coffee and
chelsea decolorized and aged with grain, blur, fading, JPEG artifacts and scratches. Columns:
input | each model (the bundled one by default). Grain and scratches must not turn into
colored noise.
Run: python benchmarks/probes/old_photos.py [--model PATH ...] [--out docs/results/old_photos.jpg]
"""

import argparse
from pathlib import Path

from PIL import Image
from skimage import data

from colorgan.evaluation.evaluate import aged_pair, comparison_grid, decolorized
from colorgan.inference.colorize import Colorizer
from colorgan.inference.imageio import save_image

ROOT = Path(__file__).resolve().parents[2]  # the repository


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append",
                        help="model to use, repeat for a column each (default: bundled)")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "results" / "old_photos.jpg")
    args = parser.parse_args()
    colorizers = [Colorizer.load(model, "cpu") for model in args.model or [None]]
    inputs = [decolorized(Image.fromarray(data.camera()).convert("RGB"))]
    inputs += [aged_pair(Image.fromarray(getattr(data, name)()), seed)[0]
               for seed, name in enumerate(("astronaut", "coffee", "chelsea"))]
    rows = [[photo, *(colorizer.colorize(photo) for colorizer in colorizers)]
            for photo in inputs]
    save_image(comparison_grid(rows), args.out, quality=88)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
