"""Forward speed of presets before training them: what a network costs on this CPU.

Each preset's generator (untrained: speed does not depend on the values) is timed at batch
1 and 8 in PyTorch eager, in colorgan's torch backend and in ONNX Runtime, beside the
machine's matmul rate measured in the same run, so that a cheaper network can be chosen by
measurement before hours of training.

Run: python benchmarks/preset_speed.py [PRESET ...] [--size 256]
"""

import argparse
import sys
import tempfile
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.inference.colorize import Colorizer  # noqa: E402
from colorgan.inference.onnx_model import OnnxGenerator, export_onnx  # noqa: E402
from colorgan.models import get_preset  # noqa: E402
from colorgan.models.flops import count_flops, parameter_count  # noqa: E402
from colorize_speed import forward_seconds  # noqa: E402
from machine import describe_machine, describe_matmul, matmul_rates  # noqa: E402

DEFAULT_PRESETS = ("efficientnet-unet", "efficientnet-compact-unet", "efficientnet-lean-unet",
                   "efficientnet-lite2-unet", "efficientnet-lite2-lean-unet")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("presets", nargs="*", default=DEFAULT_PRESETS)
    parser.add_argument("--size", type=int, default=256, help="working size")
    args = parser.parse_args()
    rates = matmul_rates()
    matmul = max(rates.values())
    print(f"machine: {describe_machine()}; working size {args.size}")
    print(describe_matmul(rates) + "\n")
    print("| preset | GFLOP an image | parameters | batch | PyTorch eager | torch backend | "
          "ONNX Runtime | ONNX Runtime over eager |")
    print("|---|---|---|---|---|---|---|---|")
    luminance = torch.zeros(1, 1, args.size, args.size)
    for name in args.presets:
        config = {"preset": name}
        eager = get_preset(name).build_generator(False).eval()
        weights = eager.state_dict()
        with torch.inference_mode():
            flops = count_flops(eager, luminance)
        with tempfile.TemporaryDirectory() as folder:
            onnx_file = export_onnx(Path(folder) / "model.onnx", weights, config)
            backends = {"torch": Colorizer.from_weights(weights, config, "cpu"),
                        "onnx": Colorizer(OnnxGenerator(onnx_file), config, "cpu")}
            for batch in (1, 8):
                seconds = forward_seconds(backends, eager, args.size, batch)
                cells = [f"{seconds[key] * 1000:.0f} ms "
                         f"({batch * flops / seconds[key] / matmul:.0%})"
                         for key in ("eager", "torch", "onnx")]
                print(f"| {name} | {flops / 1e9:.2f} | {parameter_count(eager) / 1e6:.1f}M | "
                      f"{batch} | " + " | ".join(cells) +
                      f" | {seconds['eager'] / seconds['onnx']:.2f}x |")
    print("\n(in brackets: the share of the matmul rate each reaches)")


if __name__ == "__main__":
    main()
