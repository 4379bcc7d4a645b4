"""Starting the server: a private temporary folder for uploads, then uvicorn."""

import os
import re
import shutil
import socket
import tempfile
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from colorgan.atomic import process_is_alive
from colorgan.inference.colorize import Colorizer
from colorgan.server.app import create_app
from colorgan.server.guards import LOOPBACK_HOSTS
from colorgan.server.limits import ServerLimits

UPLOADS_PREFIX = "colorgan-uploads-"
HEADER_TIMEOUT_SECONDS = 10.0  # to send a request's head; its body has ServerLimits' timeout
MAX_CONNECTIONS = 100  # open connections and requests before uvicorn answers 503
UPLOADS_NAME = re.compile(rf"^{UPLOADS_PREFIX}(?P<pid>\d+)-")


class HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection that has sent no complete request
    head after HEADER_TIMEOUT_SECONDS: uvicorn alone would hold it open forever."""

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self.loop.call_later(HEADER_TIMEOUT_SECONDS, self._close_without_request)

    def _close_without_request(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()


def remove_stale_upload_folders(parent: Path) -> None:
    """Upload folders of servers that were killed (kill -9) before they could remove them."""
    for folder in parent.glob(f"{UPLOADS_PREFIX}*"):
        match = UPLOADS_NAME.match(folder.name)
        if match and folder.is_dir() and not process_is_alive(int(match["pid"])):
            shutil.rmtree(folder, ignore_errors=True)


WILDCARD_ADDRESSES = ("", "0.0.0.0", "::")


def served_hosts(bound: str, extra: Sequence[str] = ()) -> list[str]:
    """The Host names a server bound to `bound` answers: the loopback names, the bound name,
    and those given; bound to every address, also this machine's own name and addresses (those
    its name resolves to, and the one it reaches its network from)."""
    hosts = [*LOOPBACK_HOSTS, *extra]
    if bound not in WILDCARD_ADDRESSES:
        return [*hosts, bound]
    name = socket.gethostname()
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(name, None)}
    except OSError:  # a machine whose own name does not resolve
        addresses = set()
    addresses.update(network_addresses())
    return [*hosts, name, socket.getfqdn(), *sorted(addresses)]


def network_addresses() -> set[str]:
    """The addresses this machine reaches its networks from (IPv4, IPv6), where it has them:
    on many machines the name resolves to loopback alone, yet visitors come by these."""
    found = set()
    for family, documentation_address in ((socket.AF_INET, "192.0.2.1"),
                                          (socket.AF_INET6, "2001:db8::1")):
        with socket.socket(family, socket.SOCK_DGRAM) as probe:
            try:
                probe.connect((documentation_address, 9))  # picks a route; sends nothing
            except OSError:
                continue
            found.add(probe.getsockname()[0])
    return found


def serve(host: str, port: int, colorizer: Colorizer, limits: ServerLimits,
          allowed_hosts: Sequence[str] = ()) -> None:
    """Serve until interrupted; uploads that spill to disk stay in a folder only we can read."""
    parent = Path(tempfile.gettempdir())
    remove_stale_upload_folders(parent)
    private = tempfile.mkdtemp(prefix=f"{UPLOADS_PREFIX}{os.getpid()}-")  # mode 0700
    tempfile.tempdir = private
    try:
        hosts = served_hosts(host, allowed_hosts)
        print(f"colorgan: open http://{host}:{port}/ (API docs at /docs); answering for "
              f"{', '.join(hosts)} (more with --allow-host)", flush=True)
        uvicorn.run(create_app(colorizer, limits, hosts), host=host, port=port,
                    log_level="warning",
                    http=HeaderTimeoutProtocol, limit_concurrency=MAX_CONNECTIONS)
    finally:
        tempfile.tempdir = None
        shutil.rmtree(private, ignore_errors=True)
