"""Would int8 make the bundled ONNX model faster at the same quality? The model quantized
statically (ONNX Runtime's quantize_static: QDQ, int8 weights per tensor or per output
channel, uint8 activations calibrated on training photos), timed against the float model and
PyTorch eager in one run, and scored on ../shared/data/val.

int8 convolutions are fast only where the CPU has 8-bit dot products (AVX-512 VNNI, AVX-VNNI,
AMX); the table says which this machine has.
Run: python benchmarks/onnx_int8.py [--calibration 32] [--limit 40]
"""

import argparse
import random
import sys
import tempfile
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper
from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent / "probes"))  # val_scores
from val_scores import ROOT, add_scoring_options, score_and_print  # noqa: E402

from colorgan.color import lightness  # noqa: E402
from colorgan.inference.colorize import Colorizer, bundled_weights_path, working_luminance  # noqa: E402
from colorgan.inference.imageio import find_images, load_rgb  # noqa: E402
from colorgan.inference.onnx_model import FLOAT16_SUFFIX, PAD_MULTIPLE  # noqa: E402
from colorgan.inference.planes import to_planes  # noqa: E402
from colorgan.models.padding import pad_to_multiple  # noqa: E402
from colorize_speed import eager_generator, forward_seconds  # noqa: E402
from machine import describe_machine, describe_matmul, matmul_rates  # noqa: E402

TRAIN = ROOT.parent / "shared" / "data" / "train"


def float32_model(source: Path) -> onnx.ModelProto:
    """The bundled ONNX model with its float16 weights widened back to float32 and their
    casts removed: the quantizer finds weights only where they feed a node directly."""
    model = onnx.load(str(source))
    graph = model.graph
    widened = [numpy_helper.from_array(numpy_helper.to_array(tensor).astype(np.float32),
                                       tensor.name.removesuffix(FLOAT16_SUFFIX))
               if tensor.name.endswith(FLOAT16_SUFFIX) else tensor
               for tensor in graph.initializer]
    nodes = [node for node in graph.node
             if not (node.op_type == "Cast" and node.input[0].endswith(FLOAT16_SUFFIX))]
    del graph.initializer[:], graph.node[:]
    graph.initializer.extend(widened)
    graph.node.extend(nodes)
    return model


class TrainingPhotos(CalibrationDataReader):
    """Model inputs of a seeded sample of training photos at the working size, no hints."""

    def __init__(self, count: int, size: int, takes_hints: bool):
        photos = find_images([TRAIN])
        random.Random(0).shuffle(photos)
        self.feeds = []
        for path in photos[:count]:
            luminance = working_luminance(lightness(to_planes(load_rgb(path)).values), size)[None]
            padded, _ = pad_to_multiple(luminance, PAD_MULTIPLE)
            feed = {"luminance": padded.numpy()}
            if takes_hints:
                feed["hints"] = np.zeros((1, 3, *padded.shape[-2:]), np.float32)
            self.feeds.append(feed)
        self.remaining = iter(self.feeds)

    def get_next(self) -> dict | None:
        return next(self.remaining, None)


def quantized(source: onnx.ModelProto, folder: Path, per_channel: bool,
              photos: TrainingPhotos) -> Path:
    """The model with int8 convolutions, its colorgan metadata kept; written in folder."""
    float_path, path = folder / "float32.onnx", folder / f"int8-{per_channel}.onnx"
    onnx.save(source, str(float_path))
    photos.remaining = iter(photos.feeds)
    quantize_static(str(float_path), str(path), photos, quant_format=QuantFormat.QDQ,
                    op_types_to_quantize=["Conv"], per_channel=per_channel,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)
    model = onnx.load(str(path))
    model.metadata_props.extend(source.metadata_props)
    onnx.save(model, str(path))
    return path


def dot_product_extensions() -> str:
    flags = set(Path("/proc/cpuinfo").read_text().split()) if Path("/proc/cpuinfo").exists() \
        else set()
    found = sorted(flags & {"avx512_vnni", "avx_vnni", "amx_int8"})
    return ", ".join(found) or "none (no AVX-512 VNNI, AVX-VNNI or AMX)"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calibration", type=int, default=32, help="training photos")
    add_scoring_options(parser)
    args = parser.parse_args()
    source = bundled_weights_path().with_suffix(".onnx")
    models = {"float (bundled)": Colorizer.load(source, "cpu", "onnx")}
    print(f"machine: {describe_machine()}; 8-bit dot products: {dot_product_extensions()}")
    print(describe_matmul(matmul_rates()))
    photos = TrainingPhotos(args.calibration, args.size, models["float (bundled)"].takes_hints)
    with tempfile.TemporaryDirectory() as folder:
        for per_channel in (False, True):
            path = quantized(float32_model(source), Path(folder), per_channel, photos)
            name = f"int8, weights per {'channel' if per_channel else 'tensor'}"
            models[name] = Colorizer.load(path, "cpu", "onnx")
            print(f"{name}: {path.stat().st_size / 1e6:.1f} MB (the bundled float16 weights: "
                  f"{bundled_weights_path().stat().st_size / 1e6:.1f} MB)")
        eager = eager_generator(None)
        for batch in (1, 8):
            seconds = forward_seconds(models, eager, args.size, batch)
            print(f"model forward, batch {batch} at {args.size}x{args.size}: " + ", ".join(
                f"{name} {seconds[name] * 1e3:.0f} ms ({seconds['eager'] / seconds[name]:.2f}x "
                "eager)" for name in models))
        score_and_print(models, args, "float and int8 ONNX models")


if __name__ == "__main__":
    main()
