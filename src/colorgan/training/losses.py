"""Adversarial (binary cross-entropy), reconstruction (L1, binned chroma) and colorfulness
losses."""

from collections.abc import Iterable

import torch
from torch import nn
from torch.nn import functional

from colorgan.color import model_to_rgb
from colorgan.evaluation.metrics import colorfulness_parts


def adversarial_loss(logits: torch.Tensor, is_real: bool) -> torch.Tensor:
    """Binary cross-entropy of the discriminator's logits against one label for all."""
    target = torch.ones_like(logits) if is_real else torch.zeros_like(logits)
    return functional.binary_cross_entropy_with_logits(logits.float(), target)


def reconstruction_loss(predicted: torch.Tensor, target: torch.Tensor,
                        luminance: torch.Tensor | None = None) -> torch.Tensor:
    """Mean absolute error of the chroma: keeps colors tied to the true ones. Given the
    luminance, the error is taken in sRGB, where PSNR and colorfulness are measured: there
    a chroma error costs what it shows (little in deep shadows, nothing out of gamut)."""
    if luminance is None:
        return functional.l1_loss(predicted.float(), target.float())
    return functional.l1_loss(model_to_rgb(luminance.float(), predicted.float()),
                              model_to_rgb(luminance.float(), target.float()))


def colorfulness_loss(luminance: torch.Tensor, predicted: torch.Tensor, target: torch.Tensor,
                      counted: torch.Tensor | None = None) -> torch.Tensor:
    """How far the spread of each image's colors falls short of its original's, per 100: a
    one-sided form of DDColor's colorfulness loss. L1 alone mutes colors it is unsure of;
    this pays for contrast between colors where the model can afford it, never past the
    original. The tint term of colorfulness is left out: it would reward a cast. Given a
    boolean mask of images, the mean is over those alone (zero when there are none)."""
    made, _ = colorfulness_parts(model_to_rgb(luminance.float(), predicted.float()))
    with torch.no_grad():
        true, _ = colorfulness_parts(model_to_rgb(luminance.float(), target.float()))
    shortfall = functional.relu(true - made)
    if counted is not None:
        shortfall = shortfall[counted]
    return shortfall.sum() / max(len(shortfall), 1) / 100.0


def nearest_bins(chroma: torch.Tensor, centers: torch.Tensor, count: int
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """Squared distances (N, count, h, w) and indices of the `count` bins nearest each pixel."""
    distances = (chroma[:, None] - centers[None, :, :, None, None]).pow(2).sum(dim=2)
    nearest = distances.topk(count, dim=1, largest=False)
    return nearest.values, nearest.indices


def bin_histogram(chromas: Iterable[torch.Tensor], centers: torch.Tensor) -> torch.Tensor:
    """How often each bin is the nearest to a pixel of the chroma tensors (N, 2, h, w), as a
    distribution. Counted one tensor at a time: the distances to every bin take 261 times
    the memory of the pixels themselves."""
    counts = torch.zeros(len(centers))
    for chroma in chromas:
        _, index = nearest_bins(chroma, centers, 1)
        counts += torch.bincount(index.flatten(), minlength=len(centers))
    return counts / counts.sum()


def rebalancing_weights(histogram: torch.Tensor, centers: torch.Tensor, sigma: float,
                        uniform_mix: float = 0.5) -> torch.Tensor:
    """Per-bin loss weights that lift rare, saturated colors (Zhang et al., section 2.2).

    The histogram is smoothed across neighbouring bins, mixed with a uniform distribution,
    inverted, and scaled so that the expected weight under the data is 1.
    """
    kernel = torch.exp(-torch.cdist(centers, centers).pow(2) / (2 * sigma ** 2))
    smoothed = kernel @ histogram
    smoothed = smoothed / smoothed.sum()
    weights = 1.0 / ((1 - uniform_mix) * smoothed + uniform_mix / len(centers))
    return weights / (smoothed * weights).sum()


class BinnedChromaLoss(nn.Module):
    """Class-rebalanced cross-entropy of bin logits against softly encoded true chroma.

    Each true color is spread over its five nearest bins with Gaussian weights, so that
    neighbouring bins are near misses rather than plain errors.
    """

    NEIGHBOURS = 5

    def __init__(self, centers: torch.Tensor, histogram: torch.Tensor, sigma: float,
                 uniform_mix: float = 0.5):
        super().__init__()
        self.sigma = sigma
        self.register_buffer("centers", centers)
        self.register_buffer("weights", rebalancing_weights(histogram, centers, sigma,
                                                            uniform_mix))

    def forward(self, logits: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        target = functional.interpolate(chroma.float(), size=logits.shape[-2:], mode="area")
        distances, index = nearest_bins(target, self.centers, self.NEIGHBOURS)
        soft = torch.softmax(-distances / (2 * self.sigma ** 2), dim=1)
        log_probabilities = functional.log_softmax(logits.float(), dim=1)
        cross_entropy = -(soft * log_probabilities.gather(1, index)).sum(dim=1)
        return (self.weights[index[:, 0]] * cross_entropy).mean()
