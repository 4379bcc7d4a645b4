"""Measuring colors: pixel and perceptual measures, the ImageNet judge, and `colorgan evaluate`
over folders of color photos. Imports inference and the models, never training."""
