"""A network held in eval mode for a while, its own mode restored after: sample grids,
validation and a warming critic need the generator as it colors at inference, and train
mode would move its batch-norm statistics with every batch it sees."""

import contextlib
from collections.abc import Iterator

from torch import nn


@contextlib.contextmanager
def evaluating(module: nn.Module, hold: bool = True) -> Iterator[nn.Module]:
    """The module in eval mode inside the block (when hold), in its former mode after."""
    was_training = module.training
    if hold:
        module.eval()
    try:
        yield module
    finally:
        module.train(was_training)
