"""Choosing where the model runs."""

import torch


def resolve_device(name: str) -> torch.device:
    """'auto' is CUDA when present, else CPU; anything else as torch spells it, checked to exist."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        device = torch.device(name)
    except RuntimeError:
        raise ValueError(f"device {name!r}: not a device name (auto, cpu, cuda, cuda:1...)"
                         ) from None
    if device.type == "cuda":
        if not torch.cuda.is_available():
            raise ValueError(f"device {name!r}: this PyTorch has no CUDA GPU to use "
                             "(use --device cpu or auto)")
        if device.index is not None and device.index >= torch.cuda.device_count():
            raise ValueError(f"device {name!r}: only {torch.cuda.device_count()} GPU(s) here")
    return device
