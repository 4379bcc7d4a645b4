"""FastAPI app: the page at /, the HTTP API under /api, OpenAPI docs at /docs (served from
the package: they work offline).

Model work runs in a bounded worker pool off the event loop; when the pool and its queue are
full the server answers 503 with Retry-After instead of piling up memory.
"""

import asyncio
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from colorgan import __version__
from colorgan.colorize import MAX_VIVIDNESS, Colorizer
from colorgan.hints import MAX_HINTS, HintError, hints_from_json
from colorgan.imageio import (
    BrokenImage,
    ImageTooLarge,
    NotAnImage,
    encode_image,
    image_pixels,
    open_image,
)
from colorgan.server.limits import ServerLimits
from colorgan.settings import DEFAULT_WORKING_SIZE

STATIC = Path(str(resources.files("colorgan.server") / "static"))
# Swagger UI 5 (OpenAPI 3.1, which FastAPI writes), as fastapi-offline ships it for offline use.
SWAGGER_UI = Path(str(resources.files("fastapi_offline") / "static"))
FORMATS = {"png": ("PNG", "image/png"), "jpg": ("JPEG", "image/jpeg")}
SIZE_CHOICES = (128, 192, 256, 384, 512)
BROWSER_MODEL_PATH = "/api/model.onnx"
BROWSER_WEIGHTS_PATH = "/api/model.weights"  # the weights that model reads, if it shares them
HINTS_FIELD = ('a JSON list of up to 256 hints, [{"x": 120, "y": 80, "color": "#c0392b"}]: '
               "x, y in the photo's pixels from its top left; only the color's chroma is "
               "used, the photo keeps its lightness")
# Multipart framing around the file: allowed on top of the upload limit.
FORM_OVERHEAD = 64 * 1024


class Busy(Exception):
    """Every worker and queue slot is taken, or the work waiting is already too large."""


class WorkerPool:
    """A fixed number of model workers with a queue bounded in requests and in pixels: a
    queue of ten 1 MP photos is short, a queue of two 25 MP ones is not."""

    def __init__(self, limits: ServerLimits):
        self.limits = limits
        self.executor = ThreadPoolExecutor(max_workers=limits.workers,
                                           thread_name_prefix="colorize")
        self.in_flight = 0
        self.pixels_in_flight = 0

    async def run(self, pixels: int, work, *args):
        """Run work(*args) on a worker; `pixels` is its size, counted against the queue."""
        if (self.in_flight >= self.limits.workers + self.limits.queue
                or (self.in_flight and self.pixels_in_flight + pixels > self.limits.queue_pixels)):
            raise Busy
        self.in_flight += 1
        self.pixels_in_flight += pixels
        future = self.executor.submit(work, *args)
        # The slot frees when the work really ends, even after a timeout answered the client.
        future.add_done_callback(lambda _: self._release(pixels))
        return await asyncio.wait_for(asyncio.wrap_future(future), self.limits.timeout_seconds)

    def _release(self, pixels: int) -> None:
        self.in_flight -= 1
        self.pixels_in_flight -= pixels


