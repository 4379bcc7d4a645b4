"""Is a model's extra color better than a saturation knob? Scores a model on
../shared/data/val at several vividness settings (its chroma times a gain), beside other
models: a model trained to be more colorful should beat this one made as colorful by a gain.

A gain may have a knee (GAIN:KNEE): the gain then ramps from 1 at zero chroma to its full
value at the knee's chroma (Lab units), boosting confident, colored predictions and sparing
near-gray ones.

Run: python benchmarks/probes/chroma_gain.py src/colorgan/weights/default.safetensors \
         --gains 1 1.3 2:30 [--compare runs/colorful] [--limit N] [--json out.json] [--grid out.jpg]
"""

import argparse

import torch
from val_scores import add_scoring_options, score_and_print

from colorgan.color import AB_RANGE
from colorgan.inference.colorize import Colorizer


class KneedGainColorizer(Colorizer):
    """A colorizer whose chroma gain grows from 1 at gray to its full value at the knee."""

    def __init__(self, base: Colorizer, gain: float, knee: float):
        super().__init__(base.generator, base.config, base.device)
        self.gain = gain
        self.knee = knee / AB_RANGE

    def predict_chroma(self, luminance: torch.Tensor, hints: torch.Tensor | None = None
                       ) -> torch.Tensor:
        chroma = super().predict_chroma(luminance, hints)
        ramp = (chroma.norm(dim=1, keepdim=True) / self.knee).clamp(max=1.0)
        return (chroma * (1 + (self.gain - 1) * ramp)).clamp(-1.0, 1.0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", help="run folder, checkpoint or .safetensors")
    parser.add_argument("--gains", nargs="+", default=["1", "1.2", "1.4"],
                        help="GAIN (the vividness setting) or GAIN:KNEE")
    add_scoring_options(parser)
    args = parser.parse_args()
    base = Colorizer.load(args.model, "cpu")
    models = {}
    for spec in args.gains:
        gain, _, knee = spec.partition(":")
        if knee:
            models[f"gain {gain}, knee {knee}"] = KneedGainColorizer(base, float(gain),
                                                                     float(knee))
        else:
            models[f"gain {gain}"] = base.with_vividness(float(gain))
    score_and_print(models, args, args.model)


if __name__ == "__main__":
    main()
