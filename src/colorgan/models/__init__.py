"""Generators, discriminators and the registry of named presets."""

from colorgan.models.registry import PRESETS, Preset, get_preset
from colorgan.settings import DEFAULT_PRESET

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]
