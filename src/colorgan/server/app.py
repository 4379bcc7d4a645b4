"""FastAPI app: the page at /, the HTTP API under /api, OpenAPI docs at /docs (served from
the package: they work offline).

Model work runs in a bounded worker pool off the event loop (server.pool); when the pool and
its queue are full the server answers 503 with Retry-After instead of piling up memory, and
work whose client has gone is dropped from the queue.
"""

import functools
import hashlib
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import FastAPI, File, Form, HTTPException, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from colorgan import __version__
from colorgan.inference.colorize import MAX_VIVIDNESS, Colorizer
from colorgan.inference.hints import MAX_HINTS, HintError, hints_from_json
from colorgan.inference.imageio import (
    BrokenImage,
    ImageReadError,
    ImageTooLarge,
    NotAnImage,
    encode_image,
    image_pixels,
    open_image,
)
from colorgan.server.guards import (
    LOOPBACK_HOSTS,
    AllowedHosts,
    BodyTimeout,
    SecurityHeaders,
    UploadLimit,
)
from colorgan.server.limits import ServerLimits
from colorgan.server.pool import Abandoned, Busy, WorkerPool
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


def create_app(colorizer: Colorizer, limits: ServerLimits | None = None,
               hosts: Iterable[str] = LOOPBACK_HOSTS) -> FastAPI:
    """The web app around one loaded model, answering requests for these host names."""
    limits = limits or ServerLimits()
    app = FastAPI(title="colorgan", version=__version__,
                  description="Color black-and-white photos with a GAN.",
                  docs_url=None, redoc_url=None)  # /docs is served below, without a CDN
    pool = WorkerPool(limits)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.mount("/swagger-ui", StaticFiles(directory=SWAGGER_UI), name="swagger")
    # The last added runs first: headers go on every answer, the guards' refusals included.
    app.add_middleware(BodyTimeout, seconds=limits.body_timeout_seconds)
    app.add_middleware(UploadLimit, max_bytes=limits.max_upload_bytes + FORM_OVERHEAD,
                       message=_too_large_message(limits), needs_length=["/api/colorize"])
    app.add_middleware(AllowedHosts, hosts=hosts)
    app.add_middleware(SecurityHeaders)

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

    app.add_api_route("/api/health", health, methods=["HEAD"], include_in_schema=False)

    @app.get("/api/models")
    async def models() -> dict:
        """The loaded model and the working sizes the page offers."""
        version = f"?v={model_version(colorizer)}" if colorizer.onnx_file else ""
        return {"models": [{"name": "default", "preset": colorizer.config.get("preset"),
                            "backend": colorizer.backend,
                            "trained_size": colorizer.config.get("size")}],
                "sizes": list(SIZE_CHOICES), "default_size": DEFAULT_WORKING_SIZE,
                "max_vividness": MAX_VIVIDNESS, "default_vividness": colorizer.vividness,
                "formats": list(FORMATS), "max_upload_bytes": limits.max_upload_bytes,
                "max_pixels": limits.max_pixels, "hints": colorizer.takes_hints,
                "max_hints": MAX_HINTS,
                # The URLs name the model's version: the page's cache of an older one is not
                # taken for this one.
                "browser_model": BROWSER_MODEL_PATH + version if colorizer.onnx_file else None,
                "browser_model_weights": {"path": colorizer.onnx_weights.name,
                                          "url": BROWSER_WEIGHTS_PATH + version}
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
    async def colorize(request: Request,
                       file: Annotated[UploadFile, File(description="the photo")],
                       size: Annotated[int, Form(ge=32, le=1024)] = DEFAULT_WORKING_SIZE,
                       vividness: Annotated[float | None, Form(ge=0, le=MAX_VIVIDNESS)] = None,
                       format: Annotated[Literal["png", "jpg"], Form()] = "png",
                       hints: Annotated[str | None, Form(description=HINTS_FIELD,
                                                         examples=["[]"])] = None
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
            encoded = await pool.run(pixels, request.is_disconnected, _colorize_bytes, chosen,
                                     content, size, file_format, limits.max_pixels, photo_hints)
        except Abandoned:  # nobody reads the answer; 499 as nginx logs a client that left
            return Response(status_code=499)
        except Busy:
            raise HTTPException(503, "busy: too many photos in progress, retry shortly",
                                headers={"Retry-After": "5"}) from None
        except TimeoutError:
            raise HTTPException(504, "coloring took too long") from None
        except ImageTooLarge as error:
            raise HTTPException(413, _without_label(error)) from None
        except NotAnImage as error:
            raise HTTPException(415, _without_label(error)) from None
        except (BrokenImage, ImageReadError) as error:
            raise HTTPException(422, _without_label(error)) from None
        except HintError as error:
            raise HTTPException(422, str(error)) from None
        stem = Path(file.filename or "photo").stem or "photo"
        return Response(encoded, media_type=media_type,
                        headers={"Content-Disposition": attachment(f"{stem}-color.{format}")})

    return app


def model_version(colorizer: Colorizer) -> str:
    """A short digest of the model's ONNX form and the weights it reads, hashed once per pair
    of files on the first ask (not at start-up)."""
    return _files_digest(colorizer.onnx_file, colorizer.onnx_weights)


@functools.cache
def _files_digest(*paths: Path | None) -> str:
    digest = hashlib.sha256()
    for path in paths:
        if path is not None:
            with open(path, "rb") as file:
                digest.update(hashlib.file_digest(file, "sha256").digest())
    return digest.hexdigest()[:16]


def attachment(name: str) -> str:
    """A Content-Disposition for any file name (RFC 6266): an ASCII fallback for old clients,
    and the name itself, percent-encoded as UTF-8 (RFC 5987), for the rest."""
    fallback = "".join(c if c.isascii() and (c.isalnum() or c in "-_ .") else "_"
                       for c in name)[-100:]
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name[-200:], safe='')}"


def _colorize_bytes(colorizer: Colorizer, content: bytes, size: int, file_format: str,
                    max_pixels: int, hints: list) -> bytes:
    image = open_image(content, max_pixels, name="upload")
    return encode_image(colorizer.colorize(image, size, hints), file_format)


def _too_large(limits: ServerLimits) -> JSONResponse:
    return JSONResponse({"detail": _too_large_message(limits)}, status_code=413)


def _too_large_message(limits: ServerLimits) -> str:
    return f"upload over the limit of {limits.max_upload_bytes / 2**20:.3g} MB"


def _without_label(error: Exception) -> str:
    return str(error).removeprefix("upload: ")

