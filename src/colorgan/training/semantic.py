"""Semantic and perceptual losses from a frozen ImageNet classifier (ChromaGAN's class term,
DDColor's perceptual term): the colorized crop should look, to the classifier, like its true
photo. The classifier is the judge of `colorgan evaluate` (EfficientNet-Lite2) or, so that
judge stays independent, EfficientNet-Lite0; it runs on the training crops as they are and its
weights never change.

A classifier can be pleased by a cast that hides wrong hues (issue 49 measured one), so these
terms are meant beside a loss that holds the colors themselves (the rebalanced bins), with
weights chosen by measurement."""

import torch
from torch import nn
from torch.nn import functional

from colorgan.color import model_to_rgb
from colorgan.evaluation.judge import JUDGE_ENCODER, Judge, judge_sight


class JudgeLoss(nn.Module):
    """KL of the judge's classes on the colorized crop from those on the true one, and the
    mean squared difference of its last feature maps, per batch."""

    def __init__(self, device: str | torch.device = "cpu", encoder: str = JUDGE_ENCODER):
        super().__init__()
        self.network = Judge(device, encoder).network

    def forward(self, luminance: torch.Tensor, predicted: torch.Tensor, target: torch.Tensor
                ) -> dict[str, torch.Tensor]:
        """{"semantic": KL(true classes || colorized classes), "perceptual": feature MSE}."""
        with torch.no_grad():
            true_features, true_logits = judge_sight(
                self.network, model_to_rgb(luminance.float(), target.float()))
        features, logits = judge_sight(self.network,
                                       model_to_rgb(luminance.float(), predicted.float()))
        semantic = functional.kl_div(functional.log_softmax(logits, dim=1),
                                     functional.log_softmax(true_logits, dim=1),
                                     log_target=True, reduction="batchmean")
        return {"semantic": semantic, "perceptual": functional.mse_loss(features, true_features)}
