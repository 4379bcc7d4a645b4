"""Atomic checkpoints for resuming, and self-describing safetensors exports for inference.

A checkpoint is written to a temporary file, flushed to disk, then renamed over the old one:
a kill at any moment leaves either the old or the new file, never a broken one.
"""

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file
from torch import nn

CHECKPOINT_NAME = "checkpoint.pt"
WEIGHTS_NAME = "generator.safetensors"
CONFIG_NAME = "generator.json"


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(temporary path) beside `path`, fsync it, then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        write(temporary_path)
        with open(temporary_path, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary_path, path)
    finally:
        temporary_path.unlink(missing_ok=True)


def save_checkpoint(path: Path, state: dict[str, Any]) -> None:
    """Save the full training state atomically."""
    atomic_write(path, lambda temporary: torch.save(state, temporary))


def load_checkpoint(path: Path) -> dict[str, Any]:
    """Load a training state saved by save_checkpoint (plain tensors and Python values only)."""
    return torch.load(path, map_location="cpu", weights_only=True)


def export_generator(folder: Path, generator: nn.Module, config: dict[str, Any]) -> Path:
    """Write the generator as safetensors with its config inside and as JSON beside it."""
    weights = {name: tensor.detach().cpu().contiguous()
               for name, tensor in generator.state_dict().items()}
    metadata = {"colorgan": json.dumps(config)}
    atomic_write(folder / WEIGHTS_NAME,
                 lambda temporary: save_file(weights, temporary, metadata=metadata))
    atomic_write(folder / CONFIG_NAME,
                 lambda temporary: temporary.write_text(json.dumps(config, indent=2) + "\n"))
    return folder / WEIGHTS_NAME


def read_export(path: Path) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """The weights and config of an exported generator (no pickle involved)."""
    from safetensors import safe_open

    with safe_open(path, framework="pt") as exported:
        metadata = exported.metadata() or {}
    if "colorgan" not in metadata:
        raise ValueError(f"{path}: not a colorgan export (no colorgan config in its metadata)")
    return load_file(path), json.loads(metadata["colorgan"])
