"""Presets by name: a generator, a discriminator, their losses and optimizer settings."""

from collections.abc import Callable
from dataclasses import dataclass, replace

import torch
from torch import nn

from colorgan.models.efficientnet_unet import EfficientNetUNet
from colorgan.models.layers import PatchDiscriminator
from colorgan.models.seed import SeedDiscriminator, SeedGenerator
from colorgan.models.unet import UNetGenerator


@dataclass(frozen=True)
class Preset:
    """Everything that makes one model recipe, apart from the data and the run length."""

    name: str
    description: str
    build_generator: Callable[[bool], nn.Module]  # argument: start from pretrained weights
    build_discriminator: Callable[[], nn.Module]
    regime: str  # "paired": D and G step on every batch; "seed": the article's mini-epochs
    lr_generator: float
    lr_discriminator: float
    l1_weight: float
    gan_weight: float = 1.0
    bins_weight: float = 0.0  # cross-entropy over chroma bins, for generators with a `bins` head
    encoder_lr_scale: float = 1.0  # learning-rate factor for a pretrained encoder
    betas: tuple[float, float] = (0.5, 0.999)


EFFICIENTNET_UNET = Preset(
    name="efficientnet-unet",
    description="U-Net on an ImageNet-pretrained EfficientNet-Lite0 encoder, "
                "unet's discriminator and losses",
    build_generator=lambda pretrained: EfficientNetUNet(pretrained=pretrained),
    build_discriminator=PatchDiscriminator,
    regime="paired", lr_generator=5e-4, lr_discriminator=2e-4, l1_weight=100.0,
    encoder_lr_scale=0.2)


def _variant(name: str, description: str, **options) -> Preset:
    """efficientnet-unet's training recipe for a network built with other EfficientNetUNet
    options (encoder, decoder, hints, ...)."""
    return replace(EFFICIENTNET_UNET, name=name, description=description,
                   build_generator=lambda pretrained: EfficientNetUNet(pretrained=pretrained,
                                                                       **options))


PRESETS: dict[str, Preset] = {
    "seed": Preset(
        name="seed",
        description="the origin article's encoder-decoder GAN with an ab-only CNN discriminator",
        build_generator=lambda pretrained: SeedGenerator(),
        build_discriminator=SeedDiscriminator,
        regime="seed", lr_generator=2e-4, lr_discriminator=5e-5, l1_weight=0.0),
    "unet": Preset(
        name="unet",
        description="U-Net with self-attention, conditional spectral-norm PatchGAN, GAN + L1",
        build_generator=lambda pretrained: UNetGenerator(),
        build_discriminator=PatchDiscriminator,
        regime="paired", lr_generator=2e-4, lr_discriminator=2e-4, l1_weight=100.0),
    "efficientnet-unet": EFFICIENTNET_UNET,
    "efficientnet-unet-no-attention": _variant(
        "efficientnet-unet-no-attention",
        "efficientnet-unet without its self-attention layer: what the layer adds",
        attention=False),
    "efficientnet-lite2-unet": _variant(
        "efficientnet-lite2-unet",
        "efficientnet-unet on the larger EfficientNet-Lite2 encoder (77.6% ImageNet top-1 "
        "against Lite0's 75.1%)",
        encoder="efficientnet-lite2"),
    "efficientnet-compact-unet": _variant(
        "efficientnet-compact-unet",
        "efficientnet-unet with a compact decoder (channels reduced before upsampling): a "
        "quarter less work, the same layers and weights' shapes",
        decoder="compact"),
    "efficientnet-compact-unet-hints": _variant(
        "efficientnet-compact-unet-hints",
        "efficientnet-compact-unet that also takes color hints",
        decoder="compact", hinted=True),
    "efficientnet-lean-unet": _variant(
        "efficientnet-lean-unet",
        "efficientnet-unet with a lean decoder (channels reduced before upsampling, "
        "depthwise-separable merges): half the work per pixel",
        decoder="lean"),
    "efficientnet-lite2-lean-unet": _variant(
        "efficientnet-lite2-lean-unet",
        "efficientnet-lean-unet on the EfficientNet-Lite2 encoder: the larger encoder for "
        "less work per pixel than efficientnet-unet",
        encoder="efficientnet-lite2", decoder="lean"),
    "efficientnet-unet-hints": _variant(
        "efficientnet-unet-hints",
        "efficientnet-unet that also takes color hints (a, b and where): fine-tuned from an "
        "automatic efficientnet-unet",
        hinted=True),
    "efficientnet-lite2-unet-hints": _variant(
        "efficientnet-lite2-unet-hints",
        "efficientnet-lite2-unet that also takes color hints",
        encoder="efficientnet-lite2", hinted=True),
    "efficientnet-bins": replace(
        _variant("efficientnet-bins",
                 "efficientnet-unet predicting a distribution over ab bins (class-rebalanced "
                 "cross-entropy), colored by its annealed mean: vivid where L1 is muted",
                 binned=True),
        l1_weight=0.0, bins_weight=1.0),
    "efficientnet-compact-bins-hints": replace(
        _variant("efficientnet-compact-bins-hints",
                 "efficientnet-bins on the compact decoder, taking color hints: the bundled "
                 "model's network with a binned head",
                 binned=True, decoder="compact", hinted=True),
        l1_weight=0.0, bins_weight=1.0),
}



def get_preset(name: str) -> Preset:
    """The preset of that name, or an error that lists the known ones."""
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown preset {name!r}; choose one of: {', '.join(PRESETS)}") from None


def trained_generator(weights: dict[str, torch.Tensor], config: dict) -> nn.Module:
    """The config's generator with these weights (float16 ones widened), in eval mode: the
    trained network as it is, for inference, export or timing."""
    generator = get_preset(config["preset"]).build_generator(False)
    generator.load_state_dict({name: tensor.float() for name, tensor in weights.items()})
    return generator.eval()
