"""Atomic checkpoints for resuming, and self-describing safetensors exports for inference.

A checkpoint is written to a temporary file, flushed to disk, then renamed over the old one:
a kill at any moment leaves either the old or the new file, never a broken one. A kill -9
does leave the temporary file; its name carries the writer's process id, so the next start
can tell it from one that a live process is still writing, and remove it.
"""

import json
import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch
from safetensors.torch import load_file, save_file

CHECKPOINT_NAME = "checkpoint.pt"
WEIGHTS_NAME = "generator.safetensors"


def _file_mode() -> int:
    # mkstemp makes private files; results should get the permissions the user's umask gives.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


# .NAME.PID.RANDOM.tmp; files written before the PID was part of the name lack it.
TEMPORARY_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}\.tmp$")


def atomic_write(path: Path, write: Callable[[Path], None]) -> None:
    """Call write(temporary path) beside `path`, fsync it, then rename it to `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.",
                                         suffix=".tmp")
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        write(temporary_path)
        os.chmod(temporary_path, FILE_MODE)
        with open(temporary_path, "rb") as written:
            os.fsync(written.fileno())
        os.replace(temporary_path, path)
    finally:
        temporary_path.unlink(missing_ok=True)


def process_is_alive(pid: int) -> bool:
    """Whether a process with this id runs on this machine (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def remove_stale_temporaries(folder: Path) -> int:
    """Delete the temporary files that killed colorgan processes left in `folder`; returns how
    many. Files that a running process is still writing are kept."""
    removed = 0
    if not folder.is_dir():
        return removed
    for candidate in folder.iterdir():
        match = TEMPORARY_NAME.match(candidate.name)
        if not match or not candidate.is_file():
            continue
        if match["pid"] and process_is_alive(int(match["pid"])):
            continue
        candidate.unlink(missing_ok=True)
        removed += 1
    return removed


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
