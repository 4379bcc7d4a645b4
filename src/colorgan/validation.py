"""Scoring a generator on held-out photos while it trains, to keep the checkpoint where it peaks.

On this project's data the training loss goes on falling after the validation scores stop
improving (docs/EXPERIMENTS.md, experiments 4, 9 and 11), so the last step is not the best one.
Only the cheap measures are taken (PSNR and colorfulness); `colorgan evaluate` gives them all.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from torch import nn

from colorgan.colorize import Colorizer
from colorgan.data import scan_images
from colorgan.evaluate import decolorized
from colorgan.imageio import open_image
from colorgan.metrics import colorfulness, psnr
from colorgan.settings import DEFAULT_WORKING_SIZE


class ValidationSet:
    """Color photos decolorized once and kept in memory, scored as `colorgan evaluate` does."""

    def __init__(self, folders: Sequence[str | Path], size: int = DEFAULT_WORKING_SIZE):
        paths = scan_images(folders).kept
        if not paths:
            raise ValueError("no color photos to validate on in " + ", ".join(map(str, folders)))
        self.size = size
        self.truths: list[np.ndarray] = []
        self.grays = []
        for path in paths:
            photo = open_image(path).convert("RGB")
            self.truths.append(np.asarray(photo))
            self.grays.append(decolorized(photo))

    def __len__(self) -> int:
        return len(self.truths)

    def score(self, generator: nn.Module, config: dict) -> dict[str, float]:
        """Mean PSNR and colorfulness of the generator's colors; its train mode is kept."""
        was_training = generator.training
        device = next(generator.parameters()).device
        try:
            results = Colorizer(generator, config, device).colorize_batch(self.grays, self.size)
        finally:
            generator.train(was_training)
        arrays = [np.asarray(result) for result in results]
        pairs = zip(arrays, self.truths, strict=True)
        return {"psnr": float(np.mean([psnr(result, truth) for result, truth in pairs])),
                "colorfulness": float(np.mean([colorfulness(result) for result in arrays]))}
