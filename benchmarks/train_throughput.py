"""Training throughput per preset: images/s and achieved FLOP/s against the machine's matmul rate.

Run: python benchmarks/train_throughput.py [--sizes 128 256] [--batch-size 8]
"""

import argparse
import sys
from pathlib import Path

import torch
from torch.utils.flop_counter import FlopCounterMode

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.models import PRESETS  # noqa: E402
from colorgan.models.flops import CORRECTED  # noqa: E402
from colorgan.settings import TrainConfig
from colorgan.training.trainer import Trainer  # noqa: E402
from machine import best_time, describe_machine, describe_matmul, matmul_rates  # noqa: E402


def step_function(trainer: Trainer):
    # The seed preset's regime steps over a whole mini-epoch; time its per-batch work the same way.
    if trainer.preset.regime == "seed":
        return trainer.seed_step
    return trainer.paired_step


def measure(preset: str, size: int, batch_size: int, repeats: int) -> tuple[float, float]:
    """(images per second, FLOPs per image) of adversarial training steps on a fixed batch."""
    config = TrainConfig(preset=preset, size=size, batch_size=batch_size, pretrained=False,
                         mini_epoch=2 * batch_size, out="/nonexistent")
    trainer = Trainer(config)
    batch = (torch.rand(batch_size, 1, size, size) * 2 - 1,
             torch.rand(batch_size, 2, size, size) * 0.4 - 0.2)
    trainer.next_batch = lambda: batch
    if trainer.binned:  # its loss is set up from the data's colors: here, uniform ones
        trainer.use_chroma_histogram(torch.ones(len(trainer.generator.bins.centers)))
    step = step_function(trainer)
    images = trainer.images_per_step()
    with FlopCounterMode(display=False, custom_mapping=CORRECTED) as counter:
        step()
    seconds = best_time(step, repeats)
    return images / seconds, counter.get_total_flops() / images


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[128, 256])
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    rates = matmul_rates()
    matmul = max(rates.values())
    print(f"machine: {describe_machine()}")
    print(describe_matmul(rates) + "\n")
    print("| preset | size | images/s | GFLOP/image (fwd+bwd, G+D) | achieved GFLOP/s | "
          "of matmul |")
    print("|---|---|---|---|---|---|")
    for size in args.sizes:
        for preset in PRESETS:
            rate, flops = measure(preset, size, args.batch_size, args.repeats)
            achieved = rate * flops
            print(f"| {preset} | {size} | {rate:.1f} | {flops / 1e9:.2f} | "
                  f"{achieved / 1e9:.1f} | {achieved / matmul:.0%} |", flush=True)


if __name__ == "__main__":
    main()