def create_app(colorizer: Colorizer, limits: ServerLimits | None = None) -> FastAPI:
    """The web app around one loaded model."""
    limits = limits or ServerLimits()
    app = FastAPI(title="colorgan", version=__version__,
                  description="Color black-and-white photos with a GAN.",
                  docs_url=None, redoc_url=None)  # /docs is served below, without a CDN
    pool = WorkerPool(limits)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger")
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyTimeout, seconds=limits.body_timeout_seconds)

    @app.middleware("http")
    async def refuse_oversized_bodies(request: Request, call_next):
        # Checked before the body is read, so a huge upload is never buffered.
        if request.url.path == "/api/colorize" and request.method == "POST":
            length = request.headers.get("content-length")
            if length is None:
                return JSONResponse({"detail": "Content-Length required"}, status_code=411)
            if not length.isdigit():
                return JSONResponse({"detail": "Content-Length is not a number"},
                                    status_code=400)
            if int(length) > limits.max_upload_bytes + FORM_OVERHEAD:
                return _too_large(limits)
        return await call_next(request)

    @app.get("/", include_in_schema=False)
    async def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    @app.get("/docs", include_in_schema=False)
    async def docs() -> FileResponse:
        return FileResponse(STATIC / "docs.html")

    @app.get("/api/health")
    async def health() -> dict:
        """Liveness and load."""
        return {"status": "ok", "version": __version__, "busy": pool.in_flight}

    @app.get("/api/models")
    async def models() -> dict:
        """The loaded model and the working sizes the page offers."""
        return {"models": [{"name": "default", "preset": colorizer.config.get("preset"),
                            "backend": colorizer.backend,
                            "trained_size": colorizer.config.get("size")}],
                "sizes": list(SIZE_CHOICES), "default_size": DEFAULT_WORKING_SIZE,
                "max_vividness": MAX_VIVIDNESS, "default_vividness": colorizer.vividness,
                "formats": list(FORMATS), "max_upload_bytes": limits.max_upload_bytes,
                "max_pixels": limits.max_pixels, "hints": colorizer.takes_hints,
                "max_hints": MAX_HINTS,
                "browser_model": BROWSER_MODEL_PATH if colorizer.onnx_file else None,
                "browser_model_weights": {"path": colorizer.onnx_weights.name,
                                          "url": BROWSER_WEIGHTS_PATH}
                if colorizer.onnx_weights else None}

    @app.get(BROWSER_MODEL_PATH, response_class=FileResponse, responses={
        200: {"content": {"application/octet-stream": {}}},
        404: {"description": "the loaded model has no ONNX form"}})
    async def browser_model() -> FileResponse:
        """The loaded model as ONNX, which the page runs with onnxruntime-web to color a
        photo in the browser itself."""
        if colorizer.onnx_file is None:
            raise HTTPException(404, "the loaded model has no ONNX form; serve a model "
                                     "exported with `colorgan export MODEL model.onnx`")
        return FileResponse(colorizer.onnx_file, media_type="application/octet-stream",
                            filename="colorgan.onnx")

    @app.get(BROWSER_WEIGHTS_PATH, response_class=FileResponse, responses={
        200: {"content": {"application/octet-stream": {}}},
        404: {"description": "the loaded model's ONNX form holds its own weights"}})
    async def browser_model_weights() -> FileResponse:
        """The safetensors file the model's ONNX form reads its weights from (ONNX external
        data, as the bundled model ships): the page hands it to onnxruntime-web."""
        if colorizer.onnx_weights is None:
            raise HTTPException(404, "the loaded model's ONNX form holds its own weights")
        return FileResponse(colorizer.onnx_weights, media_type="application/octet-stream",
                            filename=colorizer.onnx_weights.name)

    @app.post("/api/colorize", response_class=Response, responses={
        200: {"content": {"image/png": {}, "image/jpeg": {}}},
        413: {"description": "upload or image too large"},
        415: {"description": "not an image"}, 422: {"description": "broken image"},
        503: {"description": "busy: retry later"}, 504: {"description": "took too long"}})
    async def colorize(file: Annotated[UploadFile, File(description="the photo")],
                       size: Annotated[int, Form(ge=32, le=1024)] = DEFAULT_WORKING_SIZE,
                       vividness: Annotated[float | None, Form(ge=0, le=MAX_VIVIDNESS)] = None,
                       format: Annotated[Literal["png", "jpg"], Form()] = "png",
                       hints: Annotated[str | None, Form(description=HINTS_FIELD)] = None
                       ) -> Response:
        """Color one photo; the answer is the image at the photo's own size.

        vividness scales the colors: 1 as the model colors them, above 1 stronger, 0 gray;
        left out, the model's default (GET /api/models: default_vividness). hints: colors
        a person knows at points of the photo (422 if the model takes none: GET /api/models).
        """
        content = await file.read(limits.max_upload_bytes + 1)
        if len(content) > limits.max_upload_bytes:
            return _too_large(limits)
        file_format, media_type = FORMATS[format]
        try:
            photo_hints = hints_from_json(hints) if hints else []
            pixels = image_pixels(content, limits.max_pixels)  # the header only: no work yet
            chosen = colorizer if vividness is None else colorizer.with_vividness(vividness)
            encoded = await pool.run(pixels, _colorize_bytes, chosen, content, size,
                                     file_format, limits.max_pixels, photo_hints)
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
        except HintError as error:
            raise HTTPException(422, str(error)) from None
        stem = Path(file.filename or "photo").stem or "photo"
        return Response(encoded, media_type=media_type,
                        headers={"Content-Disposition": attachment(f"{stem}-color.{format}")})

    return app


def attachment(name: str) -> str:
    """A Content-Disposition for any file name (RFC 6266): an ASCII fallback for old clients,
    and the name itself, percent-encoded as UTF-8 (RFC 5987), for the rest."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_ .") else "_"
                       for c in name)[-100:]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name[-200:], safe='')}"


class SecurityHeaders:
    """Headers that stop browsers from sniffing types, framing the page or running foreign
    scripts, on every answer."""

    HEADERS = [(b"x-content-type-options", b"nosniff"),
               (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"no-referrer"),
               # onnxruntime-web compiles its WebAssembly and runs its threads in workers
               # that share memory, which needs a cross-origin isolated page.
               (b"cross-origin-opener-policy", b"same-origin"),
               (b"cross-origin-embedder-policy", b"require-corp"),
               (b"content-security-policy",
                b"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' "
                b"blob: data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
                b"base-uri 'none'; frame-ancestors 'none'")]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.HEADERS]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class BodyTimeout:
    """Answers 408 to a client that sends nothing of its request body for `seconds`, so
    half-sent uploads cannot hold the server's connections and memory."""

    def __init__(self, app, seconds: float):
        self.app, self.seconds = app, seconds

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        body_done, timed_out, answered = False, False, False

        async def timed_receive():
            nonlocal body_done, timed_out
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.seconds)
            except TimeoutError:
                timed_out = True
                raise
            body_done = message["type"] != "http.request" or not message.get("more_body")
            return message

        async def guarded_send(message):
            nonlocal answered
            if timed_out:  # whatever the app made of the missing body, the answer is 408
                if not answered:
                    answered = True
                    await _slow_client(scope, send)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, timed_receive, guarded_send)
        except TimeoutError:
            if not answered:
                await _slow_client(scope, send)


async def _slow_client(scope, send) -> None:
    answer = JSONResponse({"detail": "the request body stopped arriving: timed out"}, 408,
                          headers={"Connection": "close"})
    await answer(scope, _no_body, send)


async def _no_body():
    return {"type": "http.disconnect"}


def _colorize_bytes(colorizer: Colorizer, content: bytes, size: int, file_format: str,
                    max_pixels: int, hints: list) -> bytes:
    image = open_image(content, max_pixels, name="upload")
    return encode_image(colorizer.colorize(image, size, hints), file_format)


def _too_large(limits: ServerLimits) -> JSONResponse:
    return JSONResponse({"detail": f"upload over the limit of "
                                   f"{limits.max_upload_bytes / 2**20:.0f} MB"}, status_code=413)


def _without_label(error: Exception) -> str:
    return str(error).removeprefix("upload: ")

