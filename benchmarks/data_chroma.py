"""How colorful each data folder is: the spread of its photos' mean Lab chroma (on the same
64 px thumbnails the chroma check reads). Helps choose a training mix that looks like the
photos the model will meet.

Run: python benchmarks/data_chroma.py [FOLDER ...] (default: every folder of ../shared/data)
"""

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from colorgan.color import chroma_strength
from colorgan.data import find_images, thumbnail

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
PERCENTILES = (10, 25, 50, 75, 90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        default=sorted(DATA.glob("train/*")) + sorted(DATA.glob("val/*")))
    args = parser.parse_args()
    print("| folder | photos | " + " | ".join(f"p{p}" for p in PERCENTILES) + " |")
    print("|---|---|" + "---|" * len(PERCENTILES))
    for folder in args.folders:
        paths = find_images([folder])
        with ThreadPoolExecutor() as pool:
            chroma = [float(chroma_strength(rgb)) for rgb in pool.map(thumbnail, paths)]
        values = np.percentile(chroma, PERCENTILES)
        print(f"| {folder.parent.name}/{folder.name} | {len(paths)} | "
              + " | ".join(f"{v:.1f}" for v in values) + " |")


if __name__ == "__main__":
    main()
