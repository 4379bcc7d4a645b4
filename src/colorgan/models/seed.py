"""The origin article's Keras GAN, rebuilt faithfully in PyTorch."""

import torch
from torch import nn

from colorgan.models.padding import pad_to_multiple

WIDTHS = (64, 128, 256, 512)


class SeedGenerator(nn.Module):
    """Encoder of four stride-2 convolutions (a 16x16 latent at 256 px), decoder of four
    transposed convolutions, then a stride-1 convolution to ab with tanh."""

    def __init__(self):
        super().__init__()
        encoder: list[nn.Module] = []
        channels = 1
        for width in WIDTHS:
            encoder += [nn.Conv2d(channels, width, 4, 2, 1, bias=False), nn.BatchNorm2d(width),
                        nn.LeakyReLU(0.2, inplace=True)]
            channels = width
        decoder: list[nn.Module] = []
        for width in (256, 128, 64, 32):
            decoder += [nn.ConvTranspose2d(channels, width, 4, 2, 1, bias=False),
                        nn.BatchNorm2d(width), nn.ReLU(inplace=True)]
            channels = width
        self.net = nn.Sequential(*encoder, *decoder, nn.Conv2d(channels, 2, 3, 1, 1), nn.Tanh())

    def forward(self, luminance: torch.Tensor) -> torch.Tensor:
        padded, crop = pad_to_multiple(luminance, 16)
        return crop(self.net(padded))


class SeedDiscriminator(nn.Module):
    """Judges ab alone: four stride-2 convolutions with dropout and LeakyReLU (batch norm
    after the first), then flatten to one logit. The sigmoid lives in the BCE loss, which
    is the numerically stable form of the article's sigmoid + binary cross-entropy."""

    def __init__(self, dropout: float = 0.25):
        super().__init__()
        layers: list[nn.Module] = []
        channels = 2
        for index, width in enumerate(WIDTHS):
            layers.append(nn.Conv2d(channels, width, 4, 2, 1))
            if index > 0:
                layers.append(nn.BatchNorm2d(width))
            layers += [nn.Dropout(dropout), nn.LeakyReLU(0.2, inplace=True)]
            channels = width
        # Pooling to a fixed 4x4 grid lets the flatten + linear head accept any input size.
        layers += [nn.AdaptiveAvgPool2d(4), nn.Flatten(), nn.Linear(channels * 16, 1)]
        self.net = nn.Sequential(*layers)

    def forward(self, luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        return self.net(chroma)
