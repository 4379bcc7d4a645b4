"""colorgan: color black-and-white photos with a GAN; train, measure and serve the models."""

__version__ = "0.1.0"


def __getattr__(name: str):
    # Importing torch takes a while; `import colorgan` stays quick until Colorizer is used.
    if name == "Colorizer":
        from colorgan.inference.colorize import Colorizer

        return Colorizer
    if name == "Hint":
        from colorgan.inference.hints import Hint

        return Hint
    raise AttributeError(f"module 'colorgan' has no attribute {name!r}")


__all__ = ["Colorizer", "Hint", "__version__"]
