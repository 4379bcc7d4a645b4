"""Atomic checkpoints for resuming, and self-describing safetensors exports for inference.

Both are written with colorgan.atomic: a kill at any moment leaves the old or the new file.
"""

import json
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

from colorgan.atomic import atomic_write

CHECKPOINT_NAME = "checkpoint.pt"
WEIGHTS_NAME = "generator.safetensors"


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Save the full training state atomically."""
    atomic_write(path, lambda temporary: torch.save(state, temporary))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Load a training state saved by save_checkpoint (plain tensors and Python values only)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def export_generator(path: Path, weights: dict[str, torch.Tensor], config: dict[str, Any],
                     half: bool = False) -> Path:
    """Write generator weights as safetensors with the config inside and as JSON beside it.

    `half` stores floating-point tensors as float16, halving the size of shipped weights.
    """
    def stored(tensor: torch.Tensor) -> torch.Tensor:
        tensor = tensor.detach().cpu().contiguous()
        return tensor.half() if half and tensor.is_floating_point() else tensor

    tensors = {name: stored(tensor) for name, tensor in weights.items()}
    metadata = {"colorgan": json.dumps(config)}
    atomic_write(path, lambda temporary: save_file(tensors, temporary, metadata=metadata))
    atomic_write(path.with_suffix(".json"),
                 lambda temporary: temporary.write_text(json.dumps(config, indent=2) + "\n"))
    return path


def read_export(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The weights and config of an exported generator (no pickle involved)."""
    from safetensors import safe_open

    with safe_open(path, framework="pt") as exported:
        metadata = exported.metadata() or {}
    if "colorgan" not in metadata:
        raise ValueError(f"{path}: not a colorgan export (no colorgan config in its metadata)")
    return load_file(path), json.loads(metadata["colorgan"])
