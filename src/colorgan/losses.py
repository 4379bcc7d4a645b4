"""Adversarial (binary cross-entropy) and reconstruction (L1) losses."""

import torch
from torch.nn import functional


def adversarial_loss(logits: torch.Tensor, is_real: bool) -> torch.Tensor:
    """Binary cross-entropy of the discriminator's logits against one label for all."""
    target = torch.ones_like(logits) if is_real else torch.zeros_like(logits)
    return functional.binary_cross_entropy_with_logits(logits.float(), target)


def reconstruction_loss(predicted: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Mean absolute error of the chroma: keeps colors tied to the true ones."""
    return functional.l1_loss(predicted.float(), target.float())
