"""The generator as an ONNX model: exported with any batch, height and width, and run with
ONNX Runtime, which is 1.4 to 4.9 times as fast as PyTorch eager on a plain CPU, and 1.15
to 3 times as fast as colorgan's torch backend, by machine and batch size
(benchmarks/colorize_speed.py, docs/PERFORMANCE.md). The web page runs the same file in the
browser with onnxruntime-web (server/static/in_browser.js).

The exported graph takes sides that are multiples of PAD_MULTIPLE; OnnxGenerator pads and
crops around it exactly as the PyTorch model does inside its forward, so both backends give
the same chroma. Opset 18 runs on ONNX Runtime 1.14 and newer, onnxruntime-web included.
The graph is the trained network as it is, batch norms included, with its constants folded:
ONNX Runtime folds each batch norm into the convolution before it when it loads the model,
in float32, as colorgan.models.folding does for PyTorch, so both backends compute with the
same weights and their photos agree within one 8-bit level. `half` stores the weights as
float16 with a Cast to float32 in front of their first use (folded at load too): a file half
the size. `share_weights` goes further: the graph reads its weights from the safetensors
export beside it instead of holding a copy (ONNX external data pointing into that file), so
one file of weights serves both backends; the bundled model ships so.

A model that takes color hints is exported twice: `model.onnx` with the hints input, and
beside it `model.automatic.onnx` without the hint branches, for photos without hints (most
of them): PyTorch skips those branches when there are no hints, and ONNX Runtime, which
cannot, would spend part of each forward pass on zeros.
"""

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn

from colorgan.atomic import atomic_write
from colorgan.models.padding import pad_to_multiple, pad_with_zeros
from colorgan.models.registry import trained_generator

OPSET = 18
PAD_MULTIPLE = 32
METADATA_KEY = "colorgan"  # the model's config as JSON, as in a safetensors export
WEIGHTS_KEY = "colorgan.weights"  # the safetensors file beside it that holds its weights
FLOAT16_SUFFIX = ".float16"  # names of the float16 initializers that `half` stores
# What a caller in any language must know to feed the graph; kept in the file itself.
INPUT_KEY = "colorgan.input"
INPUT_RULE = (f"luminance: (N, 1, H, W) float32, CIE L scaled to [-1, 1], H and W multiples of "
              f"{PAD_MULTIPLE} (pad the bottom and right by reflection and crop the output "
              f"back); hints (hint graphs only): (N, 3, H, W), the hints' a and b and a mask; "
              f"chroma out: (N, 2, H, W), a and b scaled to [-1, 1] (times 110 for Lab units)")


class OnnxUnavailable(ImportError):
    """ONNX Runtime (or, to export, onnx and onnxscript) is not installed."""


def _require(module: str):
    try:
        return __import__(module, fromlist=["_"])
    except ImportError:
        raise OnnxUnavailable(f"{module.partition('.')[0]} is not installed: "
                              "pip install 'colorgan[onnx]'") from None


def automatic_form(path: Path) -> Path:
    """Where the export of a hint model at `path` keeps its graph for photos without hints."""
    return path.with_suffix(".automatic.onnx")


def export_onnx(path: Path, weights: dict[str, torch.Tensor], config: dict,
                half: bool = False, share_weights: Path | None = None) -> Path:
    """Write the generator of these weights as an ONNX model with its config as metadata,
    and for a model that takes hints, its automatic_form beside it.

    share_weights: a safetensors export in the same folder that holds these very weights (as
    stored here: float16 with `half`); the model reads them from it instead of a copy.
    """
    _require("onnx")
    if share_weights is not None and share_weights.resolve().parent != path.resolve().parent:
        raise ValueError(f"{path}: an ONNX model reads shared weights only from its own "
                         f"folder, and {share_weights} is not there")
    if half:  # as the float16 safetensors export stores them
        weights = {name: tensor.half() if tensor.is_floating_point() else tensor
                   for name, tensor in weights.items()}
    generator = trained_generator(weights, config)
    takes_hints = getattr(generator, "takes_hints", False)
    if takes_hints:
        _export_graph(automatic_form(path), generator, False, config, half, share_weights)
    else:  # a hint model's automatic graph from an earlier export here would stand for it
        automatic_form(path).unlink(missing_ok=True)
    return _export_graph(path, generator, takes_hints, config, half, share_weights)


