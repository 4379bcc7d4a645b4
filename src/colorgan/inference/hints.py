"""Color hints: "this dress was red". A person's hints and how the model sees them.

A hint is a point in the photo's own pixels and a color a person picks; only the color's
chroma (a, b) is used, so the photo keeps its own lightness (red on a dark coat gives a dark
red coat). The model sees the hints as HINT_CHANNELS planes at its working size: a and b in
its chroma scale where a hint is and 0 elsewhere, and a mask of 1 where a hint is. A hint
covers a square of HINT_SIDE working pixels (training simulates hints in
colorgan.training.hint_simulation).
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from colorgan.color import rgb_to_model
from colorgan.settings import MAX_HINTS

HINT_SIDE = 5  # working pixels; training simulates sides 1 to 9, this is their mean
_HEX_COLOR = re.compile(r"#?([0-9a-fA-F]{6})")


class HintError(ValueError):
    """Hints that cannot be used: malformed, too many, or outside the photo."""


@dataclass(frozen=True)
class Hint:
    """A color at a point: x, y in the photo's pixels (0 at the left, top edge), and the color
    as "#rrggbb" or an (r, g, b) tuple of 0-255."""

    x: float
    y: float
    color: str | tuple[int, int, int]

    @property
    def rgb(self) -> tuple[int, int, int]:
        return parse_color(self.color)


def parse_color(color: str | Sequence[int]) -> tuple[int, int, int]:
    """(r, g, b) of "#rrggbb" (the # may be left out) or of three whole numbers 0-255."""
    if isinstance(color, str):
        match = _HEX_COLOR.fullmatch(color.strip())
        if not match:
            raise HintError(f"color {color!r} is not #rrggbb")
        code = match.group(1)
        return tuple(int(code[i:i + 2], 16) for i in (0, 2, 4))
    channels = tuple(color) if isinstance(color, list | tuple) else ()
    if len(channels) != 3 or not all(isinstance(c, int | np.integer) and not isinstance(c, bool)
                                     and 0 <= c <= 255 for c in channels):
        raise HintError(f"color {color!r} is neither #rrggbb nor three whole numbers 0-255")
    return tuple(int(c) for c in channels)


def parse_hint(text: str) -> Hint:
    """A hint from the command line's "X,Y,#rrggbb"."""
    parts = text.split(",")
    if len(parts) != 3:
        raise HintError(f"hint {text!r} is not X,Y,#rrggbb")
    try:
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise HintError(f"hint {text!r}: X and Y must be numbers") from None
    color = parts[2].strip()
    parse_color(color)  # raises now, where the whole text can be quoted
    return Hint(x, y, color)


def read_hints(texts: Sequence[str], file: Path | None = None) -> list[Hint]:
    """Hints from the command line: "X,Y,#rrggbb" texts, then those of a JSON file."""
    hints = [parse_hint(text) for text in texts]
    if file is not None:
        try:
            content = file.read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise HintError(f"--hints {file}: {error}") from None
        hints += hints_from_json(content)
    return hints


def hints_from_json(text: str) -> list[Hint]:
    """Hints from a JSON list of {"x": 120, "y": 80, "color": "#c0392b"} (color may also be
    [r, g, b]), as the --hints file and the API's hints field hold them."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as error:
        raise HintError(f"hints are not valid JSON: {error}") from None
    except (ValueError, RecursionError):  # numbers of thousands of digits, deep nesting
        raise HintError("hints are not valid JSON of hints: nested too deep or numbers too "
                        "long") from None
    if not isinstance(items, list):
        raise HintError('hints must be a JSON list of {"x": .., "y": .., "color": "#rrggbb"}')
    if len(items) > MAX_HINTS:
        raise HintError(f"{len(items)} hints: at most {MAX_HINTS} are taken")
    hints = []
    for index, item in enumerate(items):
        if not isinstance(item, dict) or set(item) != {"x", "y", "color"}:
            raise HintError(f"hint {index}: expected exactly the keys x, y and color, "
                             f"not {item!r}")
        if not all(_is_coordinate(item[k]) for k in ("x", "y")):
            raise HintError(f"hint {index}: x and y must be numbers")
        color = item["color"]
        try:
            parse_color(color)
        except HintError as error:
            raise HintError(f"hint {index}: {error}") from None
        hints.append(Hint(float(item["x"]), float(item["y"]),
                          tuple(color) if isinstance(color, list) else color))
    return hints


def _is_coordinate(value) -> bool:
    """A real, finite number (not a bool, not a string)."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:  # an int too large for a float
        return False


def check_hints(hints: Sequence[Hint], width: int, height: int) -> None:
    """Raise ValueError for too many hints, a bad color, or a point outside the photo."""
    if len(hints) > MAX_HINTS:
        raise HintError(f"{len(hints)} hints: at most {MAX_HINTS} are taken")
    for index, hint in enumerate(hints):
        if not isinstance(hint, Hint):
            raise TypeError(f"hint {index} is a {type(hint).__name__}, not a colorgan Hint")
        if not (_is_coordinate(hint.x) and _is_coordinate(hint.y)):
            raise HintError(f"hint {index}: x and y must be finite numbers, not "
                             f"{hint.x!r}, {hint.y!r}")
        if not (0 <= hint.x < width and 0 <= hint.y < height):
            raise HintError(f"hint {index} at ({hint.x:g}, {hint.y:g}) is outside the "
                             f"{width}x{height} photo")
        parse_color(hint.color)


def hint_chroma(colors: Iterable[tuple[int, int, int]]) -> torch.Tensor:
    """Model chroma (K, 2) of sRGB colors."""
    rgb = torch.tensor(list(colors), dtype=torch.float32).reshape(-1, 3) / 255
    return rgb_to_model(rgb.T[:, :, None])[1][:, :, 0].T


def hint_planes(hints: Sequence[Hint], photo_shape: tuple[int, int],
                working_shape: tuple[int, int]) -> torch.Tensor:
    """The model's hint input (HINT_CHANNELS, h, w) for hints on a photo of photo_shape
    (height, width) seen at working_shape; a later hint covers an earlier one."""
    planes = torch.zeros(3, *working_shape)
    if not hints:
        return planes
    chroma = hint_chroma(hint.rgb for hint in hints)
    scale_y, scale_x = (w / p for w, p in zip(working_shape, photo_shape, strict=True))
    for hint, ab in zip(hints, chroma, strict=True):
        top, left = (_patch_start(coordinate * scale, side) for coordinate, scale, side in
                     ((hint.y, scale_y, working_shape[0]), (hint.x, scale_x, working_shape[1])))
        planes[:2, top:top + HINT_SIDE, left:left + HINT_SIDE] = ab[:, None, None]
        planes[2, top:top + HINT_SIDE, left:left + HINT_SIDE] = 1.0
    return planes


def _patch_start(center: float, side: int) -> int:
    """The first row (or column) of a HINT_SIDE square around center, inside 0..side."""
    return int(min(max(0, int(center) - HINT_SIDE // 2), max(0, side - HINT_SIDE)))
