"""Building blocks shared by the generators and discriminators."""

import torch
from torch import nn
from torch.nn.utils.parametrizations import spectral_norm


class SelfAttention(nn.Module):
    """SAGAN self-attention (Zhang et al. 2019): lets distant regions agree on a color.

    Starts as the identity (gamma = 0) so it never disturbs a pretrained path.
    """

    def __init__(self, channels: int):
        super().__init__()
        self.query = nn.Conv2d(channels, channels // 8, 1)
        self.key = nn.Conv2d(channels, channels // 8, 1)
        self.value = nn.Conv2d(channels, channels, 1)
        self.gamma = nn.Parameter(torch.zeros(1))

    def forward(self, features: torch.Tensor) -> torch.Tensor:
        batch, channels, height, width = features.shape
        # One head, as (batch, heads, positions, channels): the 4-D form ONNX export takes.
        query = self.query(features).flatten(2).transpose(1, 2)[:, None]
        key = self.key(features).flatten(2).transpose(1, 2)[:, None]
        value = self.value(features).flatten(2).transpose(1, 2)[:, None]
        attended = nn.functional.scaled_dot_product_attention(query, key, value)[:, 0]
        attended = attended.transpose(1, 2).reshape(batch, channels, height, width)
        return features + self.gamma * attended


def conv_bn_relu(in_channels: int, out_channels: int) -> nn.Sequential:
    """3x3 convolution, batch norm, ReLU: the decoders' working unit."""
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    )


class UpBlock(nn.Module):
    """Upsample x2, then merge with the encoder's skip features of that resolution.

    `reduce_first` reduces the channels before upsampling instead of after: the reduce
    convolution then runs on a quarter of the pixels (the compact decoder, a quarter less work
    for the whole network)."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int,
                 reduce_first: bool = False):
        super().__init__()
        self.reduce = conv_bn_relu(in_channels, out_channels)
        self.merge = conv_bn_relu(out_channels + skip_channels, out_channels)
        self.reduce_first = reduce_first

    def forward(self, features: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        if self.reduce_first:
            return self.merge(torch.cat([_upsampled(self.reduce(features)), skip], dim=1))
        return self.merge(torch.cat([self.reduce(_upsampled(features)), skip], dim=1))


def _upsampled(features: torch.Tensor) -> torch.Tensor:
    # The generators pad their input so that every skip is exactly twice the size; a scale,
    # not the skip's shape, keeps the exported graph free of shape lookups on the skip (they
    # would stop ONNX Runtime folding its batch norm into its convolution).
    return nn.functional.interpolate(features, scale_factor=2.0, mode="bilinear",
                                     align_corners=False)


class LeanUpBlock(nn.Module):
    """UpBlock at a fifth of its cost: channels reduced before upsampling instead of after
    (a quarter of the pixels), and the merge with the skip depthwise-separable."""

    def __init__(self, in_channels: int, skip_channels: int, out_channels: int):
        super().__init__()
        self.reduce = conv_bn_relu(in_channels, out_channels)
        merged = out_channels + skip_channels
        self.merge = nn.Sequential(
            nn.Conv2d(merged, merged, 3, padding=1, groups=merged, bias=False),
            nn.BatchNorm2d(merged),
            nn.ReLU(inplace=True),
            nn.Conv2d(merged, out_channels, 1, bias=False),
            nn.BatchNorm2d(out_channels),
            nn.ReLU(inplace=True),
        )

    def forward(self, features: torch.Tensor, skip: torch.Tensor) -> torch.Tensor:
        return self.merge(torch.cat([_upsampled(self.reduce(features)), skip], dim=1))


class PatchDiscriminator(nn.Module):
    """Conditional PatchGAN (pix2pix) on L and ab together, with spectral normalization.

    Returns a map of logits, one per overlapping 70x70 patch.
    """

    def __init__(self, base: int = 64):
        super().__init__()
        widths = [3, base, base * 2, base * 4, base * 8]
        layers: list[nn.Module] = []
        for index, (cin, cout) in enumerate(zip(widths, widths[1:], strict=False)):
            stride = 1 if index == len(widths) - 2 else 2
            layers += [spectral_norm(nn.Conv2d(cin, cout, 4, stride, 1)),
                       nn.LeakyReLU(0.2, inplace=True)]
        layers.append(spectral_norm(nn.Conv2d(widths[-1], 1, 4, 1, 1)))
        self.net = nn.Sequential(*layers)

    def forward(self, luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        return self.net(torch.cat([luminance, chroma], dim=1))
