"""Where a batch reads its photos and writes its results: this machine's files, or a file
system that pyarrow reaches by URI (s3://bucket/folder, gs://, hdfs://, file://).

An archive colored on a Ray cluster often lives in an object store that every worker can
reach, not on a disk they share. Both kinds are named by plain paths here (for a URI, its
path inside its file system: bucket/folder/photo.jpg for S3), so the batch code that plans
outputs and mirrors folder trees is the same for both.
"""

import contextlib
import os
import re
from pathlib import Path

from colorgan.atomic import atomic_write, remove_stale_temporaries

URI = re.compile(r"^(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]+)://")
# Object stores make an object visible whole when its upload completes: no temporary needed.
ATOMIC_UPLOADS = ("s3", "gcs")


def is_uri(location: str) -> bool:
    return URI.match(location) is not None


class LocalFiles:
    """Paths on this machine, or on a shared file system mounted on every worker."""

    def name(self, path: Path) -> str:
        return str(path)

    def exists(self, path: Path) -> bool:
        return path.exists()

    def identity(self, path: Path) -> str:
        """The path with links and `..` resolved: two names of one file give one identity."""
        return os.path.realpath(path)

    def is_within(self, path: Path, folder: Path) -> bool:
        return Path(self.identity(path)).is_relative_to(self.identity(folder))

    def is_regular_file(self, path: Path) -> bool:
        """A file to read, not a pipe or device (reading a pipe would wait forever)."""
        return path.is_file()

    def holds(self, path: Path, content: bytes) -> bool:
        """Whether the file at `path` holds exactly these bytes."""
        try:
            return path.stat().st_size == len(content) and path.read_bytes() == content
        except OSError:
            return False

    def prepare_folder(self, folder: Path) -> None:
        """Make the folder; clear it of temporaries that killed runs left there."""
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder)

    def read(self, path: Path) -> Path:
        return path  # the decoder reads the file itself, header first

    def write(self, path: Path, content: bytes, replace: bool = True) -> None:
        """Write whole; with replace False a file that appeared at `path` meanwhile (another
        run's) is kept and FileExistsError raised."""
        atomic_write(path, lambda temporary: temporary.write_bytes(content), replace)

    def find(self, folder: Path, recursive: bool) -> list[Path] | None:
        """The files in a folder (sorted); [folder] for a file; None if nothing is there."""
        if folder.is_dir():
            return sorted(p for p in (folder.rglob("*") if recursive else folder.iterdir())
                          if p.is_file())
        return [folder] if folder.exists() else None


class ArrowFiles:
    """The files of one pyarrow file system, by their paths inside it."""

    def __init__(self, filesystem, scheme: str):
        self.filesystem, self.scheme = filesystem, scheme

    def name(self, path: Path) -> str:
        return f"{self.scheme}://{path.as_posix()}"

    def _info(self, path: Path):
        return self.filesystem.get_file_info(path.as_posix())

    def exists(self, path: Path) -> bool:
        from pyarrow.fs import FileType

        return self._info(path).type != FileType.NotFound

    def identity(self, path: Path) -> str:
        return path.as_posix()

    def is_within(self, path: Path, folder: Path) -> bool:
        return path.is_relative_to(folder)

    def is_regular_file(self, path: Path) -> bool:
        return True  # an object store holds files and folders only

    def holds(self, path: Path, content: bytes) -> bool:
        try:
            return self.read(path) == content
        except OSError:
            return False

    def prepare_folder(self, folder: Path) -> None:
        self.filesystem.create_dir(folder.as_posix(), recursive=True)

    def read(self, path: Path) -> bytes:
        with self.filesystem.open_input_stream(path.as_posix()) as stream:
            return stream.read()

    def write(self, path: Path, content: bytes, replace: bool = True) -> None:
        """Never half-written: an object store shows an upload only when it completes; other
        file systems get a temporary file, moved into place. Object stores cannot refuse to
        replace an object atomically: `replace` is checked just before the upload."""
        if not replace and self.exists(path):
            raise FileExistsError(f"{self.name(path)} exists")
        if self.scheme in ATOMIC_UPLOADS:
            with self.filesystem.open_output_stream(path.as_posix()) as stream:
                stream.write(content)
            return
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp").as_posix()
        try:
            with self.filesystem.open_output_stream(temporary) as stream:
                stream.write(content)
            self.filesystem.move(temporary, path.as_posix())
        except BaseException:  # a failed or interrupted write leaves nothing behind
            with contextlib.suppress(OSError):
                self.filesystem.delete_file(temporary)
            raise

    def find(self, folder: Path, recursive: bool) -> list[Path] | None:
        from pyarrow.fs import FileSelector, FileType

        info = self._info(folder)
        if info.type == FileType.NotFound:
            return None
        if info.type != FileType.Directory:
            return [folder]
        found = self.filesystem.get_file_info(FileSelector(folder.as_posix(),
                                                           recursive=recursive))
        return sorted(Path(entry.path) for entry in found if entry.type == FileType.File)


Storage = LocalFiles | ArrowFiles
LOCAL = LocalFiles()


def open_locations(locations: list[str]) -> tuple[LocalFiles | ArrowFiles, list[Path]]:
    """The storage that holds these inputs and output folder, and their paths in it: all local
    paths, or all URIs of one scheme (pyarrow reaches them; installed with colorgan[ray])."""
    uris = [is_uri(location) for location in locations]
    if not any(uris):
        return LOCAL, [Path(location) for location in locations]
    schemes = {URI.match(location)["scheme"].lower() for location in locations
               if is_uri(location)}
    if not all(uris) or len(schemes) > 1:
        raise ValueError("give the inputs and -o all as local paths or all as URIs of one "
                         f"file system (got {', '.join(locations)})")
    try:
        from pyarrow.fs import FileSystem
    except ImportError:
        raise ValueError("URIs (s3://...) need pyarrow: pip install 'colorgan[ray]'") from None
    try:
        resolved = [FileSystem.from_uri(location) for location in locations]
    except (ValueError, OSError) as error:  # an unknown scheme, a bucket it cannot reach
        raise ValueError(f"cannot open {locations[0]}: {error}") from None
    return ArrowFiles(resolved[0][0], schemes.pop()), [Path(path) for _, path in resolved]
