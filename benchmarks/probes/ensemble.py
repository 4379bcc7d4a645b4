"""Do averaged predictions buy accuracy that a chroma gain can spend on color? Scores models
on ../shared/data/val as an ensemble (the chroma of all models, averaged), optionally with
mirror averaging too (the chroma of the photo and of its mirror image, averaged), at several
vividness gains, beside the first model alone.

Averaging cancels the hues that models (or the two mirror views) disagree on, so it should
raise PSNR and lower colorfulness; the question is whether the gain needed to get the color
back costs less than the averaging earned.

Run: python benchmarks/probes/ensemble.py src/colorgan/weights/default.safetensors
     runs/ema-val/best.safetensors runs/encoder-lr-half/best.safetensors
     [--gains 1 1.4] [--mirror] [--limit N] [--json out.json] [--grid out.jpg]
"""

import argparse

import torch
from val_scores import add_scoring_options, score_and_print

from colorgan.inference.colorize import Colorizer


class AveragingColorizer(Colorizer):
    """Colors with the mean chroma of several generators, optionally of mirrored views too.

    Its vividness copies share the last prediction, so scoring several gains costs one run
    of the members per photo.
    """

    def __init__(self, members: list[Colorizer], mirror: bool):
        super().__init__(members[0].generator, members[0].config, members[0].device)
        self.members = members
        self.mirror = mirror
        self.last: dict[str, torch.Tensor] = {}

    @torch.inference_mode()
    def predict_chroma(self, luminance: torch.Tensor, hints: torch.Tensor | None = None
                       ) -> torch.Tensor:
        if hints is not None:
            raise ValueError("the ensemble benchmark scores automatic colors only")
        seen = self.last.get("luminance")
        if seen is not None and seen.shape == luminance.shape and torch.equal(seen, luminance):
            return self.last["chroma"]
        chromas = [member.predict_chroma(luminance) for member in self.members]
        if self.mirror:
            chromas += [member.predict_chroma(luminance.flip(-1)).flip(-1)
                        for member in self.members]
        self.last.update(luminance=luminance.clone(), chroma=torch.stack(chromas).mean(0))
        return self.last["chroma"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="run folders, checkpoints or .safetensors")
    parser.add_argument("--gains", nargs="+", type=float, default=[1.0],
                        help="vividness settings to score each combination at")
    parser.add_argument("--mirror", action="store_true",
                        help="also score the ensemble averaged with its mirrored views")
    add_scoring_options(parser)
    args = parser.parse_args()
    members = [Colorizer.load(path, "cpu") for path in args.models]
    combinations = {f"ensemble of {len(members)}": AveragingColorizer(members, mirror=False)}
    if args.mirror:
        combinations[f"ensemble of {len(members)}, mirrored"] = AveragingColorizer(members,
                                                                                 mirror=True)
    models = {f"{args.models[0]} alone": members[0]}
    for name, colorizer in combinations.items():
        for gain in args.gains:
            models[f"{name}, gain {gain:g}"] = colorizer.with_vividness(gain)
    score_and_print(models, args, ", ".join(args.models))


if __name__ == "__main__":
    main()
