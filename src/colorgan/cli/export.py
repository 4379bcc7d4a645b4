"""`colorgan export`: a model as one safetensors or ONNX file (inference.export holds the rules)."""

import argparse
from pathlib import Path

from colorgan.cli.options import EXIT_OK, UsageError


def add(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("export", help="write a run's generator as one safetensors "
                                                "or ONNX file")
    parser.add_argument("model", help="run folder, checkpoint or .safetensors ('bundled': the "
                                      "default model)")
    parser.add_argument("output", help="the .safetensors file to write (a .json goes beside "
                                       "it), or an .onnx file (opset 18; any batch, sides that are "
                                       "multiples of 32: docs/ONNX.md; the config in its "
                                       "metadata; a model that takes "
                                       "hints also gets NAME.automatic.onnx, the faster graph "
                                       "for photos without hints)")
    parser.add_argument("--half", action="store_true", help="store weights as float16")
    parser.add_argument("--share-weights", action="store_true",
                        help="an .onnx output reads its weights from MODEL, a .safetensors "
                             "export in the same folder (float16: use --half), instead of "
                             "holding a copy: one file of weights for both backends")
    parser.add_argument("--vividness", type=float,
                        help="the vividness its users get by default (1: as trained)")
    parser.add_argument("--preset", help="run the weights as another preset whose layers "
                                         "they fit (efficientnet-compact-unet[-hints]: "
                                         "efficientnet-unet's weights, a faster decoder)")
    parser.add_argument("--temperature", type=float,
                        help="binned models: annealed-mean temperature in (0, 1], lower is "
                             "more vivid")
    parser.add_argument("--rebalance", type=float,
                        help="binned models: share of the training's rare-color rebalancing "
                             "kept, 0 (truest) to 2 (most vivid); 1 as trained")


def run(args: argparse.Namespace) -> int:
    from colorgan.inference.colorize import bundled_weights_path
    from colorgan.inference.export import ExportChanges, ExportRefused, export_model
    from colorgan.inference.onnx_model import automatic_form

    model = bundled_weights_path() if args.model == "bundled" else Path(args.model)
    changes = ExportChanges(args.vividness, args.preset, args.temperature, args.rebalance)
    try:
        written = export_model(model, Path(args.output), args.half, args.share_weights, changes)
    except ExportRefused as error:
        raise UsageError(str(error)) from None
    for path in written:
        note = " (the graph for photos without hints)" if path == automatic_form(written[0]) \
            else ""
        print(f"wrote {path}{note}")
    return EXIT_OK
