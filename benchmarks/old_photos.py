"""Writes docs/results/old_photos.jpg: real black-and-white and artificially aged photos, colored.

Rows: scikit-image's `camera` (a real black-and-white photograph), then astronaut, coffee and
chelsea decolorized and aged with grain, blur, fading, JPEG artifacts and scratches. Columns:
input | bundled model. Grain and scratches must not turn into colored noise.
Run: python benchmarks/old_photos.py [--model PATH]
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data

from colorgan.color import gray_rgb, rgb_to_model
from colorgan.colorize import Colorizer
from colorgan.data import image_to_tensor
from colorgan.degrade import DEFECTS
from colorgan.evaluate import comparison_grid, decolorized
from colorgan.imageio import save_image, tensor_to_image

ROOT = Path(__file__).resolve().parent.parent


def aged(photo: Image.Image, seed: int) -> Image.Image:
    """Every old-print defect applied once, to the photo's lightness."""
    rng = np.random.default_rng(seed)
    luminance, _ = rgb_to_model(image_to_tensor(photo.convert("RGB")))
    for defect in DEFECTS:
        luminance = defect(luminance, rng).clamp(-1, 1)
    return tensor_to_image(gray_rgb(luminance))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="model to use (default: bundled)")
    args = parser.parse_args()
    colorizer = Colorizer.load(args.model, "cpu")
    inputs = [decolorized(Image.fromarray(data.camera()).convert("RGB"))]
    inputs += [aged(Image.fromarray(getattr(data, name)()), seed)
               for seed, name in enumerate(("astronaut", "coffee", "chelsea"))]
    rows = [[photo, colorizer.colorize(photo)] for photo in inputs]
    path = ROOT / "docs" / "results" / "old_photos.jpg"
    save_image(comparison_grid(rows), path, quality=88)
    print(f"wrote {path.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
