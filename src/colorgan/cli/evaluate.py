"""`colorgan evaluate`: models scored on folders of color photos, against the gray photo."""

import argparse
from pathlib import Path

from colorgan.cli.options import (
    COUNT,
    EXIT_FAILED,
    EXIT_OK,
    UsageError,
    check_device,
    number,
)
from colorgan.extras import require
from colorgan.settings import MAX_HINTS


def add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("evaluate", help="score models on folders of color photos")
    parser.add_argument("data", nargs="+", help="folders of color photos (ground truth)")
    parser.add_argument("--model", action="append", default=[],
                        help="run folder, checkpoint or .safetensors; repeat to compare; "
                             "'bundled' is the default model (used when none is given)")
    parser.add_argument("--size", type=number(int, least=32), default=256,
                        help="working size")
    parser.add_argument("--limit", type=COUNT, help="only the first N photos, in sorted order")
    parser.add_argument("--out", default="evaluation", help="folder for the JSON and the grid")
    parser.add_argument("--grid-photos", type=number(int, least=0), default=8)
    parser.add_argument("--aged", action="store_true",
                        help="give the models old-print versions (grain, blur, fading, JPEG, "
                             "scratches) and score their colors on that lightness")
    parser.add_argument("--hints", type=number(int, least=0, most=MAX_HINTS), default=0,
                        metavar="N",
                        help="give models that take color hints N of each photo's true colors "
                             "at random points (seeded: the same for every model)")
    parser.add_argument("--no-judge", dest="judge", action="store_false",
                        help="leave out the ImageNet classifier's measures (top-1, top-5, KL, "
                             "Fréchet; docs/MEASURES.md), which need the train extra")
    parser.add_argument("--device", default="auto")


def run(args: argparse.Namespace) -> int:
    require("evaluate", "colorgan evaluate")
    from colorgan.evaluation.evaluate import evaluate, format_table, write_json
    from colorgan.inference.colorize import Colorizer
    from colorgan.inference.hints import HintError

    names = args.model or ["bundled"]
    if len(set(names)) != len(names):
        raise UsageError("each --model may be given once")
    check_device(args.device)
    models = {name: Colorizer.load(None if name == "bundled" else name, args.device)
              for name in names}
    judge = None
    if args.judge:
        from colorgan.evaluation.judge import Judge

        try:
            judge = Judge()
        except RuntimeError as error:
            raise UsageError(f"{error}, or leave the classifier out with --no-judge") from None
    out = Path(args.out)
    try:
        evaluation = evaluate(args.data, models, args.size, args.limit, args.grid_photos,
                              out / "comparison.png", args.aged, args.hints, judge)
    except HintError as error:
        raise UsageError(f"--hints: {error}") from None
    write_json(evaluation, out / "evaluation.json",
               {"data": args.data, "size": args.size, "limit": args.limit, "aged": args.aged,
                "hints": args.hints})
    print(format_table(evaluation))
    print(f"wrote {out / 'evaluation.json'} and {out / 'comparison.png'}")
    return EXIT_FAILED if evaluation.failed else EXIT_OK
