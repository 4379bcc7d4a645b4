"""Writes the top of docs/RESULTS.md: every preset of `colorgan models` (the article's
`seed` first) trained on the same data for the same wall-clock budget on this machine, scored
on ../shared/data/val with the gray baseline and the bundled model. The sections written by
hand below it are kept.

Run: python benchmarks/results.py [--minutes 8] (from the repository root)
"""

import argparse
import json
import os
import shlex
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.models import PRESETS  # noqa: E402
from machine import describe_machine  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
TRAIN_FOLDERS = ["seed-coast", "bsds500", "imagenet-sample1k", "faces-utk", "t91"]


def run(command: list[str]) -> str:
    """Run a command in the repository (its paths relative to it, as docs/RESULTS.md lists
    them for anyone to run again)."""
    print("$", shlex.join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT)
    return shlex.join(command)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=8.0, help="training budget per preset")
    parser.add_argument("--size", type=int, default=128, help="training size")
    parser.add_argument("--runs", default="runs/results", help="relative to the repository")
    args = parser.parse_args()
    train_data = [os.path.relpath(DATA / "train" / name, ROOT) for name in TRAIN_FOLDERS]
    val_data = [os.path.relpath(DATA / "val" / name, ROOT) for name in ("urban100", "sun-hays80")]
    commands = []
    for preset in PRESETS:
        out = Path(args.runs) / preset
        command = ["colorgan", "train", *train_data, "--preset", preset, "--out", str(out),
                   "--size", str(args.size), "--steps", "1000000",
                   "--max-minutes", str(args.minutes), "--sample-every", "100"]
        # A run already there is reused (delete it to retrain); its command is listed anyway.
        commands.append(shlex.join(command) if (ROOT / out / "checkpoint.pt").exists()
                        else run(command))
    evaluation = Path(args.runs) / "evaluation"
    models = [str(Path(args.runs) / preset) for preset in PRESETS] + ["bundled"]
    commands.append(run(["colorgan", "evaluate", *val_data,
                         *[argument for model in models for argument in ("--model", model)],
                         "--out", str(evaluation), "--grid-photos", "6"]))
    report = json.loads((ROOT / evaluation / "evaluation.json").read_text())
    write_results(report, commands, args, evaluation)


# (key, label, higher is better)
METRICS = [("psnr", "PSNR", True), ("ssim", "SSIM", True), ("colorfulness_gap",
           "closeness to the originals' colorfulness", False), ("ciede2000", "CIEDE2000", False),
           ("auc", "AuC", True)]


def write_results(report: dict, commands: list[str], args: argparse.Namespace,
                  evaluation: Path) -> None:
    from PIL import Image

    from colorgan.inference.imageio import save_image

    grid = ROOT / "docs" / "results" / "comparison.jpg"
    save_image(Image.open(ROOT / evaluation / "comparison.png"), grid, quality=85)
    names = {str(Path(args.runs) / preset): preset for preset in PRESETS}
    lines = ["# Results", "",
             f"Written by `python benchmarks/results.py --minutes {args.minutes:g}` on "
             f"{describe_machine()}.", "",
             f"Each preset was trained for {args.minutes:g} minutes of wall time at "
             f"{args.size} px on the same data ({', '.join(TRAIN_FOLDERS)} from "
             "../shared/data/train), then scored on ../shared/data/val (urban100 and sun-hays80) "
             "at a 256 px working size. `bundled` is the shipped default model (see "
             "MODEL_CARD.md), trained much longer, for reference.", "",
             "| model | PSNR | SSIM | colorfulness | abs(CF - truth) | CIEDE2000 | AuC |",
             "|---|---|---|---|---|---|---|"]
    for name, scores in report["models"].items():
        lines.append(f"| {names.get(name, name)} | {scores['psnr']:.2f} | {scores['ssim']:.3f} | "
                     f"{scores['colorfulness']:.1f} | {scores['colorfulness_gap']:.1f} | "
                     f"{scores['ciede2000']:.2f} | {scores['auc']:.3f} |")
    seed, unet = (report["models"][str(Path(args.runs) / name)] for name in ("seed", "unet"))
    better = [label for key, label, higher in METRICS
              if (seed[key] > unet[key]) == higher and seed[key] != unet[key]]
    lines += ["", "Where the article's seed model does better than unet: "
              + (", ".join(better) if better else "nowhere in these measures") + "."]
    lines += ["", f"{report['photos']} photos; mean colorfulness of the originals "
              f"{report['truth_colorfulness']:.1f}.", "",
              f"Comparison grid (gray | {' | '.join(PRESETS)} | bundled | original):", "",
              "![comparison](results/comparison.jpg)", "", "Commands:", "", "```",
              *commands, "```", ""]
    results = ROOT / "docs" / "RESULTS.md"
    results.write_text("\n".join(lines) + kept_sections(results))
    print("wrote docs/RESULTS.md")


def kept_sections(results: Path) -> str:
    """The sections written by hand below the generated part (from the first `## ` heading
    on), so that regenerating the table does not erase them."""
    text = results.read_text() if results.is_file() else ""
    start = text.find("\n## ")
    return "" if start < 0 else text[start:]


if __name__ == "__main__":
    main()
