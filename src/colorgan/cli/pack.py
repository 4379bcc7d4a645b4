"""`colorgan pack`: a compact copy of training folders to send with a GPU job."""

import argparse

from colorgan.cli.options import EXIT_FAILED, EXIT_OK, number


def add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("pack", help="a compact copy of training folders (photos "
                                              "shrunk, as WebP) to send with a GPU job")
    parser.add_argument("folders", nargs="+", help="folders of color photos; each becomes "
                                                   "a folder of the copy")
    parser.add_argument("--out", required=True, help="folder for the copy")
    parser.add_argument("--max-side", type=number(int, least=16), default=192,
                        help="short side of the copies at most (default 192; never enlarged)")
    parser.add_argument("--quality", type=number(int, least=1, most=100), default=75,
                        help="WebP quality (default 75)")
    parser.add_argument("--min-chroma", type=number(float, least=0), default=None,
                        help="leave out photos under this chroma floor, which training with "
                             "the same floor drops anyway (default: keep all)")
    parser.add_argument("--share", type=number(float, above=0, most=1), default=1.0,
                        help="pack a random share of each folder's photos, to fit a size "
                             "limit (default 1: all)")
    parser.add_argument("--seed", type=number(int, least=0), default=0,
                        help="seed of the drawn share")


def run(args: argparse.Namespace) -> int:
    from colorgan.training.pack import pack_folders

    report = pack_folders(args.folders, args.out, args.max_side, args.quality,
                          args.min_chroma, args.share, args.seed)
    print(f"{report.summary()} to {args.out}")
    return EXIT_FAILED if report.skipped else EXIT_OK
