"""Writing files so that a kill never leaves a half-written one, without PyTorch.

A file is written to a temporary beside it, flushed to disk, then renamed over the old one:
a kill at any moment leaves either the old or the new file, never a broken one. A kill -9
does leave the temporary file; its name carries the writer's process id, so the next start
can tell it from one that a live process is still writing, and remove it.
"""

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path


def _file_mode() -> int:
    # mkstemp makes private files; results should get the permissions the user's umask gives.
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


# .NAME.PID.RANDOM.tmp; files written before the PID was part of the name lack it.
TEMPORARY_NAME = re.compile(r"^\..+?(?:\.(?P<pid>\d+))?\.[a-z0-9_]{8}\.tmp$")


def atomic_write(path: Path, write: Callable[[Path], None], replace: bool = True) -> None:
    """Call write(temporary path) beside `path`, fsync it, then rename it to `path`. With
    replace False a file already at `path` stays and FileExistsError is raised: the first
    writer wins, atomically (a hard link never replaces)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary_path = None
    try:  # from its creation on: a Ctrl-C or SIGTERM at any point still removes it
        handle, temporary = tempfile.mkstemp(dir=path.parent,
                                             prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
        temporary_path = Path(temporary)
        os.close(handle)
        write(temporary_path)
        os.chmod(temporary_path, FILE_MODE)
        with open(temporary_path, "rb") as written:
            os.fsync(written.fileno())
        if replace:
            os.replace(temporary_path, path)
        else:
            _link_unless_taken(temporary_path, path)
    finally:
        if temporary_path is not None:
            temporary_path.unlink(missing_ok=True)


def file_in_the_way(folder: Path) -> Path | None:
    """The file that stands where `folder` or one of its parents must be (so nothing can be
    written there), or None."""
    for path in (folder, *folder.parents):
        if path.exists():
            return None if path.is_dir() else path
    return None


def _link_unless_taken(temporary: Path, path: Path) -> None:
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise
    except OSError:  # a file system without hard links: check, then rename (not atomic)
        if path.exists():
            raise FileExistsError(f"{path} exists") from None
        os.replace(temporary, path)


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
