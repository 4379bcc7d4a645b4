"""Colorizer: load a model and color photos of any size; every front end calls this.

The model predicts chroma at a working size; the chroma is upsampled to the photo's own size
and joined with the photo's full-resolution lightness, so no detail is lost.
"""

import copy
import importlib.util
import json
import math
from collections.abc import Sequence
from importlib import resources
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.nn import functional

from colorgan.color import compose_rgb, lightness, lightness_to_luminance
from colorgan.inference.device import resolve_device
from colorgan.inference.hints import Hint, HintError, check_hints, hint_planes
from colorgan.inference.imageio import array_to_image, check_aspect
from colorgan.inference.onnx_model import OnnxGenerator
from colorgan.inference.planes import Planes, to_planes
from colorgan.models.files import CHECKPOINT_NAME, WEIGHTS_NAME, load_checkpoint, read_export
from colorgan.models.folding import folded_generator
from colorgan.settings import DEFAULT_WORKING_SIZE

MIN_WORKING_SIDE = 32
# Vividness multiplies the predicted chroma: 0 gives the gray photo back, 1 the model as trained.
MAX_VIVIDNESS = 3.0
BUNDLED_WEIGHTS = "default.safetensors"  # and default.onnx: its graph, reading these weights
BACKENDS = ("auto", "torch", "onnx")


def onnx_form(model: Path) -> Path | None:
    """The ONNX file that runs this model: itself, or the bundled model's shipped one."""
    if model.suffix == ".onnx":
        return model
    if model == bundled_weights_path():
        return model.with_suffix(".onnx")
    return None


def onnx_runtime_installed() -> bool:
    return importlib.util.find_spec("onnxruntime") is not None


def bundled_weights_path() -> Path:
    """The default model shipped inside the package."""
    return Path(str(resources.files("colorgan") / "weights" / BUNDLED_WEIGHTS))


def working_shape(height: int, width: int, size: int) -> tuple[int, int]:
    """The photo's shape scaled to about size x size pixels, keeping its aspect ratio.

    Never upscales; both sides at least MIN_WORKING_SIDE so the network has something to see,
    which is why a photo too long and thin is refused (ImageTooLarge): its work would not be.
    """
    check_aspect(width, height, "photo")
    scale = min(1.0, size / math.sqrt(height * width))
    return (max(MIN_WORKING_SIDE, round(height * scale)),
            max(MIN_WORKING_SIDE, round(width * scale)))


def check_vividness(vividness: float) -> None:
    """Raise ValueError for a vividness outside 0 to MAX_VIVIDNESS."""
    if not 0.0 <= vividness <= MAX_VIVIDNESS:
        raise ValueError(f"vividness must be between 0 and {MAX_VIVIDNESS:g}, not {vividness:g}")


def read_model(path: Path) -> tuple[dict[str, torch.Tensor], dict]:
    """Generator weights and config from a run folder, checkpoint or safetensors export."""
    if path.is_dir():
        path = path / WEIGHTS_NAME if (path / WEIGHTS_NAME).exists() else path / CHECKPOINT_NAME
    if not path.exists():
        raise FileNotFoundError(f"{path}: no such model file")
    try:
        if path.suffix == ".safetensors":
            weights, config = read_export(path)
        else:
            state = load_checkpoint(path)
            weights, config = state["generator"], json.loads(state["config"])
    except ValueError as error:
        raise ValueError(error if str(path) in str(error) else f"{path}: {error}") from None
    except Exception:  # torch and safetensors raise many kinds (and bad advice) for a foreign file
        raise ValueError(f"{path}: not a colorgan model (expected a run folder, a checkpoint.pt "
                         "or a .safetensors export)") from None
    if not isinstance(config, dict) or not isinstance(config.get("preset"), str):
        raise ValueError(f"{path}: its config names no preset; not a colorgan model")
    broken = [name for name, tensor in weights.items()
              if tensor.is_floating_point() and not torch.isfinite(tensor).all()]
    if broken:
        raise ValueError(f"{path}: {len(broken)} of its weight tensors hold NaN or infinite "
                         f"values ({broken[0]}, ...); the model is broken, train or export it "
                         "again")
    return weights, config


