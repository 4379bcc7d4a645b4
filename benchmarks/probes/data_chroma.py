"""How colorful each data folder is: the spread of its photos' mean Lab chroma (on the same
64 px thumbnails the chroma check reads), and its mean a (green-red) and b (blue-yellow),
whose sign says a folder's color cast. Helps choose a training mix that looks like the
photos the model will meet.

Run: python benchmarks/probes/data_chroma.py [FOLDER ...] (default: every folder of ../shared/data)
"""

import argparse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from colorgan.color import chroma_strength, rgb_to_lab
from colorgan.evaluation.photos import thumbnail
from colorgan.inference.imageio import find_images

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
PERCENTILES = (10, 25, 50, 75, 90)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path,
                        default=sorted(DATA.glob("train/*")) + sorted(DATA.glob("val/*")))
    args = parser.parse_args()
    print("| folder | photos | " + " | ".join(f"chroma p{p}" for p in PERCENTILES)
          + " | mean a | mean b |")
    print("|---|---|" + "---|" * (len(PERCENTILES) + 2))
    for folder in args.folders:
        paths = find_images([folder])
        with ThreadPoolExecutor() as pool:
            photos = list(pool.map(thumbnail, paths))
        chroma = [float(chroma_strength(rgb)) for rgb in photos]
        mean_a, mean_b = np.mean([rgb_to_lab(rgb)[1:].mean(dim=(1, 2)).numpy() for rgb in photos],
                                 axis=0)
        values = np.percentile(chroma, PERCENTILES)
        print(f"| {folder.parent.name}/{folder.name} | {len(paths)} | "
              + " | ".join(f"{v:.1f}" for v in values) + f" | {mean_a:+.1f} | {mean_b:+.1f} |")


if __name__ == "__main__":
    main()