def _export_graph(path: Path, generator: nn.Module, with_hints: bool, config: dict, half: bool,
                  share_weights: Path | None) -> Path:
    optimizer = _require("onnxscript.optimizer")
    sides = {name: PAD_MULTIPLE * torch.export.Dim(name, min=1, max=512)
             for name in ("height", "width")}
    batch = torch.export.Dim("batch", min=1, max=1024)
    inputs = {"luminance": torch.zeros(1, 1, 2 * PAD_MULTIPLE, 3 * PAD_MULTIPLE)}
    if with_hints:  # a second input: the hint planes
        inputs["hints"] = torch.zeros(1, 3, 2 * PAD_MULTIPLE, 3 * PAD_MULTIPLE)
    # The exporter's own optimizer would fold the batch norms into the weights, which the
    # safetensors export does not hold; constant folding alone keeps them apart.
    program = torch.onnx.export(
        generator, tuple(inputs.values()), dynamo=True, opset_version=OPSET, verbose=False,
        optimize=False, input_names=list(inputs), output_names=["chroma"],
        dynamic_shapes={name: {0: batch, 2: sides["height"], 3: sides["width"]}
                        for name in inputs})
    model = program.model_proto
    optimizer.fold_constants(model)
    optimizer.remove_unused_nodes(model)
    _strip_build_metadata(model)
    if half:
        _store_weights_as_float16(model)
    metadata = {METADATA_KEY: json.dumps(config), INPUT_KEY: INPUT_RULE}
    model.doc_string = INPUT_RULE
    if share_weights is not None:
        _read_weights_from(model, share_weights)
        metadata[WEIGHTS_KEY] = share_weights.name
    for key, value in metadata.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    atomic_write(path, lambda temporary: temporary.write_bytes(model.SerializeToString()))
    return path


def _strip_build_metadata(model) -> None:
    """Drop what the exporter records of the machine that ran it: every node's stack trace,
    source file paths and module names (half the graph's size, and paths of no use to
    anyone running it)."""
    def strip(graph) -> None:
        for node in graph.node:
            del node.metadata_props[:]
            node.doc_string = ""
            for attribute in node.attribute:
                if attribute.HasField("g"):
                    strip(attribute.g)
                for subgraph in attribute.graphs:
                    strip(subgraph)
        for value in (*graph.input, *graph.output, *graph.value_info, *graph.initializer):
            del value.metadata_props[:]

    strip(model.graph)


def _store_weights_as_float16(model) -> None:
    from onnx import TensorProto, helper, numpy_helper

    graph = model.graph
    casts = []
    for initializer in graph.initializer:
        if initializer.data_type != TensorProto.FLOAT:
            continue
        values = numpy_helper.to_array(initializer).astype(np.float16)
        name = initializer.name
        initializer.CopyFrom(numpy_helper.from_array(values, f"{name}{FLOAT16_SUFFIX}"))
        casts.append(helper.make_node("Cast", [f"{name}{FLOAT16_SUFFIX}"], [name],
                                      to=TensorProto.FLOAT, name=f"{name}.cast"))
    nodes = casts + list(graph.node)
    del graph.node[:]
    graph.node.extend(nodes)


def _read_weights_from(model, weights_file: Path) -> None:
    """Point each initializer that the safetensors file holds byte for byte at its bytes
    there (the format: an 8-byte header length, a JSON header of offsets, the data)."""
    from onnx import TensorProto
    from onnx.external_data_helper import set_external_data

    content = weights_file.read_bytes()
    header_length = int.from_bytes(content[:8], "little")
    header = json.loads(content[8:8 + header_length])
    start = 8 + header_length
    shared = 0
    for initializer in model.graph.initializer:
        entry = header.get(initializer.name.removesuffix(FLOAT16_SUFFIX))
        if entry is None:
            continue
        begin, end = (start + offset for offset in entry["data_offsets"])
        if content[begin:end] != initializer.raw_data:
            continue
        set_external_data(initializer, weights_file.name, offset=begin, length=end - begin)
        initializer.data_location = TensorProto.EXTERNAL
        initializer.ClearField("raw_data")
        shared += 1
    if not shared:
        raise ValueError(f"{weights_file} holds none of these weights as they are stored "
                         "here (export with --half for a float16 file)")