class Colorizer:
    """A loaded generator, ready to color photos on one device."""

    def __init__(self, generator: nn.Module, config: dict, device: str | torch.device = "cpu"):
        self.device = torch.device(device)
        self.generator = generator.to(self.device).eval()
        self.config = config
        # A model may carry the vividness its users get by default (`colorgan export
        # --vividness`): the point of its accuracy-against-color curve chosen for it.
        self.vividness = float(config.get("vividness", 1.0))
        # The model as an ONNX file, whichever backend runs it here: the web page can run it
        # in the browser. Colorizer.load sets it where the model has one, and the safetensors
        # file it reads its weights from where it shares them (the bundled model does).
        self.onnx_file: Path | None = None
        self.onnx_weights: Path | None = None

    def with_vividness(self, vividness: float) -> "Colorizer":
        """The same model (shared, not copied) with its colors made stronger or weaker.

        A model trained with L1 gives the median of the plausible colors, which is muted;
        users who want more color can ask for it (its cost in accuracy is measured by
        benchmarks/probes/chroma_gain.py).
        """
        check_vividness(vividness)
        changed = copy.copy(self)
        changed.vividness = vividness
        return changed

    @property
    def backend(self) -> str:
        """"onnx" when ONNX Runtime runs the model, else "torch"."""
        return "onnx" if isinstance(self.generator, OnnxGenerator) else "torch"

    @classmethod
    def load(cls, path: str | Path | None = None, device: str = "auto",
             backend: str = "auto") -> "Colorizer":
        """The bundled default model, or a run folder, checkpoint, safetensors or ONNX export.

        backend: "torch", "onnx" (ONNX Runtime, on the CPU), or "auto": ONNX Runtime where it
        is installed, the model has an ONNX form and the device is the CPU; PyTorch otherwise.
        """
        if backend not in BACKENDS:
            raise ValueError(f"backend {backend!r} is not one of {', '.join(BACKENDS)}")
        model = Path(path) if path else bundled_weights_path()
        onnx_file = onnx_form(model)
        on_cpu = resolve_device(device).type == "cpu"
        if backend == "auto":
            backend = "onnx" if onnx_file and on_cpu and onnx_runtime_installed() else "torch"
        if backend == "onnx":
            if onnx_file is None:
                raise ValueError(f"{model}: no ONNX form of this model; write one with "
                                 f"`colorgan export {model} model.onnx`")
            if not on_cpu:
                raise ValueError("the ONNX backend runs on the CPU; use the torch backend "
                                 f"for device {device!r}")
            generator = OnnxGenerator(onnx_file)
            colorizer = cls(generator, generator.config, "cpu")
            colorizer.onnx_weights = generator.weights_file
        elif model.suffix == ".onnx":
            raise ValueError(f"{model}: an ONNX model runs with ONNX Runtime "
                             "(pip install 'colorgan[onnx]'; backend onnx)")
        else:
            colorizer = cls.from_weights(*read_model(model), device)
            # Here only the bundled model has an ONNX form, and it reads these weights.
            colorizer.onnx_weights = model if onnx_file else None
        colorizer.onnx_file = onnx_file
        return colorizer

    @classmethod
    def from_weights(cls, weights: dict[str, torch.Tensor], config: dict,
                     device: str = "auto") -> "Colorizer":
        """A generator of the config's preset with these weights (as read_model returns)."""
        generator = folded_generator(weights, config)
        # oneDNN's convolutions run faster on channels-last tensors (same results).
        return cls(generator.to(memory_format=torch.channels_last), config,
                   resolve_device(device))

    @property
    def takes_hints(self) -> bool:
        """Whether this model can be given color hints."""
        return bool(getattr(self.generator, "takes_hints", False))

    @torch.inference_mode()
    def predict_chroma(self, luminance: torch.Tensor, hints: torch.Tensor | None = None
                       ) -> torch.Tensor:
        """Model chroma (N, 2, h, w) for model luminance (N, 1, h, w), both in [-1, 1], and
        for a model that takes them, hint planes (N, 3, h, w; colorgan.inference.hints)."""
        inputs = [tensor.to(self.device).contiguous(memory_format=torch.channels_last)
                  for tensor in (luminance, hints) if tensor is not None]
        chroma = self.generator(*inputs).float().cpu().contiguous()
        if not torch.isfinite(chroma).all():  # broken weights: never write black photos
            raise ValueError("the model gave NaN or infinite colors: its weights are broken")
        return chroma

    def colorize(self, image: Image.Image | np.ndarray, size: int = DEFAULT_WORKING_SIZE,
                 hints: Sequence[Hint] = ()) -> Image.Image:
        """One photo in color, at its own size; gray, RGB, RGBA (alpha kept) or numpy.
        hints: colors a person knows, at points in the photo's own pixels."""
        return self.colorize_batch([image], size, hints=[hints])[0]

    def colorize_batch(self, images: Sequence[Image.Image | np.ndarray],
                       size: int = DEFAULT_WORKING_SIZE, batch_size: int = 8,
                       hints: Sequence[Sequence[Hint]] | None = None) -> list[Image.Image]:
        """Many photos; those that share a working shape go through the model together.
        hints: a list of hints per photo, or None for none."""
        _check_count("size", size, MIN_WORKING_SIDE)
        _check_count("batch_size", batch_size, 1)
        planes = [to_planes(_as_image(image)) for image in images]
        hint_inputs = self._hint_inputs(planes, hints, size)
        lightnesses = [lightness(plane.values) for plane in planes]
        chromas = self.working_chroma([working_luminance(light, size) for light in lightnesses],
                                      batch_size, hint_inputs)
        return [finish(plane, light, chroma)
                for plane, light, chroma in zip(planes, lightnesses, chromas, strict=True)]

    def _hint_inputs(self, planes: Sequence[Planes], hints: Sequence[Sequence[Hint]] | None,
                     size: int) -> list[torch.Tensor] | None:
        """Each photo's hint planes at its working shape (zero for a photo without hints);
        None when no photo has hints."""
        if hints is None or not any(hints):
            return None
        if len(hints) != len(planes):
            raise ValueError(f"{len(hints)} lists of hints for {len(planes)} photos")
        if not self.takes_hints:
            raise HintError(f"this model ({self.config.get('preset')}) does not take color "
                            "hints; the bundled model does")
        inputs = []
        for plane, photo_hints in zip(planes, hints, strict=True):
            check_hints(photo_hints, plane.width, plane.height)
            shape = working_shape(plane.height, plane.width, size)
            inputs.append(hint_planes(photo_hints, (plane.height, plane.width), shape))
            # Vividness scales the model's colors; a hinted color is asked for as it is, so
            # the model is asked for it divided by the vividness that will scale it back.
            if self.vividness > 0:
                inputs[-1][:2] /= self.vividness
        return inputs

    def working_chroma(self, luminances: Sequence[torch.Tensor], batch_size: int = 8,
                       hints: Sequence[torch.Tensor] | None = None) -> list[torch.Tensor]:
        """Model chroma (2, h, w) for working-size luminances (1, h, w) and, if given, their
        hint planes (3, h, w; all zero: no hints); equal shapes batch."""
        chromas: list[torch.Tensor | None] = [None] * len(luminances)
        shapes = [tuple(luminance.shape) for luminance in luminances]
        for shape in set(shapes):
            members = [i for i, s in enumerate(shapes) if s == shape]
            for start in range(0, len(members), batch_size):
                chunk = members[start:start + batch_size]
                batch = torch.stack([luminances[i] for i in chunk])
                hint_batch = None if hints is None else torch.stack([hints[i] for i in chunk])
                predicted = self.predict_chroma(batch, hint_batch)
                if self.vividness != 1.0:
                    predicted = (predicted * self.vividness).clamp(-1.0, 1.0)
                for index, chroma in zip(chunk, predicted, strict=True):
                    chromas[index] = chroma
        return chromas


