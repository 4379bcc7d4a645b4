"""Validation curves of training runs side by side: PSNR and colorfulness against the crops
a run has seen, from the validation.csv files that `colorgan train --val` writes.

Run: python benchmarks/validation_curves.py LABEL=runs/x/validation.csv ... --out plot.png
(docs/results/shipped_run_validation.csv holds the run of the model shipped until v3,
experiments 16 and 21; its own validation.csv was not kept.)
"""

import argparse
import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read_curve(path: Path) -> list[dict[str, float]]:
    with open(path, newline="") as handle:
        return [{key: float(value) for key, value in row.items()} for row in csv.DictReader(handle)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("curves", nargs="+", metavar="LABEL=CSV")
    parser.add_argument("--batch-size", type=int, default=16, help="crops per step")
    parser.add_argument("--out", default="validation_curves.png")
    args = parser.parse_args()
    figure, (psnr_axis, color_axis) = plt.subplots(1, 2, figsize=(11, 4.2), dpi=100)
    for item in args.curves:
        label, path = item.split("=", 1)
        rows = read_curve(Path(path))
        crops = [row["step"] * args.batch_size / 1000 for row in rows]
        best = max(rows, key=lambda row: row["psnr"])
        print(f"{label}: best PSNR {best['psnr']:.2f} at step {best['step']:.0f} "
              f"({best['step'] * args.batch_size:,.0f} crops), colorfulness there "
              f"{best['colorfulness']:.1f}")
        print("  " + ", ".join(f"{row['step']:.0f}: {row['psnr']:.2f} / {row['colorfulness']:.1f}"
                               for row in rows))
        psnr_axis.plot(crops, [row["psnr"] for row in rows], marker="o", label=label)
        color_axis.plot(crops, [row["colorfulness"] for row in rows], marker="o", label=label)
    psnr_axis.axhline(22.18, color="gray", linestyle=":", label="gray photo")
    color_axis.axhline(43.3, color="gray", linestyle=":", label="originals")
    for axis, name in ((psnr_axis, "PSNR (dB)"), (color_axis, "colorfulness")):
        axis.set_xlabel("crops seen (thousands)")
        axis.set_ylabel(name)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle("validation photos (169), 256 px working size")
    figure.tight_layout()
    figure.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
