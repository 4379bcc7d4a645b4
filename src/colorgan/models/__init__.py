"""Generators, discriminators and the registry of named presets."""

from colorgan.models.registry import DEFAULT_PRESET, PRESETS, Preset, get_preset

__all__ = ["DEFAULT_PRESET", "PRESETS", "Preset", "get_preset"]
