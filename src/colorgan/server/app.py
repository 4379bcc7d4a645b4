"""FastAPI app: the page at /, the HTTP API under /api, OpenAPI docs at /docs.

Model work runs in a bounded worker pool off the event loop; when the pool and its queue are
full the server answers 503 with Retry-After instead of piling up memory.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from colorgan import __version__
from colorgan.colorize import DEFAULT_WORKING_SIZE, MAX_VIVIDNESS, Colorizer
from colorgan.imageio import (
    DEFAULT_MAX_PIXELS,
    BrokenImage,
    ImageTooLarge,
    NotAnImage,
    encode_image,
    open_image,
)

STATIC = Path(str(resources.files("colorgan.server") / "static"))
FORMATS = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg")}
SIZE_CHOICES = (128, 192, 256, 384, 512)
# Multipart framing around the file: allowed on top of the upload limit.
FORM_OVERHEAD = 64 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """What one server accepts and how much work it takes on at once."""

    max_upload_bytes: int = 20 * 1024 * 1024
    max_pixels: int = DEFAULT_MAX_PIXELS
    workers: int = 1
    queue: int = 4  # requests waiting for a worker before 503
    timeout_seconds: float = 120.0


class Busy(Exception):
    """Every worker and queue slot is taken."""


class WorkerPool:
    """A fixed number of model workers with a bounded queue in front of them."""

    def __init__(self, limits: ServerLimits):
        self.limits = limits
        self.executor = ThreadPoolExecutor(max_workers=limits.workers,
                                           thread_name_prefix="colorize")
        self.in_flight = 0

    async def run(self, work, *args):
        if self.in_flight >= self.limits.workers + self.limits.queue:
            raise Busy
        self.in_flight += 1
        future = self.executor.submit(work, *args)
        # The slot frees when the work really ends, even after a timeout answered the client.
        future.add_done_callback(lambda _: self._release())
        return await asyncio.wait_for(asyncio.wrap_future(future), self.limits.timeout_seconds)

    def _release(self) -> None:
        self.in_flight -= 1


def create_app(colorizer: Colorizer, limits: ServerLimits = ServerLimits()) -> FastAPI:
    """The web app around one loaded model."""
    app = FastAPI(title="colorgan", version=__version__,
                  description="Color black-and-white photos with a GAN.")
    pool = WorkerPool(limits)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.middleware("http")
    async def refuse_oversized_bodies(request: Request, call_next):
        # Checked before the body is read, so a huge upload is never buffered.
        if request.url.path == "/api/colorize" and request.method == "POST":
            length = request.headers.get("content-length")
            if length is None:
                return JSONResponse({"detail": "Content-Length required"}, status_code=411)
            if int(length) > limits.max_upload_bytes + FORM_OVERHEAD:
                return _too_large(limits)
        return await call_next(request)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/api/health")
    async def health() -> dict:
        """Liveness and load."""
        return {"status": "ok", "version": __version__, "busy": pool.in_flight}

    @app.get("/api/models")
    async def models() -> dict:
        """The loaded model and the working sizes the page offers."""
        return {"models": [{"name": "default", "preset": colorizer.config.get("preset"),
                            "trained_size": colorizer.config.get("size")}],
                "sizes": list(SIZE_CHOICES), "default_size": DEFAULT_WORKING_SIZE,
                "max_vividness": MAX_VIVIDNESS,
                "formats": list(FORMATS), "max_upload_bytes": limits.max_upload_bytes,
                "max_pixels": limits.max_pixels}

    @app.post("/api/colorize", response_class=Response, responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}}},
        413: {"description": "upload or image too large"},
        415: {"description": "not an image"}, 422: {"description": "broken image"},
        503: {"description": "busy: retry later"}, 504: {"description": "took too long"}})
    async def colorize(file: Annotated[UploadFile, File(description="the photo")],
                       size: Annotated[int, Form(ge=32, le=1024)] = DEFAULT_WORKING_SIZE,
                       vividness: Annotated[float, Form(ge=0, le=MAX_VIVIDNESS)] = 1.0,
                       format: Annotated[Literal["png", "jpg"], Form()] = "png") -> Response:
        """Color one photo; the answer is the image at the photo's own size.

        vividness scales the colors: 1 as the model colors them, above 1 stronger, 0 gray.
        """
        content = await file.read(limits.max_upload_bytes + 1)
        if len(content) > limits.max_upload_bytes:
            return _too_large(limits)
        file_format, media_type = FORMATS[format]
        try:
            encoded = await pool.run(_colorize_bytes, colorizer.with_vividness(vividness),
                                     content, size, file_format, limits.max_pixels)
        except Busy:
            raise HTTPException(503, "busy: too many photos in progress, retry shortly",
                                headers={"Retry-After": "5"}) from None
        except TimeoutError:
            raise HTTPException(504, "coloring took too long") from None
        except ImageTooLarge as error:
            raise HTTPException(413, _without_label(error)) from None
        except NotAnImage as error:
            raise HTTPException(415, _without_label(error)) from None
        except BrokenImage as error:
            raise HTTPException(422, _without_label(error)) from None
        stem = Path(file.filename or "photo").stem or "photo"
        return Response(encoded, media_type=media_type, headers={
            "Content-Disposition": f'attachment; filename="{_safe(stem)}-color.{format}"'})

    return app


def _colorize_bytes(colorizer: Colorizer, content: bytes, size: int, file_format: str,
                    max_pixels: int) -> bytes:
    image = open_image(content, max_pixels, name="upload")
    return encode_image(colorizer.colorize(image, size), file_format)


def _too_large(limits: ServerLimits) -> JSONResponse:
    return JSONResponse({"detail": f"upload over the limit of "
                                   f"{limits.max_upload_bytes / 2**20:.0f} MB"}, status_code=413)


def _without_label(error: Exception) -> str:
    return str(error).removeprefix("upload: ")


def _safe(stem: str) -> str:
    """A filename part that cannot break the header or name a path."""
    return "".join(c for c in stem if c.isalnum() or c in "-_ .")[:80] or "photo"
