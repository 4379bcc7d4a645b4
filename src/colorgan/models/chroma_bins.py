"""Chroma as a distribution over ab bins, against the muted colors of regression.

A model trained with L1 or L2 predicts a median or mean color: for an object that may be red
or blue it paints gray-brown. Predicting a distribution over quantized ab (Zhang et al.,
"Colorful Image Colorization", 2016) keeps both modes; the "annealed mean" of that
distribution at a temperature below 1 then picks vivid yet spatially smooth colors.

Training weights rare colors up (class rebalancing), so the model learns a distribution
tilted toward them. The head keeps the log of those loss weights: decoding can take the tilt
back out in part (`rebalance` below 1: truer, closer to PSNR-optimal) or push it further
(above 1: more vivid). Temperature and rebalance are chosen on validation photos at export.
"""

import torch
from torch import nn

from colorgan.color import AB_RANGE, rgb_to_model

BIN_STEP = 10.0  # Lab units between bin centers, as in Zhang et al.
GAMUT_SAMPLES_PER_CHANNEL = 48
# Zhang et al.'s annealed-mean temperature; a trained model's weights store their own.
DEFAULT_TEMPERATURE = 0.38


def gamut_bin_centers() -> torch.Tensor:
    """Centers (Q, 2) in model chroma units of the ab grid cells that sRGB colors reach."""
    levels = torch.linspace(0, 1, GAMUT_SAMPLES_PER_CHANNEL)
    cube = torch.cartesian_prod(levels, levels, levels).T.reshape(3, -1, 1)
    ab = rgb_to_model(cube)[1].reshape(2, -1).T * AB_RANGE
    cells = torch.unique(torch.round(ab / BIN_STEP), dim=0)
    return cells * BIN_STEP / AB_RANGE


class BinnedChromaHead(nn.Module):
    """Features to logits over the gamut's ab bins at half their resolution (the loss and the
    softmax over hundreds of bins are the costly part), and logits to chroma by annealed mean."""

    def __init__(self, channels: int):
        super().__init__()
        centers = gamut_bin_centers()
        self.register_buffer("centers", centers)
        self.register_buffer("temperature", torch.tensor(DEFAULT_TEMPERATURE))
        self.register_buffer("loss_log_weights", torch.zeros(len(centers)))
        self.register_buffer("rebalance", torch.tensor(1.0))
        self.classify = nn.Conv2d(channels, len(centers), 2, stride=2)

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        return self.classify(features)

    def decode(self, logits: torch.Tensor) -> torch.Tensor:
        """Chroma (N, 2, h, w): the bins' centers weighted by softmax(logits / temperature),
        with (1 - rebalance) of the training's rebalancing taken out of the logits."""
        tilt = ((1 - self.rebalance) * self.loss_log_weights)[:, None, None]
        weights = torch.softmax((logits.float() - tilt) / self.temperature, dim=1)
        return torch.einsum("nqhw,qc->nchw", weights, self.centers)


def set_decoding(weights: dict[str, torch.Tensor], temperature: float | None = None,
                 rebalance: float | None = None) -> None:
    """Set how a binned generator's weights decode chroma: the annealed-mean temperature
    (lower is more vivid, 1 the plain mean) and the share of the training's rebalancing kept
    (0 none, 1 as trained, above 1 amplified)."""
    if "bins.temperature" not in weights:
        raise ValueError("only a model with binned chroma has a temperature or rebalance")
    if temperature is not None:
        if not 0 < temperature <= 1:
            raise ValueError(f"temperature {temperature} must be in (0, 1]")
        weights["bins.temperature"] = torch.tensor(float(temperature))
    if rebalance is not None:
        if not 0 <= rebalance <= 2:
            raise ValueError(f"rebalance {rebalance} must be in [0, 2]")
        weights["bins.rebalance"] = torch.tensor(float(rebalance))
