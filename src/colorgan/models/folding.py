"""Batch norms folded into the convolutions before them, for inference.

A folded network runs fewer operations, and it is what the ONNX exporter makes of the
generator anyway: folding here first, with the folded weights rounded to the precision the
model was stored in, gives PyTorch and ONNX Runtime the very same weights.
"""

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from colorgan.models.registry import get_preset

# (convolution, batch norm) attribute pairs of EfficientNet-Lite's stem and MBConv blocks.
EFFICIENTNET_PAIRS = (("_conv_stem", "_bn0"), ("_expand_conv", "_bn0"),
                      ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2"))


def fold_batch_norms(model: nn.Module, precision: torch.dtype = torch.float32) -> nn.Module:
    """The model (in eval mode, changed in place) with every BatchNorm2d that directly follows
    a Conv2d folded into it and replaced by an Identity; the folded weights are rounded to
    `precision` and kept as float32."""
    model.eval()
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            for index in range(len(module) - 1):
                conv, norm = module[index], module[index + 1]
                if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                    module[index], module[index + 1] = _fused(conv, norm, precision), nn.Identity()
        for conv_name, norm_name in EFFICIENTNET_PAIRS:
            conv, norm = getattr(module, conv_name, None), getattr(module, norm_name, None)
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                setattr(module, conv_name, _fused(conv, norm, precision))
                setattr(module, norm_name, nn.Identity())
    return model


def _fused(conv: nn.Conv2d, norm: nn.BatchNorm2d, precision: torch.dtype) -> nn.Conv2d:
    fused = fuse_conv_bn_eval(conv, norm)
    with torch.no_grad():
        for parameter in fused.parameters():
            parameter.copy_(parameter.to(precision).float())
    return fused


def folded_generator(weights: dict[str, torch.Tensor], config: dict) -> nn.Module:
    """The config's generator with these weights, for inference: batch norms folded at the
    precision the weights were stored in (float16 for the bundled model)."""
    generator = get_preset(config["preset"]).build_generator(False)
    generator.load_state_dict({name: tensor.float() for name, tensor in weights.items()})
    stored = {tensor.dtype for tensor in weights.values() if tensor.is_floating_point()}
    return fold_batch_norms(generator, torch.float16 if torch.float16 in stored else torch.float32)
