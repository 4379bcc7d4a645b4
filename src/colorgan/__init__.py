"""colorgan: color black-and-white photos with a GAN; train, measure and serve the models."""

__version__ = "0.1.0"
