"""The generator as an ONNX model: exported with any batch, height and width, and run with
ONNX Runtime, which is 1.6 to 2.5 times as fast as PyTorch eager on a plain CPU, and 1.2
to 1.6 times as fast as colorgan's torch backend (benchmarks/colorize_speed.py). The web
page runs the same file in the browser with onnxruntime-web (server/static/in_browser.js).

The exported graph takes sides that are multiples of PAD_MULTIPLE; OnnxGenerator pads and
crops around it exactly as the PyTorch model does inside its forward, so both backends give
the same chroma. Opset 18 runs on ONNX Runtime 1.14 and newer, onnxruntime-web included.
`half` stores the weights as float16 with a Cast to float32 in front of their first use:
ONNX Runtime folds the casts when it loads the model, so it computes in float32 from a file
half the size. The generator is exported with its batch norms folded into its convolutions
(colorgan.models.folding) as PyTorch runs it too, at the precision of the weights it was
given (float16 with `half`), so both backends compute with the very same weights and their
photos agree within one 8-bit level.
"""

import json
from pathlib import Path

import numpy as np
import torch
from torch import nn

from colorgan.atomic import atomic_write
from colorgan.models.folding import folded_generator
from colorgan.models.padding import pad_to_multiple, pad_with_zeros

OPSET = 18
PAD_MULTIPLE = 32
METADATA_KEY = "colorgan"  # the model's config as JSON, as in a safetensors export


class OnnxUnavailable(ImportError):
    """ONNX Runtime (or, to export, onnx and onnxscript) is not installed."""


def _require(module: str):
    try:
        return __import__(module)
    except ImportError:
        raise OnnxUnavailable(f"{module} is not installed: pip install 'colorgan[onnx]'") from None


def export_onnx(path: Path, weights: dict[str, torch.Tensor], config: dict,
                half: bool = False) -> Path:
    """Write the generator of these weights as an ONNX model with its config as metadata."""
    onnx = _require("onnx")
    _require("onnxscript")
    if half:  # as the float16 safetensors export stores them, which PyTorch then folds
        weights = {name: tensor.half() if tensor.is_floating_point() else tensor
                   for name, tensor in weights.items()}
    generator = folded_generator(weights, config)
    sides = {name: PAD_MULTIPLE * torch.export.Dim(name, min=1, max=512)
             for name in ("height", "width")}
    batch = torch.export.Dim("batch", min=1, max=1024)
    inputs = {"luminance": torch.zeros(1, 1, 2 * PAD_MULTIPLE, 3 * PAD_MULTIPLE)}
    if getattr(generator, "takes_hints", False):  # a second input: the hint planes
        inputs["hints"] = torch.zeros(1, 3, 2 * PAD_MULTIPLE, 3 * PAD_MULTIPLE)
    program = torch.onnx.export(
        generator, tuple(inputs.values()), dynamo=True, opset_version=OPSET, verbose=False,
        input_names=list(inputs), output_names=["chroma"],
        dynamic_shapes={name: {0: batch, 2: sides["height"], 3: sides["width"]}
                        for name in inputs})
    model = program.model_proto
    if half:
        _store_weights_as_float16(model)
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps(config)
    atomic_write(path, lambda temporary: onnx.save(model, str(temporary)))
    return path


def _store_weights_as_float16(model) -> None:
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    casts = []
    for initializer in graph.initializer:
        if initializer.data_type != TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(initializer).astype(np.float16)
        name = initializer.name
        initializer.CopyFrom(numpy_helper.from_array(values, f"{name}.float16"))
        casts.append(helper.make_node("Cast", [f"{name}.float16"], [name],
                                      to=TensorProto.FLOAT, name=f"{name}.cast"))
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)


class OnnxGenerator(nn.Module):
    """An ONNX Runtime session that stands where the PyTorch generator stands: chroma
    (N, 2, h, w) for luminance (N, 1, h, w), any h and w, and hint planes if it takes them."""

    def __init__(self, path: Path, threads: int | None = None):
        super().__init__()
        ort = _require("onnxruntime")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or torch.get_num_threads()
        # Spinning threads would keep the cores busy after each call and slow the PyTorch
        # code (color conversion, resizing) that runs between calls.
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such model file")
        try:
            self.session = ort.InferenceSession(str(path), options,
                                                providers=["CPUExecutionProvider"])
        except Exception:  # ONNX Runtime raises its own kinds for a foreign file
            raise ValueError(f"{path}: not an ONNX model") from None
        metadata = self.session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in metadata:
            raise ValueError(f"{path}: not a colorgan ONNX export (no colorgan metadata)")
        self.config: dict = json.loads(metadata[METADATA_KEY])
        self.takes_hints = "hints" in {node.name for node in self.session.get_inputs()}

    def forward(self, luminance: torch.Tensor, hints: torch.Tensor | None = None
                ) -> torch.Tensor:
        padded, crop = pad_to_multiple(luminance.float().cpu(), PAD_MULTIPLE)
        feed = {"luminance": padded.contiguous().numpy()}
        if self.takes_hints:  # zero planes are no hints
            hints = torch.zeros(luminance.shape[0], 3, *luminance.shape[-2:]) if hints is None \
                else hints.float().cpu()
            feed["hints"] = pad_with_zeros(hints, padded.shape[-2:]).contiguous().numpy()
        elif hints is not None:
            raise ValueError("this model does not take color hints")
        return crop(torch.from_numpy(self.session.run(None, feed)[0]))