def _check_count(name: str, value: int, least: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise TypeError(f"{name} must be a whole number, not {type(value).__name__}")
    if value < least:
        raise ValueError(f"{name} must be at least {least}, not {value}")


def _as_image(image: Image.Image | np.ndarray) -> Image.Image:
    if isinstance(image, np.ndarray):
        return array_to_image(image)
    if not isinstance(image, Image.Image):
        raise TypeError(f"expected a PIL image or a numpy array, not {type(image).__name__}")
    if image.width == 0 or image.height == 0:
        raise ValueError(f"image of size {image.width}x{image.height} has no pixels")
    return image


def working_luminance(light: torch.Tensor, size: int) -> torch.Tensor:
    """The model's input (1, h, w): full-size L (H, W) scaled down to the working shape."""
    return lightness_to_luminance(resize_planes(light[None], working_shape(*light.shape, size)))


def resize_planes(planes: torch.Tensor, shape: tuple[int, int]) -> torch.Tensor:
    """Resize (C, H, W) with antialiasing when shrinking, bilinear when growing."""
    if tuple(planes.shape[-2:]) == shape:
        return planes
    return functional.interpolate(planes[None], size=shape, mode="bilinear", align_corners=False,
                                  antialias=True)[0]


def finish(plane: Planes, light: torch.Tensor, chroma: torch.Tensor) -> Image.Image:
    """Working-size chroma upsampled and joined with the full-resolution L: the result."""
    rgb = compose_rgb(light, resize_planes(chroma, (plane.height, plane.width))).numpy()
    if plane.alpha is not None:
        return Image.fromarray(np.dstack([rgb, plane.alpha]), "RGBA")
    return Image.fromarray(rgb, "RGB")
