"""How far does one hint reach? A person's click is a color the model did not guess, so this
gives each photo one red hint (#c0392b) at a seeded random point of its middle and measures
how much the colors change near it and far from it, in 8-bit levels. Also two hard cases: a
featureless image (a gray shape on a plain ground) and a blue hint on the astronaut's hair,
whose suit should keep its color.

Run: python benchmarks/probes/hint_reach.py [--model PATH ...] [--limit N]
"""

import argparse

import numpy as np
from PIL import Image
from skimage import data
from val_scores import VAL

from colorgan.evaluation.photos import scan_images
from colorgan.inference.colorize import Colorizer
from colorgan.inference.hints import Hint
from colorgan.inference.imageio import open_image

RED, BLUE = "#c0392b", "#2e86c1"
NEAR, FAR = 0.05, 0.35  # distances from the hint, as shares of the photo's long side


def change(colorizer: Colorizer, photo: Image.Image, hints: list[Hint]) -> np.ndarray:
    """Mean absolute change per pixel (H, W), in 8-bit levels, that the hints make."""
    automatic = np.asarray(colorizer.colorize(photo), dtype=float)
    hinted = np.asarray(colorizer.colorize(photo, hints=hints), dtype=float)
    return np.abs(hinted - automatic).mean(axis=2)


def near_and_far(colorizer: Colorizer, limit: int) -> tuple[float, float, float]:
    """Mean change near the hint, far from it, and the largest photo's far change."""
    paths = scan_images(VAL, warn=False).kept
    rng = np.random.default_rng(0)
    near, far = [], []
    for path in paths[:: max(1, len(paths) // limit)][:limit]:
        photo = open_image(path).convert("L")
        x, y = (int(rng.uniform(0.3, 0.7) * side) for side in photo.size)
        changed = change(colorizer, photo, [Hint(x=x, y=y, color=RED)])
        rows, columns = np.mgrid[: photo.height, : photo.width]
        distance = np.hypot(columns - x, rows - y) / max(photo.size)
        near.append(changed[distance < NEAR].mean())
        far.append(changed[distance > FAR].mean())
    return float(np.mean(near)), float(np.mean(far)), float(np.max(far))


def featureless_ground_change(colorizer: Colorizer) -> float:
    """A red hint on a dark shape: how much its plain ground, 40+ px away, changes."""
    pixels = np.tile(np.linspace(170, 215, 320)[None, :], (220, 1))
    pixels[50:170, 90:170] = 95
    pixels += np.random.default_rng(0).normal(0, 3, pixels.shape)
    photo = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "L")
    return float(change(colorizer, photo, [Hint(x=130, y=110, color=RED)])[:, :50].mean())


def suit_change(colorizer: Colorizer) -> tuple[float, float]:
    """A blue hint on the astronaut's hair: the suit's change, alone and with a gray hint on
    the sleeve that asks the suit to stay gray."""
    photo = Image.fromarray(data.astronaut()).convert("L").resize((320, 320))
    suit = (slice(200, 300), slice(20, 120))
    hair = Hint(x=160, y=35, color=BLUE)
    alone = change(colorizer, photo, [hair])[suit].mean()
    held = change(colorizer, photo, [hair, Hint(x=60, y=230, color="#808080")])[suit].mean()
    return float(alone), float(held)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", action="append", help="a hint model (repeatable; "
                                                         "default: the bundled model)")
    parser.add_argument("--limit", type=int, default=28, help="validation photos")
    args = parser.parse_args()
    print(f"one red hint on {args.limit} val photos at each model's default vividness; "
          f"mean change in 8-bit levels\n")
    print(f"| model | within {NEAR:.0%} of it | farther than {FAR:.0%} | farther, worst photo "
          f"| featureless ground | suit, blue hint on hair | the same, gray hint on sleeve |")
    print("|---|---|---|---|---|---|---|")
    for model in args.model or [None]:
        colorizer = Colorizer.load(model)
        near, far, worst = near_and_far(colorizer, args.limit)
        alone, held = suit_change(colorizer)
        print(f"| {model or 'bundled'} | {near:.1f} | {far:.2f} | {worst:.2f} | "
              f"{featureless_ground_change(colorizer):.1f} | {alone:.1f} | {held:.1f} |")


if __name__ == "__main__":
    main()
