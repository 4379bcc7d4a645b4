"""Batch norms folded into the convolutions before them, for inference.

A folded network runs fewer operations. ONNX Runtime folds the exported graph's batch norms
the same way when it loads it, in float32 from the weights as stored (inference.onnx_model),
so both backends compute with the same folded weights.
"""

import torch
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from colorgan.models.registry import trained_generator

# (convolution, batch norm) attribute pairs of EfficientNet-Lite's stem and MBConv blocks.
EFFICIENTNET_PAIRS = (("_conv_stem", "_bn0"), ("_expand_conv", "_bn0"),
                      ("_depthwise_conv", "_bn1"), ("_project_conv", "_bn2"))


def fold_batch_norms(model: nn.Module) -> nn.Module:
    """The model (in eval mode, changed in place) with every BatchNorm2d that directly follows
    a Conv2d folded into it and replaced by an Identity."""
    model.eval()
    for module in list(model.modules()):
        if isinstance(module, nn.Sequential):
            for index in range(len(module) - 1):
                conv, norm = module[index], module[index + 1]
                if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                    module[index], module[index + 1] = fuse_conv_bn_eval(conv, norm), nn.Identity()
        for conv_name, norm_name in EFFICIENTNET_PAIRS:
            conv, norm = getattr(module, conv_name, None), getattr(module, norm_name, None)
            if isinstance(conv, nn.Conv2d) and isinstance(norm, nn.BatchNorm2d):
                setattr(module, conv_name, fuse_conv_bn_eval(conv, norm))
                setattr(module, norm_name, nn.Identity())
    return model


def folded_generator(weights: dict[str, torch.Tensor], config: dict) -> nn.Module:
    """The config's generator with these weights (float16 ones widened), for inference."""
    return fold_batch_norms(trained_generator(weights, config))