class OnnxGenerator(nn.Module):
    """An ONNX Runtime session that stands where the PyTorch generator stands: chroma
    (N, 2, h, w) for luminance (N, 1, h, w), any h and w, and hint planes if it takes them.

    Photos without hints run the automatic form where the export has one; the graph with
    hints is opened at the first photo with hints, so a run without any opens one graph."""

    def __init__(self, path: Path, threads: int | None = None):
        super().__init__()
        self.path, self.threads = path, threads or torch.get_num_threads()
        if not path.is_file():
            raise FileNotFoundError(f"{path}: no such model file")
        automatic = automatic_form(path)
        self.automatic = self._open(automatic) if automatic.is_file() else None
        self.hinted = None if self.automatic else self._open(path)
        first = self.automatic or self.hinted
        metadata = first.get_modelmeta().custom_metadata_map
        self.config: dict = _config_of(path, metadata[METADATA_KEY])
        self.takes_hints = self.automatic is not None or _takes_hints(self.hinted)
        # The safetensors export its weights are read from, where it shares them.
        self.weights_file = file_beside(path, metadata[WEIGHTS_KEY]) \
            if WEIGHTS_KEY in metadata else None

    def _open(self, path: Path, same_as: dict | None = None):
        """A session for the graph at `path`; `same_as`: the config it must carry."""
        ort = _require("onnxruntime")
        _check_external_files(path)
        options = ort.SessionOptions()
        options.intra_op_num_threads = self.threads
        # Threads that spin between the operators of a call wake faster than sleeping ones
        # (benchmarks/onnx_threads.py: the batch-1 forward 15-27% faster on an AMD EPYC,
        # docs/PERFORMANCE.md), and stopping them when the call returns
        # keeps them off the cores that the PyTorch code between calls (color conversion,
        # resizing) needs.
        options.add_session_config_entry("session.intra_op.allow_spinning", "1")
        options.add_session_config_entry("session.force_spinning_stop", "1")
        options.log_severity_level = 4  # its load errors come back as our ValueErrors below
        try:
            session = ort.InferenceSession(str(path), options,
                                           providers=["CPUExecutionProvider"])
        except Exception as error:  # ONNX Runtime raises its own kinds for a foreign file
            if "external" in str(error).lower():  # the file of its weights: missing or short
                raise ValueError(f"{path}: the file beside it that holds its weights is "
                                 "missing or damaged") from None
            raise ValueError(f"{path}: not an ONNX model") from None
        metadata = session.get_modelmeta().custom_metadata_map
        if METADATA_KEY not in metadata:
            raise ValueError(f"{path}: not a colorgan ONNX export (no colorgan metadata)")
        if same_as is not None and _config_of(path, metadata[METADATA_KEY]) != same_as:
            raise ValueError(f"{path}: not the same model as {automatic_form(path).name} "
                             "beside it; export it again")
        return session

    def forward(self, luminance: torch.Tensor, hints: torch.Tensor | None = None
                ) -> torch.Tensor:
        if hints is not None and not self.takes_hints:
            raise ValueError("this model does not take color hints")
        padded, crop = pad_to_multiple(luminance.float().cpu(), PAD_MULTIPLE)
        feed = {"luminance": padded.contiguous().numpy()}
        if hints is None and self.automatic is not None:
            session = self.automatic
        else:
            if self.hinted is None:
                self.hinted = self._open(self.path, same_as=self.config)
            session = self.hinted
            if self.takes_hints:  # zero planes are no hints
                hints = torch.zeros(luminance.shape[0], 3, *luminance.shape[-2:]) \
                    if hints is None else hints.float().cpu()
                feed["hints"] = pad_with_zeros(hints, padded.shape[-2:]).contiguous().numpy()
        return crop(torch.from_numpy(session.run(None, feed)[0]))


def _config_of(path: Path, text: str) -> dict:
    try:
        config = json.loads(text)
    except ValueError:
        config = None
    if not isinstance(config, dict):
        raise ValueError(f"{path}: its colorgan metadata is not a JSON config; export it again")
    return config


def file_beside(model: Path, name: str) -> Path:
    """The file `name` that a model's metadata or graph names, which must lie in the model's
    own folder: a model from a stranger must not be a way to read any other file, so a name
    that is a path, or that leads out of the folder through a link, refuses the model."""
    folder = model.parent.resolve()
    plain = bool(name) and "\x00" not in name and name == Path(name).name \
        and name not in (".", "..")
    target = (folder / name).resolve() if plain else None
    if target is None or target.parent != folder:
        raise ValueError(f"{model}: it names {name!r} as a file of its own, which is not a "
                         "file in its folder; refusing to load it")
    if not target.is_file():
        raise ValueError(f"{model}: the file beside it that holds its weights is missing or "
                         f"damaged ({name})")
    return target


def _check_external_files(path: Path) -> None:
    """Refuse a graph whose tensors read their data (ONNX external data) from any file but
    one in its own folder."""
    onnx = _require("onnx")
    try:
        model = onnx.load(str(path), load_external_data=False)
    except Exception:  # protobuf raises its own kinds for a foreign file
        raise ValueError(f"{path}: not an ONNX model") from None
    for tensor in _tensors(model.graph):
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            location = {entry.key: entry.value for entry in tensor.external_data}
            file_beside(path, location.get("location", ""))


def _tensors(graph) -> Iterator:
    """Every tensor a graph holds: initializers, and those of node attributes and subgraphs."""
    yield from graph.initializer
    for node in graph.node:
        for attribute in node.attribute:
            if attribute.HasField("t"):
                yield attribute.t
            yield from attribute.tensors
            if attribute.HasField("g"):
                yield from _tensors(attribute.g)
            for subgraph in attribute.graphs:
                yield from _tensors(subgraph)


def _takes_hints(session) -> bool:
    return "hints" in {node.name for node in session.get_inputs()}
