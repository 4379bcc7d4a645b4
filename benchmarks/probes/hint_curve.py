"""How much do color hints buy? Scores a hint model on ../shared/data/val with 0, 1, 2, 5, 10,
20 and 50 of each photo's true colors given as hints (seeded: the same points for every count's
prefix and every model), and draws gray | automatic | 1, 3, 10 hints | original.

Run: python benchmarks/probes/hint_curve.py [--model PATH] [--counts 0 1 2 5 10 20 50] [--limit N]
     [--json out.json] [--plot out.png] [--grid out.jpg]
"""

import argparse
import json
from pathlib import Path

import numpy as np
from val_scores import VAL

from colorgan.evaluation.evaluate import GRAY_BASELINE, comparison_grid, decolorized, evaluate
from colorgan.evaluation.known_colors import ground_truth_hints
from colorgan.evaluation.photos import scan_images
from colorgan.inference.colorize import DEFAULT_WORKING_SIZE, Colorizer
from colorgan.inference.imageio import open_image, save_image

GRID_COUNTS = (0, 1, 3, 10)


def hint_grid(colorizer: Colorizer, size: int, photos: int, path: Path) -> None:
    """gray | automatic | 1, 3, 10 hints | original for evenly spaced val photos, with the
    hints evaluate gives the same photo."""
    paths = scan_images(VAL).kept
    rows = []
    for index in np.linspace(0, len(paths) - 1, photos).round().astype(int):
        photo = open_image(paths[index]).convert("RGB")
        gray = decolorized(photo)
        known = ground_truth_hints(np.asarray(photo), max(GRID_COUNTS),
                                   np.random.default_rng(int(index)), size)
        rows.append([gray, *(colorizer.colorize(gray, size, known[:count])
                             for count in GRID_COUNTS), photo])
    save_image(comparison_grid(rows), path)


def plot(curve: dict[int, dict[str, float]], gray_psnr: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    counts = sorted(curve)
    figure, axis = pyplot.subplots(figsize=(6, 4))
    # A symmetric log axis shows 0 hints beside 1 to 50.
    axis.plot(counts, [curve[c]["psnr"] for c in counts], "o-", label="hint model")
    axis.axhline(gray_psnr, color="gray", linestyle=":", label="gray (ab = 0)")
    axis.set_xscale("symlog", linthresh=1)
    axis.set_xticks(counts, [str(c) for c in counts])
    axis.set_xlabel("true colors given as hints per photo")
    axis.set_ylabel("PSNR (dB), ../shared/data/val")
    axis.grid(alpha=0.3)
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=120)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="a hint model (default: the bundled model)")
    parser.add_argument("--counts", type=int, nargs="+", default=[0, 1, 2, 5, 10, 20, 50])
    parser.add_argument("--limit", type=int, help="score only the first N photos")
    parser.add_argument("--size", type=int, default=DEFAULT_WORKING_SIZE)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--plot", type=Path)
    parser.add_argument("--grid", type=Path)
    parser.add_argument("--grid-photos", type=int, default=6)
    args = parser.parse_args()
    colorizer = Colorizer.load(args.model)
    if not colorizer.takes_hints:
        parser.error(f"{args.model or 'the bundled model'} takes no color hints")
    curve, gray = {}, None
    for count in args.counts:
        evaluation = evaluate(VAL, {"model": colorizer}, args.size, args.limit, hints=count)
        summary = evaluation.summary()
        curve[count] = summary["model"]
        gray = summary[GRAY_BASELINE]["psnr"]
        photos = len(evaluation.truth_colorfulness)
    print(f"hints on {photos} val photos, {args.size} px working size, backend "
          f"{colorizer.backend}; gray {gray:.2f} dB")
    print("| hints | PSNR | SSIM | CF | CIEDE2000 | AuC |\n|---|---|---|---|---|---|")
    for count, means in curve.items():
        print(f"| {count} | {means['psnr']:.2f} | {means['ssim']:.3f} | "
              f"{means['colorfulness']:.1f} | {means['ciede2000']:.2f} | {means['auc']:.3f} |")
    if args.json:
        args.json.write_text(json.dumps({"photos": photos, "gray_psnr": gray, "size": args.size,
                                         "curve": curve}, indent=2) + "\n")
    if args.plot:
        plot(curve, gray, args.plot)
    if args.grid:
        hint_grid(colorizer, args.size, args.grid_photos, args.grid)


if __name__ == "__main__":
    main()
