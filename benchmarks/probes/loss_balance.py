"""How strongly does each loss pull the generator? Before weighting a new loss (the judge's
semantic and perceptual terms, issue 49) against the reconstruction loss, measure on real
training batches each loss's value and the norm of its gradient on the generator's weights,
and the cost of a step with and without the judge. Prints a table; the weight that gives a
term a chosen share of the bins loss's pull is its share times the ratio of norms.

Run: python benchmarks/probes/loss_balance.py recipes/v6-bins.json [--batches 4] [--init W]
"""

import argparse
import dataclasses
import time
from pathlib import Path

import torch

from colorgan.evaluation.photos import scan_images
from colorgan.settings import TrainConfig
from colorgan.training.recipes import read_recipe
from colorgan.training.reconstruction import reconstruct
from colorgan.training.semantic import JudgeLoss
from colorgan.training.trainer import Trainer


def gradient_norm(loss: torch.Tensor, parameters: list[torch.Tensor]) -> float:
    grads = torch.autograd.grad(loss, parameters, retain_graph=True, allow_unused=True)
    return float(torch.sqrt(sum((g.float() ** 2).sum() for g in grads if g is not None)))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("recipe", type=Path)
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--init", help="weights to measure at instead of the recipe's start")
    args = parser.parse_args()
    values = {**read_recipe(args.recipe), "out": "/nonexistent", "workers": 0}
    if args.init:
        values["init_weights"] = args.init
    config = dataclasses.replace(TrainConfig(**values), semantic_weight=0, perceptual_weight=0)
    trainer = Trainer(config)
    trainer.attach_data(scan_images(config.data, warn=False).kept)
    judge = JudgeLoss(trainer.device, config.loss_judge)
    parameters = [p for p in trainer.generator.parameters() if p.requires_grad]
    rows: dict[str, list[tuple[float, float]]] = {}
    seconds = {"generator": 0.0, "judge": 0.0}
    for _ in range(args.batches):
        luminance, chroma = trainer.next_batch()
        started = time.perf_counter()
        fake, losses = reconstruct(trainer, luminance, chroma)
        seconds["generator"] += time.perf_counter() - started
        started = time.perf_counter()
        losses.update(judge(luminance, fake, chroma))
        seconds["judge"] += time.perf_counter() - started
        for name, loss in losses.items():
            rows.setdefault(name, []).append((loss.item(), gradient_norm(loss, parameters)))
    main_name = "bins" if trainer.binned else "l1"
    main_norm = sum(norm for _, norm in rows[main_name]) / args.batches
    print(f"{'loss':<12}{'value':>10}{'grad norm':>12}{'norm / ' + main_name:>14}")
    for name, pairs in rows.items():
        value = sum(v for v, _ in pairs) / len(pairs)
        norm = sum(n for _, n in pairs) / len(pairs)
        print(f"{name:<12}{value:>10.4f}{norm:>12.4f}{norm / main_norm:>14.4f}")
    print(f"forward seconds per batch: generator {seconds['generator'] / args.batches:.2f}, "
          f"judge {seconds['judge'] / args.batches:.2f}")


if __name__ == "__main__":
    main()
