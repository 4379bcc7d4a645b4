"""Counting a model's floating-point operations with PyTorch's own FLOP counter.

PyTorch 2.13's formula for the convolution's backward pass ignores `groups` in the weight
gradient, so it counts a depthwise layer's weight gradient once per channel too many (the
default preset's training step came to 25.7 GFLOP per image instead of about 16). Here the
backward pass is counted as what it is: the gradient of the input and of the weight each
take the multiply-adds of the forward convolution.
"""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode, conv_flop_count


def _convolution_backward_flops(grad_out_shape, x_shape, w_shape, _bias, _stride, _padding,
                                _dilation, transposed, _output_padding, _groups, output_mask,
                                out_shape=None, **_) -> int:
    # The forward count already divides by groups, through the weight's shape.
    forward = conv_flop_count(x_shape, w_shape, grad_out_shape, transposed)
    return forward * (int(output_mask[0]) + int(output_mask[1]))


CORRECTED = {torch.ops.aten.convolution_backward: _convolution_backward_flops}


def count_flops(model: nn.Module, *inputs: torch.Tensor, backward: bool = False) -> int:
    """FLOPs of one forward pass (and the backward pass too, if asked) on these inputs."""
    with FlopCounterMode(display=False, custom_mapping=CORRECTED) as counter:
        output = model(*inputs)
        if backward:
            output.float().mean().backward()
    return counter.get_total_flops()


def parameter_count(model: nn.Module) -> int:
    """Number of trainable and frozen parameters."""
    return sum(parameter.numel() for parameter in model.parameters())


def preset_table(size: int) -> str:
    """Every preset's parameters and its generator's FLOPs for one size x size image."""
    import torch

    from colorgan.models.registry import PRESETS
    from colorgan.settings import DEFAULT_PRESET

    width = max(map(len, PRESETS)) + 2
    lines = [f"{'preset':<{width}}{'G params':>10}{'D params':>10}{'G GFLOP/img':>13}  "
             "description"]
    for name, preset in PRESETS.items():
        generator, discriminator = preset.build_generator(False), preset.build_discriminator()
        generator.eval()
        with torch.no_grad():
            flops = count_flops(generator, torch.zeros(1, 1, size, size))
        marker = " (default)" if name == DEFAULT_PRESET else ""
        lines.append(f"{name:<{width}}{parameter_count(generator) / 1e6:>9.2f}M"
                     f"{parameter_count(discriminator) / 1e6:>9.2f}M{flops / 1e9:>13.2f}  "
                     f"{preset.description}{marker}")
    lines.append(f"FLOPs counted for one {size}x{size} image (multiply-add = 2 FLOPs)")
    return "\n".join(lines)
