"""Chooses how a binned model decodes chroma: scores it on ../shared/data/val at several
(temperature, rebalance) settings, beside other models. Lower temperature and higher
rebalance are more vivid; temperature 1 with rebalance 0 is the model's plain mean.

Run: python benchmarks/probes/decoding_sweep.py runs/bins-finetune --decodings 1:0 0.6:0.5 0.38:1
     [--compare OTHER.safetensors] [--size 256] [--json out.json] [--grid out.jpg]
"""

import argparse
from pathlib import Path

from val_scores import add_scoring_options, score_and_print

from colorgan.inference.colorize import Colorizer, read_model
from colorgan.models.chroma_bins import set_decoding


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="a binned model: run folder, checkpoint or .safetensors")
    parser.add_argument("--decodings", nargs="+", default=["1:0", "0.6:0.5", "0.38:1"],
                        help="TEMPERATURE:REBALANCE pairs")
    add_scoring_options(parser)
    args = parser.parse_args()
    weights, config = read_model(Path(args.model))
    models = {}
    for decoding in args.decodings:
        temperature, rebalance = map(float, decoding.split(":"))
        set_decoding(weights, temperature, rebalance)
        models[f"T {temperature:g}, rebalance {rebalance:g}"] = Colorizer.from_weights(weights,
                                                                                      config)
    score_and_print(models, args, f"{args.model} (step {config.get('step')})")


if __name__ == "__main__":
    main()
