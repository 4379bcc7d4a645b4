"""Starting the server: a private temporary folder for uploads, then uvicorn."""

import os
import re
import shutil
import tempfile
from pathlib import Path

import uvicorn

from colorgan.checkpoint import process_is_alive
from colorgan.colorize import Colorizer
from colorgan.server.app import ServerLimits, create_app

UPLOADS_PREFIX = "colorgan-uploads-"
UPLOADS_NAME = re.compile(rf"^{UPLOADS_PREFIX}(?P<pid>\d+)-")


def remove_stale_upload_folders(parent: Path) -> None:
    """Upload folders of servers that were killed (kill -9) before they could remove them."""
    for folder in parent.glob(f"{UPLOADS_PREFIX}*"):
        match = UPLOADS_NAME.match(folder.name)
        if match and folder.is_dir() and not process_is_alive(int(match["pid"])):
            shutil.rmtree(folder, ignore_errors=True)


def serve(host: str, port: int, colorizer: Colorizer, limits: ServerLimits) -> None:
    """Serve until interrupted; uploads that spill to disk stay in a folder only we can read."""
    parent = Path(tempfile.gettempdir())
    remove_stale_upload_folders(parent)
    private = tempfile.mkdtemp(prefix=f"{UPLOADS_PREFIX}{os.getpid()}-")  # mode 0700
    tempfile.tempdir = private
    try:
        print(f"colorgan: open http://{host}:{port}/ (API docs at /docs)", flush=True)
        uvicorn.run(create_app(colorizer, limits), host=host, port=port, log_level="warning")
    finally:
        tempfile.tempdir = None
        shutil.rmtree(private, ignore_errors=True)
