"""Do averaged predictions buy accuracy that a chroma gain can spend on color? Scores models
on ../shared/data/val as an ensemble (the chroma of all models, averaged), optionally with
mirror averaging too (the chroma of the photo and of its mirror image, averaged), or as one
model with their weights averaged, at several vividness gains, beside the first model alone.

Averaging cancels the hues that models (or the two mirror views) disagree on, so it should
raise PSNR and lower colorfulness; the question is whether the gain needed to get the color
back costs less than the averaging earned.

Run: python benchmarks/ensemble.py src/colorgan/weights/default.safetensors
     runs/ema-val/best.safetensors runs/encoder-lr-half/best.safetensors
     [--gains 1 1.4] [--mirror] [--soup] [--limit N] [--json out.json] [--grid out.jpg]
"""

import argparse
from pathlib import Path

import torch

from colorgan.colorize import Colorizer, read_model
from val_scores import add_scoring_options, score_and_print


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
    def predict_chroma(self, luminance: torch.Tensor) -> torch.Tensor:
        seen = self.last.get("luminance")
        if seen is not None and seen.shape == luminance.shape and torch.equal(seen, luminance):
            return self.last["chroma"]
        chromas = [member.predict_chroma(luminance) for member in self.members]
        if self.mirror:
            chromas += [member.predict_chroma(luminance.flip(-1)).flip(-1)
                        for member in self.members]
        self.last.update(luminance=luminance.clone(), chroma=torch.stack(chromas).mean(0))
        return self.last["chroma"]


def weight_soup(paths: list[str]) -> Colorizer:
    """One model whose weights are the members' mean (a "model soup", Wortsman et al. 2022):
    one model's cost, if runs from the same start stay close enough to average."""
    members = [read_model(Path(path)) for path in paths]
    if len({config["preset"] for _, config in members}) > 1:
        raise ValueError("a weight soup needs models of one preset")
    first, config = members[0]
    mean = {name: torch.stack([weights[name].float() for weights, _ in members]).mean(0)
            if tensor.is_floating_point() else tensor for name, tensor in first.items()}
    return Colorizer.from_weights(mean, config, "cpu")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("models", nargs="+", help="run folders, checkpoints or .safetensors")
    parser.add_argument("--gains", nargs="+", type=float, default=[1.0],
                        help="vividness settings to score each combination at")
    parser.add_argument("--mirror", action="store_true",
                        help="also score the ensemble averaged with its mirrored views")
    parser.add_argument("--soup", action="store_true",
                        help="also score one model with the members' weights averaged")
    add_scoring_options(parser)
    args = parser.parse_args()
    members = [Colorizer.load(path, "cpu") for path in args.models]
    combinations = {f"ensemble of {len(members)}": AveragingColorizer(members, mirror=False)}
    if args.mirror:
        combinations[f"ensemble of {len(members)}, mirrored"] = AveragingColorizer(members,
                                                                                 mirror=True)
    if args.soup:
        combinations[f"weight soup of {len(members)}"] = weight_soup(args.models)
    models = {f"{args.models[0]} alone": members[0]}
    for name, colorizer in combinations.items():
        for gain in args.gains:
            models[f"{name}, gain {gain:g}"] = colorizer.with_vividness(gain)
    score_and_print(models, args, ", ".join(args.models))


if __name__ == "__main__":
    main()
