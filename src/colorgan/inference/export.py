"""Writing a model as one file for others to run: safetensors for PyTorch, or ONNX for ONNX
Runtime, C#, Java, a browser or a phone, with its decoding, default vividness or preset set on
the way. The rules that keep an export whole and true to its model live here, checked before
any work: an export never replaces its own model, and a graph that shares a safetensors
file's weights reads exactly them."""

from dataclasses import dataclass
from pathlib import Path

import torch

from colorgan.atomic import file_in_the_way
from colorgan.inference.colorize import check_vividness, read_model
from colorgan.inference.onnx_model import automatic_form, export_onnx
from colorgan.models.files import WEIGHTS_NAME, export_generator

SUFFIXES = (".safetensors", ".onnx")


class ExportRefused(ValueError):
    """An export that cannot be written as asked; nothing was written."""


@dataclass(frozen=True)
class ExportChanges:
    """What an export may change of its model (None: as it is)."""

    vividness: float | None = None  # the default its users get
    preset: str | None = None  # run the weights as another preset whose layers they fit
    temperature: float | None = None  # a binned model's annealed-mean temperature
    rebalance: float | None = None  # a binned model's share of its rare-color rebalancing

    @property
    def any(self) -> bool:
        return any(value is not None for value in vars(self).values())


def export_model(model: Path, output: Path, half: bool = False, share_weights: bool = False,
                 changes: ExportChanges = ExportChanges()) -> list[Path]:
    """Write the model at `output` (.safetensors with a .json beside it, or .onnx, with
    NAME.automatic.onnx for a model that takes hints); returns the files written.
    share_weights: the .onnx graph reads its weights from `model`, a float16 .safetensors
    export in the same folder, instead of holding a copy."""
    _check_target(model, output, share_weights, changes)
    weights, config = read_model(model)
    if share_weights and half != any(tensor.dtype == torch.float16
                                     for tensor in weights.values()):
        raise ExportRefused("--share-weights: use --half exactly when MODEL stores float16 "
                            "weights, so that the graph's weights are the file's")
    _apply(changes, weights, config)
    if output.suffix == ".onnx":
        written = export_onnx(output, weights, config, half, model if share_weights else None)
        automatic = automatic_form(written)
        return [written, automatic] if automatic.exists() else [written]
    written = export_generator(output, weights, config, half)
    return [written, written.with_suffix(".json")]


def _check_target(model: Path, output: Path, share_weights: bool,
                  changes: ExportChanges) -> None:
    if output.suffix not in SUFFIXES:
        raise ExportRefused("the output file must end in .safetensors or .onnx")
    if share_weights and not (output.suffix == ".onnx" and model.suffix == ".safetensors"):
        raise ExportRefused("--share-weights writes an .onnx file that reads its weights from "
                            "a .safetensors MODEL")
    if share_weights and changes.any:
        raise ExportRefused("--share-weights exports MODEL as it is, so that both forms "
                            "agree; set --vividness, --preset, --temperature or --rebalance "
                            "on MODEL's own export")
    if share_weights and model.resolve().parent != output.resolve().parent:
        raise ExportRefused("--share-weights: the .onnx file must go in MODEL's folder, where "
                            "ONNX Runtime looks for the weights")
    sources = {model.resolve()}
    if model.is_dir():
        sources |= {(model / WEIGHTS_NAME).resolve(),
                    (model / WEIGHTS_NAME).with_suffix(".json").resolve()}
    else:
        sources.add(model.with_suffix(".json").resolve())
    written = [output, output.with_suffix(".json")] if output.suffix == ".safetensors" \
        else [output, automatic_form(output)]
    for path in written:
        if path.resolve() in sources:
            raise ExportRefused(f"{output}: the export would replace its own model {model}; "
                                "write it to another file")
        if path.is_dir():
            raise ExportRefused(f"{path} is a folder; name the file to write")
    blocking = file_in_the_way(output.parent)
    if blocking is not None:
        raise ExportRefused(f"{output}: {blocking} is a file, not a folder")


def _apply(changes: ExportChanges, weights: dict[str, torch.Tensor], config: dict) -> None:
    """Set the changes on the weights and config, refusing those that do not fit them."""
    try:
        if changes.temperature is not None or changes.rebalance is not None:
            from colorgan.models.chroma_bins import set_decoding

            set_decoding(weights, changes.temperature, changes.rebalance)
            config.update({name: value for name in ("temperature", "rebalance")
                           if (value := getattr(changes, name)) is not None})
        if changes.vividness is not None:
            check_vividness(changes.vividness)
            config["vividness"] = changes.vividness
    except ValueError as error:
        raise ExportRefused(str(error)) from None
    if changes.preset is not None:
        _check_preset_fits(changes.preset, weights)
        config["preset"] = changes.preset


def _check_preset_fits(name: str, weights: dict) -> None:
    from colorgan.models import get_preset

    try:
        get_preset(name).build_generator(False).load_state_dict(weights)
    except (KeyError, ValueError, RuntimeError) as error:
        raise ExportRefused(f"--preset {name}: the weights do not fit it: "
                            f"{' '.join(str(error).split())[:300]}") from None
