"""Is a model's extra color better than a saturation knob? Scores a model on
../shared/data/val with its chroma multiplied by several gains, beside other models: a model
trained to be more colorful should beat this one made as colorful by a gain.

Run: python benchmarks/chroma_gain.py src/colorgan/weights/default.safetensors --gains 1 1.3
     [--compare runs/colorful] [--limit N] [--json out.json] [--grid out.jpg]
"""

import argparse

import torch

from colorgan.colorize import Colorizer
from val_scores import add_scoring_options, score_and_print


class GainedColorizer(Colorizer):
    """A colorizer whose predicted chroma is multiplied by a constant gain."""

    def __init__(self, base: Colorizer, gain: float):
        super().__init__(base.generator, base.config, base.device)
        self.gain = gain

    def predict_chroma(self, luminance: torch.Tensor) -> torch.Tensor:
        return (super().predict_chroma(luminance) * self.gain).clamp(-1.0, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run folder, checkpoint or .safetensors")
    parser.add_argument("--gains", nargs="+", type=float, default=[1.0, 1.2, 1.4])
    add_scoring_options(parser)
    args = parser.parse_args()
    base = Colorizer.load(args.model, "cpu")
    models = {f"gain {gain:g}": GainedColorizer(base, gain) for gain in args.gains}
    score_and_print(models, args, args.model)


if __name__ == "__main__":
    main()
