"""`colorgan serve`: the web page and HTTP API around one model."""

import argparse

from colorgan.cli.options import COUNT, EXIT_OK, POSITIVE, add_backend, check_device, number
from colorgan.extras import require


def add(commands: argparse._SubParsersAction) -> None:
    from colorgan.server.limits import ServerLimits

    defaults = ServerLimits()
    parser = commands.add_parser("serve", help="the web app and HTTP API")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=number(int, least=0, most=65535), default=8000)
    parser.add_argument("--model", help="run folder, checkpoint or .safetensors "
                                        "(default: the bundled model)")
    parser.add_argument("--device", default="auto")
    add_backend(parser)
    parser.add_argument("--max-upload-mb", type=number(float, above=0, most=2**20),
                        default=20.0)
    parser.add_argument("--max-pixels", type=number(float, least=1),
                        default=defaults.max_pixels,
                        help="refuse larger images with 413 (default 25e6; the CLI's is 100e6)")
    parser.add_argument("--workers", type=COUNT, default=1, help="photos colored at once")
    parser.add_argument("--queue", type=number(int, least=0), default=4,
                        help="photos waiting before 503")
    parser.add_argument("--queue-pixels", type=number(float, least=1),
                        default=defaults.queue_pixels,
                        help="pixels waiting or in work before 503 (default 50e6)")
    parser.add_argument("--timeout", type=POSITIVE, default=120.0, help="seconds per request")
    parser.add_argument("--body-timeout", type=POSITIVE,
                        default=defaults.body_timeout_seconds,
                        help="seconds a client may pause while sending a request (default 30)")
    parser.add_argument("--allow-host", action="append", default=[], metavar="NAME",
                        help="also answer requests for this host name (repeat for more; '*' "
                             "for any). By default only loopback names and the --host name "
                             "are answered, against DNS rebinding")


def run(args: argparse.Namespace) -> int:
    require("serve", "colorgan serve")
    from colorgan.inference.colorize import Colorizer
    from colorgan.server.limits import ServerLimits
    from colorgan.server.run import serve

    check_device(args.device)
    limits = ServerLimits(max_upload_bytes=int(args.max_upload_mb * 2**20),
                          max_pixels=int(args.max_pixels), workers=args.workers,
                          queue=args.queue, queue_pixels=int(args.queue_pixels),
                          timeout_seconds=args.timeout, body_timeout_seconds=args.body_timeout)
    serve(args.host, args.port, Colorizer.load(args.model, args.device, args.backend), limits,
          args.allow_host)
    return EXIT_OK
