"""Look at the colors: photos whose right colors anyone knows (a flag, an orange suit, a
coffee cup, a cat, a blue sky, a red motorcycle, grass) and a real black-and-white photo,
decolorized and colored by each model: gray | model ... | original, one photo a row.

scikit-image's sample photos (public domain or CC0) and, with --val, a few validation scenes
(research terms: docs/results/README.md).

Run: python benchmarks/probes/look_grid.py bundled runs/x/best.safetensors \
         [--decoding 0.5:0.5] [--out docs/results/look.jpg]
"""

import argparse
from pathlib import Path

import numpy as np
from PIL import Image
from skimage import data
from val_scores import VAL

from colorgan.evaluation.evaluate import comparison_grid, decolorized
from colorgan.inference.colorize import Colorizer, read_model
from colorgan.inference.imageio import load_rgb, save_image
from colorgan.models.chroma_bins import set_decoding

SAMPLES = {"astronaut": data.astronaut, "coffee": data.coffee, "chelsea": data.chelsea,
           "rocket": data.rocket, "motorcycle": lambda: data.stereo_motorcycle()[0],
           "camera": data.camera}
SCENES = ("pasture", "beach", "field_wild", "street")


def load(spec: str) -> tuple[str, Colorizer]:
    """NAME or NAME@TEMPERATURE:REBALANCE for a binned model's decoding; 'bundled'."""
    path, _, decoding = spec.partition("@")
    if path == "bundled":
        return "bundled", Colorizer.load(backend="torch")
    weights, config = read_model(Path(path))
    if decoding:
        temperature, rebalance = map(float, decoding.split(":"))
        set_decoding(weights, temperature, rebalance)
    return f"{Path(path).stem}{'@' + decoding if decoding else ''}", \
        Colorizer.from_weights(weights, config, "cpu")


def photos(with_scenes: bool) -> list[Image.Image]:
    chosen = [Image.fromarray(make()).convert("RGB") for make in SAMPLES.values()]
    if with_scenes:
        folder = Path(VAL[1])
        chosen += [load_rgb(next(folder.glob(f"{scene}_sun_*.jpg"))) for scene in SCENES]
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="'bundled', or a model, optionally "
                                                  "MODEL@TEMPERATURE:REBALANCE")
    parser.add_argument("--val", action="store_true", help="also four validation scenes")
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--out", type=Path, default=Path("look.jpg"))
    args = parser.parse_args()
    models = [load(spec) for spec in args.models]
    rows = []
    for photo in photos(args.val):
        gray = decolorized(photo) if np.asarray(photo).std(axis=2).mean() > 1 else photo
        rows.append([gray, *[model.colorize(gray, args.size) for _, model in models], photo])
    save_image(comparison_grid(rows), args.out)
    print(f"wrote {args.out}: gray | {' | '.join(name for name, _ in models)} | original")


if __name__ == "__main__":
    main()
