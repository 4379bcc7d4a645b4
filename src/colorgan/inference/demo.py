"""The README's main job: color grayscale versions of public-domain photos with the bundled model.

The photos ship inside scikit-image (astronaut, rocket, coffee, cat), and `camera` is a real
black-and-white photograph.
"""

import sys
from pathlib import Path

from PIL import Image
from skimage import data

from colorgan.inference.batch import collect_inputs, colorize_files
from colorgan.inference.colorize import Colorizer
from colorgan.inference.imageio import save_image
from colorgan.settings import ColorizeOptions

DEMO_PHOTOS = ("astronaut", "rocket", "coffee", "chelsea", "camera")


def write_demo_inputs(folder: Path) -> list[Path]:
    """Grayscale copies of the demo photos as PNG files."""
    paths = []
    for name in DEMO_PHOTOS:
        path = folder / f"{name}.png"
        save_image(Image.fromarray(getattr(data, name)()).convert("L"), path)
        paths.append(path)
    return paths


def main(out: str = "demo-output") -> int:
    """Write the gray inputs and their colorized versions (side by side) under `out`."""
    root = Path(out)
    write_demo_inputs(root / "gray")
    options = ColorizeOptions(out_dir=root / "colorized", overwrite=True, side_by_side=True)
    report = colorize_files(Colorizer.load(), collect_inputs([str(root / "gray")]), options)
    print(report.summary())
    print(f"colorized photos (gray | color): {options.out_dir.resolve()}")
    return 1 if report.failed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:2]))
