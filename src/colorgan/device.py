"""Choosing where the model runs."""

import torch


def resolve_device(name: str) -> torch.device:
    """'auto' is CUDA when present, else CPU; anything else as torch spells it."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(name)
