import asyncio
import io
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from fastapi.testclient import TestClient
from PIL import Image

from colorgan.inference.colorize import Colorizer
from colorgan.server.app import ServerLimits, create_app
from colorgan.server.guards import UploadLimit
from colorgan.server.pool import Abandoned, Busy, WorkerPool
from colorgan.server.run import served_hosts
from tests.conftest import color_photo, hinted_generator
from tests.servers import running_server


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    return Colorizer.load(device="cpu")


def local_client(app) -> TestClient:
    """A client that asks for the server by a loopback name, as a browser on the machine does."""
    return TestClient(app, base_url="http://127.0.0.1:8000")


def png_bytes(image: Image.Image, file_format: str = "PNG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, file_format)
    return buffer.getvalue()


def post(client: TestClient, content: bytes, name: str = "old.png", **fields):
    return client.post("/api/colorize", files={"file": (name, content, "image/png")},
                       data={key: str(value) for key, value in fields.items()})


def test_colorize_returns_an_image_of_the_input_size(colorizer):
    client = local_client(create_app(colorizer))
    answer = post(client, png_bytes(color_photo(1, (90, 60)).convert("L")), size=64)
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert 'filename="old-color.png"' in answer.headers["content-disposition"]
    assert Image.open(io.BytesIO(answer.content)).size == (90, 60)
    jpeg = post(client, png_bytes(color_photo(1, (90, 60)).convert("L")), size=64, format="jpg")
    assert jpeg.headers["content-type"] == "image/jpeg"
    assert Image.open(io.BytesIO(jpeg.content)).format == "JPEG"


def test_vividness_field_scales_colors_and_is_checked(colorizer):
    client = local_client(create_app(colorizer))
    gray = png_bytes(color_photo(1, (90, 60)).convert("L"))
    spreads = {}
    for vividness in (0, 1, 2):
        answer = post(client, gray, size=64, vividness=vividness)
        assert answer.status_code == 200
        rgb = np.asarray(Image.open(io.BytesIO(answer.content)).convert("RGB"), int)
        spreads[vividness] = np.abs(rgb - rgb[..., :1]).mean()
    assert spreads[0] < 0.5 < spreads[1] < spreads[2]
    assert post(client, gray, vividness=3.5).status_code == 422
    assert client.get("/api/models").json()["max_vividness"] == 3


def test_health_models_page_and_docs(colorizer):
    client = local_client(create_app(colorizer))
    assert client.get("/api/health").json()["status"] == "ok"
    models = client.get("/api/models").json()
    assert models["models"][0]["preset"] == colorizer.config["preset"]
    assert 256 in models["sizes"]
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert "http" not in client.get("/static/app.js").text.replace("/api", "")  # no CDN
    assert client.get("/docs").status_code == 200
    assert "/api/colorize" in client.get("/openapi.json").json()["paths"]


def test_bad_uploads_get_clear_4xx_answers(colorizer):
    client = local_client(create_app(colorizer, ServerLimits(max_upload_bytes=50_000,
                                                           max_pixels=10_000)))
    not_image = post(client, b"hello there, not a photo", name="note.txt")
    assert not_image.status_code == 415 and "not an image" in not_image.json()["detail"]
    whole = png_bytes(color_photo(2, (80, 80)), "JPEG")
    truncated = post(client, whole[: len(whole) // 2], name="cut.jpg")
    assert truncated.status_code == 422 and "truncated" in truncated.json()["detail"]
    too_many_pixels = post(client, png_bytes(Image.new("L", (200, 200))))
    assert too_many_pixels.status_code == 413
    assert "40,000 pixels, over the limit of 10,000 pixels" in too_many_pixels.json()["detail"]
    too_big = post(client, b"\0" * 200_000, name="huge.png")
    assert too_big.status_code == 413 and "upload over the limit" in too_big.json()["detail"]
    malformed = post(client, b"P6\nabc def\n255\n" + bytes(12), name="odd.jpg")
    assert malformed.status_code == 422 and "broken image header" in malformed.json()["detail"]
    bad_size = post(client, png_bytes(Image.new("L", (20, 20))), size=5)
    assert bad_size.status_code == 422
    assert client.get("/api/health").json()["status"] == "ok"  # still serving


class SlowColorizer:
    """Stands in for a model that takes a while, to fill the worker pool."""

    def __init__(self, real: Colorizer, seconds: float):
        self.real, self.seconds, self.config = real, seconds, real.config
        self.onnx_file = self.onnx_weights = None

    def with_vividness(self, vividness):
        return self

    def colorize(self, image, size, hints=()):
        time.sleep(self.seconds)
        return self.real.colorize(image, size, hints)


def test_full_queue_answers_503_with_retry_after_and_slow_work_times_out(colorizer):
    limits = ServerLimits(workers=1, queue=1, timeout_seconds=0.5)
    client = local_client(create_app(SlowColorizer(colorizer, 1.5), limits))
    photo = png_bytes(Image.new("L", (16, 16)))
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(post(client, photo, size=32)))
               for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    codes = sorted(answer.status_code for answer in answers)
    assert 503 in codes and 504 in codes
    busy = next(answer for answer in answers if answer.status_code == 503)
    assert busy.headers["retry-after"] == "5"


@pytest.mark.parametrize("name", ["фото.png", "照片.png", "semi;colon, name.png"])
def test_any_file_name_gets_its_colored_photo_with_an_encoded_name(colorizer, name):
    client = local_client(create_app(colorizer))
    answer = post(client, png_bytes(Image.new("L", (40, 30))), name=name, size=32)
    assert answer.status_code == 200
    disposition = answer.headers["content-disposition"]
    assert disposition.isascii() and "\n" not in disposition
    stem = name.rsplit(".", 1)[0]
    assert f"filename*=UTF-8''{quote(stem + '-color.png', safe='')}" in disposition


def test_every_answer_carries_the_security_headers_and_docs_work_offline(colorizer):
    client = local_client(create_app(colorizer))
    answers = [client.get(path) for path in ("/", "/api/health", "/docs", "/static/app.js")]
    answers.append(post(client, b"not a photo"))
    for answer in answers:
        assert answer.headers["x-content-type-options"] == "nosniff"
        assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
        # cross-origin isolated, so onnxruntime-web may run threads in the page
        assert answer.headers["cross-origin-opener-policy"] == "same-origin"
        assert answer.headers["cross-origin-embedder-policy"] == "require-corp"
    docs = client.get("/docs").text
    assert "//" not in docs.replace("<!doctype", "")  # every asset from this server
    for asset in ("/swagger-ui/swagger-ui-bundle.js", "/swagger-ui/swagger-ui.css",
                  "/static/docs.js"):
        assert asset in docs and client.get(asset).status_code == 200


def test_the_server_has_its_own_lower_pixel_limit(colorizer):
    client = local_client(create_app(colorizer))
    bomb = png_bytes(Image.new("L", (6000, 5000)))  # 30 MP in a few kilobytes
    assert len(bomb) < 200_000
    answer = post(client, bomb)
    assert answer.status_code == 413 and "limit of 25 MP" in answer.json()["detail"]


def test_the_queue_counts_pixels_so_one_huge_photo_fills_it():
    pool = WorkerPool(ServerLimits(workers=1, queue=4, queue_pixels=1000))
    release = threading.Event()

    async def scenario():
        first = asyncio.ensure_future(pool.run(800, still_here, release.wait))
        await asyncio.sleep(0.05)
        with pytest.raises(Busy):
            await pool.run(300, still_here, lambda: None)  # 1100 pixels waiting or in work
        small = asyncio.ensure_future(pool.run(150, still_here, lambda: "small"))
        release.set()
        return await first, await small

    assert asyncio.run(scenario()) == (True, "small")
    assert pool.in_flight == 0 and pool.pixels_in_flight == 0


async def still_here() -> bool:
    return False


def test_queued_work_whose_client_left_never_runs_and_frees_its_slot_at_once():
    pool = WorkerPool(ServerLimits(workers=1, queue=4))
    release = threading.Event()
    ran = []
    left = asyncio.Event()

    async def gone() -> bool:
        return left.is_set()

    async def scenario():
        first = asyncio.ensure_future(pool.run(10, still_here, release.wait))
        await asyncio.sleep(0.05)
        queued = asyncio.ensure_future(pool.run(10, gone, lambda: ran.append("queued")))
        await asyncio.sleep(0.05)
        assert pool.in_flight == 2
        left.set()  # the page moved on: its request was aborted
        with pytest.raises(Abandoned):
            await asyncio.wait_for(queued, 5)
        assert pool.in_flight == 1  # while the first is still at work
        release.set()
        return await first

    assert asyncio.run(scenario()) is True
    assert ran == [] and pool.in_flight == 0


@pytest.mark.slow
def test_a_body_that_stops_arriving_gets_408_and_one_framed_two_ways_400(colorizer):
    with running_server("--body-timeout", "1") as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=20) as client:
            client.sendall(b"POST /api/colorize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: 5000\r\n"
                           b"Content-Type: multipart/form-data; boundary=b\r\n\r\n--b\r\n")
            started = time.monotonic()
            answer = client.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer[:200]
        assert time.monotonic() - started < 10
        with socket.create_connection(("127.0.0.1", port), timeout=20) as client:
            client.sendall(b"POST /api/colorize HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                           b"Content-Length: 5\r\nTransfer-Encoding: chunked\r\n"
                           b"Content-Type: multipart/form-data; boundary=b\r\n\r\n")
            answer = b""
            while chunk := client.recv(4096):  # the server closes the connection
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 400"), answer[:200]
        assert b"both Content-Length and Transfer-Encoding" in answer


@pytest.mark.slow
def test_a_connection_that_never_finishes_its_request_head_is_closed(colorizer):
    with running_server() as (url, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=30) as client:
            client.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # no end, ever
            started = time.monotonic()
            assert client.recv(4096) == b""  # closed by the server
            assert time.monotonic() - started < 20


@pytest.mark.slow
def test_sigterm_removes_the_upload_folder_and_a_start_removes_a_killed_servers(tmp_path):
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = Path(tempfile.gettempdir()) / f"colorgan-uploads-{dead.pid}-abcd"
    stale.mkdir(exist_ok=True)
    (stale / "half-upload").write_bytes(b"x")
    with running_server() as (_, process):
        assert not stale.exists()
        assert list(Path(tempfile.gettempdir()).glob(f"colorgan-uploads-{process.pid}-*"))
    assert process.returncode is not None  # running_server stopped it with SIGTERM
    assert not list(Path(tempfile.gettempdir()).glob(f"colorgan-uploads-{process.pid}-*"))


def test_hints_field_colors_where_the_hints_are_and_bad_hints_are_422():
    hinted = Colorizer(hinted_generator(), {"preset": "efficientnet-unet-hints"}, "cpu")
    client = local_client(create_app(hinted))
    assert client.get("/api/models").json()["hints"] is True
    gray = png_bytes(color_photo(4, (301, 157)).convert("L"))

    def rgb(answer) -> np.ndarray:
        assert answer.status_code == 200, answer.text
        return np.asarray(Image.open(io.BytesIO(answer.content)).convert("RGB"), np.float32)

    plain = rgb(post(client, gray, size=64))
    hints = '[{"x": 290, "y": 150, "color": "#00ff00"}]'
    changed = np.abs(rgb(post(client, gray, size=64, hints=hints)) - plain).sum(-1)
    assert changed[130:, 260:].mean() > 4 * changed[60:100, 120:180].mean()
    assert np.array_equal(rgb(post(client, gray, size=64, hints="[]")), plain)
    for bad, message in (("[{", "not valid JSON"), ('[{"x": 400, "y": 1, "color": "#00ff00"}]',
                                                     "outside the 301x157 photo"),
                         ('[{"x": 4, "y": 1, "color": "green"}]', "color")):
        answer = post(client, gray, size=64, hints=bad)
        assert answer.status_code == 422 and message in answer.json()["detail"]
    too_many = "[" + ",".join(['{"x": 1, "y": 1, "color": "#000000"}'] * 257) + "]"
    assert post(client, gray, hints=too_many).status_code == 422
    schema = client.get("/openapi.json").json()
    form = next(iter(schema["components"]["schemas"].values()))
    assert "hints" in form["properties"]
    from colorgan.models import get_preset

    automatic = local_client(create_app(Colorizer(
        get_preset("efficientnet-unet").build_generator(False), {"preset": "efficientnet-unet"})))
    assert automatic.get("/api/models").json()["hints"] is False
    refused = post(automatic, gray, size=64, hints=hints)
    assert refused.status_code == 422 and "does not take color hints" in refused.text


def test_the_page_gets_the_model_as_onnx_to_color_in_the_browser(colorizer):
    client = local_client(create_app(colorizer))
    info = client.get("/api/models").json()
    where, weights = info["browser_model"], info["browser_model_weights"]
    answer = client.get(where)
    assert answer.status_code == 200
    assert answer.content == colorizer.onnx_file.read_bytes()
    # The bundled ONNX file reads its weights from the safetensors file beside it.
    assert weights["path"] == colorizer.onnx_weights.name == "default.safetensors"
    assert client.get(weights["url"]).content == colorizer.onnx_weights.read_bytes()
    paths = client.get("/openapi.json").json()["paths"]
    # The URLs name the model's version, so a page's cache of another model is not used.
    (path, version), (weights_path, weights_version) = (url.split("?v=") for url in
                                                        (where, weights["url"]))
    assert path in paths and weights_path in paths
    assert version == weights_version and len(version) == 16
    other = Colorizer(colorizer.generator, colorizer.config)
    other.onnx_file, other.onnx_weights = colorizer.onnx_file, None
    assert local_client(create_app(other)).get("/api/models").json()[
        "browser_model"] != where
    for asset in ("ort.wasm.min.js", "ort-wasm-simd-threaded.mjs",
                  "ort-wasm-simd-threaded.wasm"):  # the runtime, from the package
        vendored = client.get(f"/static/vendor/onnxruntime-web/{asset}")
        assert vendored.status_code == 200 and len(vendored.content) > 10_000
    assert client.get("/static/vendor/onnxruntime-web/ort-wasm-simd-threaded.wasm"
                      ).headers["content-type"] == "application/wasm"
    from colorgan.models import get_preset

    without = local_client(create_app(Colorizer(  # a model with no ONNX form
        get_preset("efficientnet-unet").build_generator(False), {"preset": "efficientnet-unet"})))
    assert without.get("/api/models").json()["browser_model"] is None
    missing = without.get(where)
    assert missing.status_code == 404 and "no ONNX form" in missing.json()["detail"]
    assert without.get("/api/models").json()["browser_model_weights"] is None
    assert without.get(weights["url"]).status_code == 404


SECURITY_HEADERS = ("x-content-type-options", "x-frame-options", "content-security-policy")


def test_the_page_is_isolated_only_where_browsers_honour_it(colorizer):
    # Elsewhere a browser ignores the isolation headers and logs an error for them.
    app = create_app(colorizer, hosts=["*"])
    for base, isolated in (("http://127.0.0.1:8000", True), ("http://[::1]", True),
                           ("http://localhost:8000", True), ("http://127.0.1.1", True),
                           ("http://photos.lan:8000", False), ("http://127.0.0.1.nip.io", False),
                           ("http://192.168.1.20", False), ("https://photos.lan", True)):
        headers = TestClient(app, base_url=base).get("/").headers
        assert ("cross-origin-opener-policy" in headers) is isolated, base
        assert ("cross-origin-embedder-policy" in headers) is isolated, base
        assert "content-security-policy" in headers


def test_only_the_hosts_a_server_serves_are_answered_against_dns_rebinding(colorizer):
    app = create_app(colorizer)
    for base in ("http://127.0.0.1:8000", "http://localhost", "http://[::1]:8000"):
        assert TestClient(app, base_url=base).get("/api/health").status_code == 200, base
    for base in ("http://evil.example", "http://127.0.0.1.evil.example:8000", "http://[::2]"):
        answer = TestClient(app, base_url=base).get("/api/health")
        assert answer.status_code == 400 and "--allow-host" in answer.json()["detail"], base
        assert all(name in answer.headers for name in SECURITY_HEADERS)
    named = create_app(colorizer, hosts=served_hosts("photos.lan", ["archive.example"]))
    for base in ("http://photos.lan:8000", "http://archive.example", "http://localhost"):
        assert TestClient(named, base_url=base).get("/api/health").status_code == 200, base
    anyone = create_app(colorizer, hosts=["*"])
    assert TestClient(anyone, base_url="http://evil.example").get("/").status_code == 200


def test_every_answer_carries_the_security_headers_and_health_answers_head(colorizer):
    client = local_client(create_app(colorizer, ServerLimits(max_upload_bytes=1000)))
    answers = {
        404: client.get("/no-such-page"),
        405: client.delete("/api/health"),
        411: client.post("/api/colorize", content=iter([b"x"])),  # chunked: no length
        413: client.post("/api/colorize", content=b"x" * 200_000),
        422: client.post("/api/colorize", data={"size": "64"}),
    }
    for status, answer in answers.items():
        assert answer.status_code == status, (status, answer.text)
        assert all(name in answer.headers for name in SECURITY_HEADERS), status
    head = client.head("/api/health")
    assert head.status_code == 200 and head.content == b""


def test_the_upload_limit_counts_the_bytes_that_arrive_whatever_was_declared():
    sent = []

    async def reading_app(scope, receive, send):
        while (await receive()).get("more_body"):
            pass
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"read it all"})

    async def endless_body():
        sent.append(1)
        return {"type": "http.request", "body": b"x" * 1000, "more_body": True}

    async def record(message):
        answers.append(message)

    answers = []
    guard = UploadLimit(reading_app, max_bytes=10_000, message="over the limit")
    scope = {"type": "http", "method": "POST", "path": "/anything", "headers": []}
    asyncio.run(guard(scope, endless_body, record))
    assert answers[0]["status"] == 413 and b"over the limit" in answers[1]["body"]
    assert len(sent) == 11  # it stopped reading at the first chunk past the limit


def test_a_long_thin_strip_is_refused_from_its_header_before_any_work(colorizer):
    client = local_client(create_app(colorizer))
    strip = png_bytes(Image.new("L", (300_000, 1)))
    started = time.monotonic()
    answer = post(client, strip)
    assert answer.status_code == 413 and "too long and thin" in answer.json()["detail"]
    assert time.monotonic() - started < 5


def test_headers_cut_short_and_bogus_bitmaps_are_4xx_never_500(colorizer):
    client = local_client(create_app(colorizer))
    jpeg = png_bytes(color_photo(2, (80, 80)), "JPEG")
    bitmap = bytearray(png_bytes(color_photo(2, (20, 20)), "BMP"))
    rng = np.random.default_rng(0)
    uploads = [jpeg[:cut] for cut in range(20, 400, 60)]
    for _ in range(40):
        broken = bytearray(bitmap)
        for index in rng.integers(0, 54, 3):
            broken[index] = int(rng.integers(0, 256))
        uploads.append(bytes(broken))
    for content in uploads:
        answer = post(client, content, name="odd.bmp", size=64)
        assert answer.status_code in (200, 413, 415, 422), (answer.status_code, answer.text)
