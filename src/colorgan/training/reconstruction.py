"""The reconstruction regime: the generator alone against the true colors, the NoGAN-style
warm start of every run and the whole of every shipped model's. An L1 generator pays the
mean absolute error of its chroma; a binned one (Zhang et al. 2016) the class-rebalanced
cross-entropy of its bins, its L1 logged beside. Both may add the colorfulness loss, and a
hint model is given hints simulated from the true colors; the targets may be made more
saturated than the truth (target_saturation)."""

import numpy as np
import torch

from colorgan.training.hint_simulation import hinted, simulated_hints
from colorgan.training.losses import colorfulness_loss, reconstruction_loss


def reconstruct(trainer, luminance: torch.Tensor, chroma: torch.Tensor
                ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
    """The generator's chroma for a batch and its reconstruction losses (L1, binned if it
    is, and colorfulness and the judge's if they are weighted)."""
    config = trainer.config
    seen_in = luminance if config.loss_space == "rgb" else None
    hints = batch_hints(trainer, luminance, chroma) if trainer.takes_hints else None
    target = saturated(chroma, hints, config.target_saturation)
    if trainer.binned:
        fake, logits = trainer.train_g(luminance, hints, with_logits=True)
        losses = {"l1": reconstruction_loss(fake, target, seen_in),
                  "bins": trainer.bins_loss(logits, target)}
    else:
        fake = trainer.train_g(luminance, hints) if trainer.takes_hints else \
            trainer.train_g(luminance)
        losses = {"l1": reconstruction_loss(fake, target, seen_in)}
    if config.colorfulness_weight:
        counted = None
        if hints is not None and config.colorfulness_hint_free:
            counted = ~hinted(hints)
        losses["colorfulness"] = colorfulness_loss(luminance, fake, target, counted)
    if trainer.judge_loss is not None:
        losses.update(trainer.judge_loss(luminance, fake, target))
    return fake, losses


def saturated(chroma: torch.Tensor, hints: torch.Tensor | None, factor: float) -> torch.Tensor:
    """DDColor's saturation-enhanced targets: the true chroma times factor, clamped to the
    model's range, on hint-free crops; a crop with hints keeps the true colors its hints
    carry, so that a user's hint is still taken as the color it is."""
    if factor == 1:
        return chroma
    enhanced = (chroma * factor).clamp(-1.0, 1.0)
    if hints is None:
        return enhanced
    return torch.where(~hinted(hints)[:, None, None, None], enhanced, chroma)


def side_losses(trainer, losses: dict[str, torch.Tensor]) -> torch.Tensor | float:
    """The colorfulness and the judge's losses as weighted, or 0 when none is taken."""
    config = trainer.config
    return (config.colorfulness_weight * losses.get("colorfulness", 0.0)
            + config.semantic_weight * losses.get("semantic", 0.0)
            + config.perceptual_weight * losses.get("perceptual", 0.0))


def reconstruction_step(trainer) -> dict[str, float]:
    """Generator alone on one batch: its own reconstruction loss (binned, else L1) plus the
    weighted colorfulness and judge's losses."""
    luminance, chroma = trainer.next_batch()
    with trainer.autocast():
        _, losses = reconstruct(trainer, luminance, chroma)
    main = losses["bins" if trainer.binned else "l1"]
    trainer.update(trainer.optimizer_g, main + side_losses(trainer, losses))
    return {name: value.item() for name, value in losses.items()}


def batch_hints(trainer, luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """Hints for this batch, drawn from a generator seeded by the step (same on resume);
    the automatic prediction shows where the colors are most wrong."""
    config = trainer.config
    rng = np.random.default_rng([config.seed, trainer.step, trainer.group.rank])
    automatic = None
    if config.error_hint_share:
        with torch.no_grad():
            automatic = trainer.train_g(luminance)
    return simulated_hints(chroma, rng, config.hint_free_share, config.error_hint_share,
                           automatic)
