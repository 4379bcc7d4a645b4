"""ASGI guards around the app, outermost first: security headers on every answer (the
guards' own refusals included), the Host allowlist against DNS rebinding, the upload limit
on the bytes that actually arrive, and the timeout for a body that stops arriving."""

import asyncio
import ipaddress
from collections.abc import Iterable

from fastapi.responses import JSONResponse

# A browser page on another site can reach a server on localhost through DNS rebinding (its
# own name resolved to 127.0.0.1): only answering the names the server is known by stops it.
LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1")


class SecurityHeaders:
    """Headers that stop browsers from sniffing types, framing the page or running foreign
    scripts, on every answer; and, where a browser honours them, those that isolate the page.

    onnxruntime-web runs its threads in workers that share memory, which needs a cross-origin
    isolated page. Browsers grant that only to a trustworthy origin (this computer, or HTTPS)
    and log an error for the headers anywhere else, so they are sent only there."""

    ISOLATION = [(b"cross-origin-opener-policy", b"same-origin"),
                 (b"cross-origin-embedder-policy", b"require-corp")]
    HEADERS = [(b"x-content-type-options", b"nosniff"),
               (b"x-frame-options", b"DENY"),
               (b"referrer-policy", b"no-referrer"),
               (b"content-security-policy",
                b"default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; img-src 'self' "
                b"blob: data:; style-src 'self' 'unsafe-inline'; object-src 'none'; "
                b"base-uri 'none'; frame-ancestors 'none'")]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        headers = self.HEADERS + (self.ISOLATION if trustworthy(scope) else [])

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *headers]}
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


class AllowedHosts:
    """Answers 400 to a request whose Host header names none of the hosts this server
    serves ("*" among them accepts any)."""

    def __init__(self, app, hosts: Iterable[str]):
        self.app = app
        self.hosts = {host.lower().strip("[]") for host in hosts}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or "*" in self.hosts:
            return await self.app(scope, receive, send)
        header = dict(scope["headers"]).get(b"host", b"").decode("latin-1")
        if host_name(header) in self.hosts:
            return await self.app(scope, receive, send)
        answer = JSONResponse({"detail": f"this server does not answer for the host "
                                         f"{header[:100]!r}; start it with --allow-host NAME "
                                         "to serve that name"}, 400)
        await answer(scope, receive, send)


def trustworthy(scope) -> bool:
    """Whether a browser counts the page's origin as potentially trustworthy (the W3C Secure
    Contexts rule): HTTPS, or a loopback host."""
    if scope.get("scheme") == "https":
        return True
    host = host_name(dict(scope["headers"]).get(b"host", b"").decode("latin-1"))
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def host_name(header: str) -> str:
    """The host of a Host header, without its port: "[::1]:8000" -> "::1"."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1:header.find("]")] if "]" in header else ""
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class UploadLimit:
    """Refuses request bodies over `max_bytes`: at once by a Content-Length over it, and
    413 as soon as the bytes received pass it, whatever the framing claimed. A request that
    gives both Content-Length and Transfer-Encoding frames itself two ways: 400. Paths in
    `needs_length` must declare their length (411), as uploads from browsers and curl do."""

    def __init__(self, app, max_bytes: int, message: str, needs_length: Iterable[str] = ()):
        self.app, self.max_bytes, self.message = app, max_bytes, message
        self.needs_length = set(needs_length)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope["headers"])
        length = headers.get(b"content-length")
        refusal = None
        if length is not None and b"transfer-encoding" in headers:
            refusal = (400, "the request gives both Content-Length and Transfer-Encoding")
        elif length is not None and not length.isdigit():
            refusal = (400, "Content-Length is not a number")
        elif length is not None and int(length) > self.max_bytes:
            refusal = (413, self.message)
        elif length is None and scope["path"] in self.needs_length \
                and scope["method"] == "POST":
            refusal = (411, "Content-Length required")
        if refusal:
            answer = JSONResponse({"detail": refusal[1]}, refusal[0],
                                  headers={"Connection": "close"})
            return await answer(scope, _no_body, send)
        received, over, answered = 0, False, False

        async def counted_receive():
            nonlocal received, over
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    over = True
                    raise BodyTooLarge
            return message

        async def guarded_send(message):
            nonlocal answered
            if over:  # whatever the app made of the cut body (FastAPI: 400), it is 413
                if not answered:
                    answered = True
                    await self._refuse(scope, send)
                return
            answered = answered or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, guarded_send)
        except Exception:
            if not over:
                raise
        if over and not answered:
            await self._refuse(scope, send)

    async def _refuse(self, scope, send) -> None:
        answer = JSONResponse({"detail": self.message}, 413, headers={"Connection": "close"})
        await answer(scope, _no_body, send)


class BodyTooLarge(Exception):
    """More request body arrived than the limit allows."""
