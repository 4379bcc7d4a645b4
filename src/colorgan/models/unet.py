"""U-Net generator with SAGAN self-attention: the article's next steps, as practiced today."""

import torch
from torch import nn

from colorgan.models.layers import SelfAttention, UpBlock, conv_bn_relu
from colorgan.models.padding import pad_to_multiple


def _down(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(nn.Conv2d(in_channels, out_channels, 4, 2, 1, bias=False),
                         nn.BatchNorm2d(out_channels), nn.LeakyReLU(0.2, inplace=True))


class UNetGenerator(nn.Module):
    """Four downsamplings with skip connections and self-attention at the 1/16 bottleneck."""

    def __init__(self, base: int = 32):
        super().__init__()
        widths = [base, base * 2, base * 4, base * 8, base * 8]
        self.stem = conv_bn_relu(1, widths[0])
        self.downs = nn.ModuleList(_down(a, b) for a, b in zip(widths, widths[1:], strict=False))
        self.attention = SelfAttention(widths[-1])
        self.ups = nn.ModuleList(UpBlock(widths[i + 1], widths[i], widths[i])
                                 for i in reversed(range(len(widths) - 1)))
        self.head = nn.Sequential(nn.Conv2d(widths[0], 2, 1), nn.Tanh())

    def forward(self, luminance: torch.Tensor) -> torch.Tensor:
        padded, crop = pad_to_multiple(luminance, 16)
        features = self.stem(padded)
        skips = [features]
        for down in self.downs:
            features = down(features)
            skips.append(features)
        features = self.attention(skips.pop())
        for up in self.ups:
            features = up(features, skips.pop())
        return crop(self.head(features))
