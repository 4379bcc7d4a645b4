"""Validation curves of training runs side by side: PSNR and colorfulness against the crops
a run has seen, from the validation.csv files that `colorgan train --val` writes.

Run: python benchmarks/probes/validation_curves.py LABEL=runs/x/validation.csv ... --out plot.png
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


# Each measure's axis label and the reference line drawn across it (the gray photos', or the
# originals' colorfulness), on the 169 validation photos (docs/MODEL_CARD.md).
MEASURES = {"psnr": ("PSNR (dB)", 22.18, "gray photo"),
            "colorfulness": ("colorfulness", 43.3, "originals"),
            "kl": ("classifier KL from the original", 0.323, "gray photo"),
            "top1": ("classifier top-1 agreement", 0.568, "gray photo"),
            "auc_rebalanced": ("class-rebalanced AuC", 0.609, "gray photo"),
            "hue_distance": ("hue EMD (degrees)", None, None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("curves", nargs="+", metavar="LABEL=CSV")
    parser.add_argument("--batch-size", type=int, default=16, help="crops per step")
    parser.add_argument("--measures", nargs="+", choices=list(MEASURES),
                        default=["psnr", "colorfulness"], help="one panel each")
    parser.add_argument("--out", default="validation_curves.png")
    args = parser.parse_args()
    figure, axes = plt.subplots(1, len(args.measures), figsize=(5.5 * len(args.measures), 4.2),
                                dpi=100, squeeze=False)
    for item in args.curves:
        label, path = item.split("=", 1)
        rows = read_curve(Path(path))
        crops = [row["step"] * args.batch_size / 1000 for row in rows]
        best = max(rows, key=lambda row: row["psnr"])
        print(f"{label}: best PSNR {best['psnr']:.2f} at step {best['step']:.0f} "
              f"({best['step'] * args.batch_size:,.0f} crops), colorfulness there "
              f"{best['colorfulness']:.1f}")
        for row in rows:
            print(f"  {row['step']:.0f}: " + ", ".join(
                f"{name} {row[name]:.3f}" for name in args.measures if name in row))
        for axis, name in zip(axes[0], args.measures, strict=True):
            points = [(crop, row[name]) for crop, row in zip(crops, rows, strict=True)
                      if name in row]
            if points:
                axis.plot(*zip(*points, strict=True), marker="o", label=label)
    for axis, name in zip(axes[0], args.measures, strict=True):
        title, reference, reference_label = MEASURES[name]
        if reference is not None:
            axis.axhline(reference, color="gray", linestyle=":", label=reference_label)
        axis.set_xlabel("crops seen (thousands)")
        axis.set_ylabel(title)
        axis.grid(alpha=0.3)
        axis.legend()
    figure.suptitle("validation photos (169), 256 px working size")
    figure.tight_layout()
    figure.savefig(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
