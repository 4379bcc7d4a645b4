"""Scoring several colorizers on ../shared/data/val, shared by the sweep benchmarks."""

import argparse
import json
from pathlib import Path

from colorgan.evaluation.evaluate import evaluate, format_table
from colorgan.evaluation.judge import Judge
from colorgan.inference.colorize import DEFAULT_WORKING_SIZE, Colorizer

ROOT = Path(__file__).resolve().parents[2]  # the repository
VAL = [str(ROOT.parent / "shared" / "data" / "val" / name) for name in ("urban100", "sun-hays80")]


def add_scoring_options(parser: argparse.ArgumentParser) -> None:
    """--compare, --limit, --size, --json, --grid and --no-judge."""
    parser.add_argument("--compare", nargs="*", default=[], help="other models to score beside")
    parser.add_argument("--limit", type=int, help="score only the first N photos")
    parser.add_argument("--size", type=int, default=DEFAULT_WORKING_SIZE, help="working size")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--grid", type=Path, help="write a comparison grid here")
    parser.add_argument("--no-judge", dest="judge", action="store_false",
                        help="leave out the ImageNet classifier's measures (docs/MEASURES.md)")


def score_and_print(models: dict[str, Colorizer], args: argparse.Namespace, title: str) -> None:
    """Score the models and those of --compare on the val photos; print a Markdown table."""
    models = {**models, **{Path(path).name: Colorizer.load(path) for path in args.compare}}
    evaluation = evaluate(VAL, models, args.size, limit=args.limit, grid_path=args.grid,
                          judge=Judge() if args.judge else None)
    print(f"{title} on {len(evaluation.truth_colorfulness)} val photos, "
          f"{args.size} px working size")
    print(format_table(evaluation))
    if args.json:
        args.json.write_text(json.dumps(evaluation.to_json(), indent=2) + "\n")
