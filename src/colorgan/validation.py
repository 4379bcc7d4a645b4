"""Scoring a generator on held-out photos while it trains, to keep the checkpoint where it peaks.

On this project's data the training loss goes on falling after the validation scores stop
improving (docs/EXPERIMENTS.md, experiments 4, 9 and 11), so the last step is not the best one.
Only the cheap measures are taken (PSNR and colorfulness); `colorgan evaluate` gives them all.
A model that takes color hints is also scored with VALIDATION_HINTS of each photo's true
colors as hints, the ones `colorgan evaluate --hints` gives it.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from torch import nn

from colorgan.colorize import Colorizer
from colorgan.data import scan_images
from colorgan.evaluate import decolorized
from colorgan.hints import ground_truth_hints
from colorgan.imageio import open_image
from colorgan.metrics import colorfulness, psnr
from colorgan.settings import DEFAULT_WORKING_SIZE

VALIDATION_HINTS = 10


class ValidationSet:
    """Color photos decolorized once and kept in memory, scored as `colorgan evaluate` does."""

    def __init__(self, folders: Sequence[str | Path], size: int = DEFAULT_WORKING_SIZE):
        paths = scan_images(folders).kept
        if not paths:
            raise ValueError("no color photos to validate on in " + ", ".join(map(str, folders)))
        self.size = size
        self.truths: list[np.ndarray] = []
        self.grays = []
        self.hints = []
        for index, path in enumerate(paths):
            photo = open_image(path).convert("RGB")
            self.truths.append(np.asarray(photo))
            self.grays.append(decolorized(photo))
            self.hints.append(ground_truth_hints(self.truths[-1], VALIDATION_HINTS,
                                                 np.random.default_rng(index), size))

    def __len__(self) -> int:
        return len(self.truths)

    def score(self, generator: nn.Module, config: dict) -> dict[str, float]:
        """Mean PSNR and colorfulness of the generator's colors (and for a hint model the
        PSNR with hints); its train mode is kept."""
        was_training = generator.training
        device = next(generator.parameters()).device
        colorizer = Colorizer(generator, config, device)
        try:
            arrays = [np.asarray(result)
                      for result in colorizer.colorize_batch(self.grays, self.size)]
            hinted = [] if not colorizer.takes_hints else [
                np.asarray(result) for result in
                colorizer.colorize_batch(self.grays, self.size, hints=self.hints)]
        finally:
            generator.train(was_training)
        scores = {"psnr": self._psnr(arrays),
                  "colorfulness": float(np.mean([colorfulness(result) for result in arrays]))}
        if hinted:
            scores[f"psnr_{VALIDATION_HINTS}_hints"] = self._psnr(hinted)
        return scores

    def _psnr(self, results: list[np.ndarray]) -> float:
        return float(np.mean([psnr(result, truth)
                              for result, truth in zip(results, self.truths, strict=True)]))
