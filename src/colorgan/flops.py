"""Counting a model's floating-point operations with PyTorch's own FLOP counter."""

import torch
from torch import nn
from torch.utils.flop_counter import FlopCounterMode


def count_flops(model: nn.Module, *inputs: torch.Tensor, backward: bool = False) -> int:
    """FLOPs of one forward pass (and the backward pass too, if asked) on these inputs."""
    with FlopCounterMode(display=False) as counter:
        output = model(*inputs)
        if backward:
            output.float().mean().backward()
    return counter.get_total_flops()


def parameter_count(model: nn.Module) -> int:
    """Number of trainable and frozen parameters."""
    return sum(parameter.numel() for parameter in model.parameters())
