"""Write the web page's example photos (src/colorgan/server/static/examples/): grayscale
copies of the demo's public-domain photos that ship inside scikit-image, small enough for a
visitor to try with one click. Run again only to change them:
    python tools/page_examples.py
"""

from pathlib import Path

from PIL import Image
from skimage import data

from colorgan.inference.demo import DEMO_PHOTOS

FOLDER = Path(__file__).parent.parent / "src/colorgan/server/static/examples"
LONGEST_SIDE = 640


def main() -> None:
    FOLDER.mkdir(exist_ok=True)
    for name in DEMO_PHOTOS:
        photo = Image.fromarray(getattr(data, name)()).convert("L")
        photo.thumbnail((LONGEST_SIDE, LONGEST_SIDE), Image.Resampling.LANCZOS)
        photo.save(FOLDER / f"{name}.jpg", quality=90, optimize=True)
        print(FOLDER / f"{name}.jpg", photo.size)


if __name__ == "__main__":
    main()
