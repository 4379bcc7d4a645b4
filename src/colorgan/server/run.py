"""Starting the server: a private temporary folder for uploads, then uvicorn."""

import shutil
import tempfile

import uvicorn

from colorgan.colorize import Colorizer
from colorgan.server.app import ServerLimits, create_app


def serve(host: str, port: int, colorizer: Colorizer, limits: ServerLimits) -> None:
    """Serve until interrupted; uploads that spill to disk stay in a folder only we can read."""
    private = tempfile.mkdtemp(prefix="colorgan-uploads-")  # mode 0700
    tempfile.tempdir = private
    try:
        print(f"colorgan: open http://{host}:{port}/ (API docs at /docs)", flush=True)
        uvicorn.run(create_app(colorizer, limits), host=host, port=port, log_level="warning")
    finally:
        shutil.rmtree(private, ignore_errors=True)
