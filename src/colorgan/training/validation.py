"""Scoring a generator on held-out photos while it trains, to keep the checkpoint where it peaks.

On this project's data the training loss goes on falling after the validation scores stop
improving (docs/EXPERIMENTS.md, experiments 4, 9 and 11), so the last step is not the best one.
PSNR alone rewards a safe brown (docs/MEASURES.md), so the loop also takes the perceptual
measures that are cheap enough: colorfulness, hue distance, the rebalanced AuC and, where the
train extra's classifier is installed, the judge's top-1 agreement and KL. `colorgan evaluate`
gives them all. A model that takes color hints is also scored with VALIDATION_HINTS of each
photo's true colors as hints, the ones `colorgan evaluate --hints` gives it.
"""

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from torch import nn

from colorgan.evaluation.evaluate import decolorized
from colorgan.evaluation.judge import Judge, semantic_agreement
from colorgan.evaluation.known_colors import ground_truth_hints
from colorgan.evaluation.metrics import AbErrorTally, psnr, quick_metrics
from colorgan.evaluation.photos import scan_images
from colorgan.inference.colorize import Colorizer
from colorgan.inference.imageio import open_image
from colorgan.models.modes import evaluating
from colorgan.settings import DEFAULT_WORKING_SIZE, SELECTABLE_MEASURES

VALIDATION_HINTS = 10


class ValidationSet:
    """Color photos decolorized once and kept in memory, scored as `colorgan evaluate` does."""

    def __init__(self, folders: Sequence[str | Path], size: int = DEFAULT_WORKING_SIZE,
                 judge: Judge | None = None):
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
        self.judge = judge
        self.truth_sight = None if judge is None else judge.look(self.truths)

    def __len__(self) -> int:
        return len(self.truths)

    def score(self, generator: nn.Module, config: dict) -> dict[str, float]:
        """Mean scores of the generator's colors (and for a hint model the PSNR with hints);
        its train mode is kept."""
        device = next(generator.parameters()).device
        with evaluating(generator):  # the colorizer sets eval mode itself
            colorizer = Colorizer(generator, config, device)
            arrays = [np.asarray(result)
                      for result in colorizer.colorize_batch(self.grays, self.size)]
            hinted = [] if not colorizer.takes_hints else [
                np.asarray(result) for result in
                colorizer.colorize_batch(self.grays, self.size, hints=self.hints)]
        scores = self._perceptual(arrays)
        if hinted:
            scores[f"psnr_{VALIDATION_HINTS}_hints"] = float(np.mean(
                [psnr(result, truth) for result, truth in zip(hinted, self.truths, strict=True)]))
        return scores

    def _perceptual(self, arrays: list[np.ndarray]) -> dict[str, float]:
        tally = AbErrorTally()
        per_photo = [quick_metrics(result, truth, tally)
                     for result, truth in zip(arrays, self.truths, strict=True)]
        scores = {name: float(np.nanmean([photo[name] for photo in per_photo]))
                  for name in per_photo[0]}
        scores["auc_rebalanced"] = tally.rebalanced_auc()
        if self.judge is not None:
            agreement = semantic_agreement(self.judge.look(arrays), self.truth_sight)
            scores.update({name: float(values.mean()) for name, values in agreement.items()})
        return scores


def is_better(scores: dict[str, float], best: dict[str, float] | None, measure: str) -> bool:
    """Whether these scores beat the best so far on the measure (any beats none)."""
    if best is None or measure not in best:
        return True
    if SELECTABLE_MEASURES[measure]:
        return scores[measure] > best[measure]
    return scores[measure] < best[measure]
