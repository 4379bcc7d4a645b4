"""Writes docs/results/old_photos.jpg: real black-and-white and artificially aged photos, colored.

Rows: scikit-image's `camera` (a real black-and-white photograph), then astronaut, coffee and
chelsea decolorized and aged with grain, blur, fading, JPEG artifacts and scratches. Columns:
input | bundled model. Grain and scratches must not turn into colored noise.
Run: python benchmarks/old_photos.py [--model PATH]
"""

import argparse
from pathlib import Path

from PIL import Image
from skimage import data

from colorgan.colorize import Colorizer
from colorgan.evaluate import aged_pair, comparison_grid, decolorized
from colorgan.imageio import save_image

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model to use (default: bundled)")
    args = parser.parse_args()
    colorizer = Colorizer.load(args.model, "cpu")
    inputs = [decolorized(Image.fromarray(data.camera()).convert("RGB"))]
    inputs += [aged_pair(Image.fromarray(getattr(data, name)()), seed)[0]
               for seed, name in enumerate(("astronaut", "coffee", "chelsea"))]
    rows = [[photo, colorizer.colorize(photo)] for photo in inputs]
    path = ROOT / "docs" / "results" / "old_photos.jpg"
    save_image(comparison_grid(rows), path, quality=88)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
