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
