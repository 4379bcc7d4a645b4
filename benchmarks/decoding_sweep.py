"""Chooses how a binned model decodes chroma: scores it on ../shared/data/val at several
(temperature, rebalance) settings, beside other models. Lower temperature and higher
rebalance are more vivid; temperature 1 with rebalance 0 is the model's plain mean.

Run: python benchmarks/decoding_sweep.py runs/bins-finetune --decodings 1:0 0.6:0.5 0.38:1
     [--compare OTHER.safetensors] [--size 256] [--json out.json] [--grid out.jpg]
"""

import argparse
import json
from pathlib import Path

from colorgan.colorize import DEFAULT_WORKING_SIZE, Colorizer, read_model
from colorgan.evaluate import evaluate, format_table
from colorgan.models.chroma_bins import set_decoding

ROOT = Path(__file__).resolve().parent.parent
VAL = [str(ROOT.parent / "shared" / "data" / "val" / name) for name in ("urban100", "sun-hays80")]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a binned model: run folder, checkpoint or .safetensors")
    parser.add_argument("--decodings", nargs="+", default=["1:0", "0.6:0.5", "0.38:1"],
                        help="TEMPERATURE:REBALANCE pairs")
    parser.add_argument("--compare", nargs="*", default=[], help="other models to score beside")
    parser.add_argument("--limit", type=int, help="score only the first N photos")
    parser.add_argument("--size", type=int, default=DEFAULT_WORKING_SIZE, help="working size")
    parser.add_argument("--json", type=Path, help="write the scores here")
    parser.add_argument("--grid", type=Path, help="write a comparison grid here")
    args = parser.parse_args()
    weights, config = read_model(Path(args.model))
    models = {}
    for decoding in args.decodings:
        temperature, rebalance = map(float, decoding.split(":"))
        set_decoding(weights, temperature, rebalance)
        models[f"T {temperature:g}, rebalance {rebalance:g}"] = Colorizer.from_weights(weights,
                                                                                      config)
    models.update({Path(path).name: Colorizer.load(path) for path in args.compare})
    evaluation = evaluate(VAL, models, args.size, limit=args.limit,
                          grid_path=args.grid)
    print(f"{args.model} (step {config.get('step')}) on {len(evaluation.truth_colorfulness)} "
          f"val photos, {args.size} px working size")
    print(format_table(evaluation))
    if args.json:
        args.json.write_text(json.dumps(evaluation.to_json(), indent=2) + "\n")


if __name__ == "__main__":
    main()
