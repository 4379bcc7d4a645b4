"""Color hints: "this dress was red". A person's hints, and the ones training simulates.

A hint is a point in the photo's own pixels and a color a person picks; only the color's
chroma (a, b) is used, so the photo keeps its own lightness (red on a dark coat gives a dark
red coat). The model sees the hints as HINT_CHANNELS planes at its working size: a and b in
its chroma scale where a hint is and 0 elsewhere, and a mask of 1 where a hint is. A hint
covers a square of HINT_SIDE working pixels; training simulates hints as Zhang et al. 2017
do (a geometric number of squares of 1 to 9 pixels with the true mean chroma), some of them
where the automatic colors are most wrong, which is where people click.
"""

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch
from torch.nn import functional

from colorgan.color import rgb_to_model
from colorgan.settings import MAX_HINTS

HINT_SIDE = 5  # working pixels; training draws sides 1 to MAX_SIMULATED_SIDE, this is their mean
MAX_SIMULATED_SIDE = 9
STOP_PROBABILITY = 1 / 8  # simulated hints per crop: geometric, mean 8 (Zhang et al.)
ERROR_SPACING = 12  # working pixels between two hints put where the error is largest
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


def ground_truth_hints(photo: np.ndarray, count: int, rng: np.random.Generator,
                       working_side: int) -> list[Hint]:
    """`count` hints at random points of an (H, W, 3) photo, each the photo's own mean color
    over the square a hint covers there: what `colorgan evaluate --hints` gives the models."""
    height, width = photo.shape[:2]
    half = max(1, round(HINT_SIDE * np.sqrt(height * width) / working_side)) // 2
    hints = []
    for _ in range(count):
        y, x = int(rng.integers(height)), int(rng.integers(width))
        patch = photo[max(0, y - half):y + half + 1, max(0, x - half):x + half + 1]
        mean = patch.reshape(-1, 3).mean(axis=0).round().astype(int)
        hints.append(Hint(x, y, tuple(int(c) for c in mean)))
    return hints


def simulated_hints(chroma: torch.Tensor, rng: np.random.Generator, free_share: float,
                    error_share: float, automatic: torch.Tensor | None = None) -> torch.Tensor:
    """Training hints (N, HINT_CHANNELS, H, W) for true chroma (N, 2, H, W): none on a
    free_share of crops; on the others a geometric number of squares of 1 to
    MAX_SIMULATED_SIDE pixels holding the true mean chroma there, at random points, or on an
    error_share of them (when the automatic prediction is given) where it is most wrong."""
    batch, _, height, width = chroma.shape
    planes = torch.zeros(batch, 3, height, width, device=chroma.device)
    errors = None
    if automatic is not None:
        errors = functional.avg_pool2d((automatic - chroma).abs().sum(1, keepdim=True),
                                       MAX_SIMULATED_SIDE, 1, MAX_SIMULATED_SIDE // 2)[:, 0]
    for index in range(batch):
        if rng.random() < free_share:
            continue
        count = int(rng.geometric(STOP_PROBABILITY))
        sides = rng.integers(1, MAX_SIMULATED_SIDE + 1, count)
        if errors is not None and rng.random() < error_share:
            centers = _largest(errors[index].clone(), count)
        else:
            centers = zip(rng.integers(height, size=count), rng.integers(width, size=count),
                          strict=True)
        for (y, x), side in zip(centers, sides, strict=False):
            top = int(min(max(0, y - side // 2), height - side))
            left = int(min(max(0, x - side // 2), width - side))
            rows, columns = slice(top, top + side), slice(left, left + side)
            planes[index, :2, rows, columns] = chroma[index, :, rows, columns].mean(
                dim=(1, 2), keepdim=True)
            planes[index, 2, rows, columns] = 1.0
    return planes


def hinted(planes: torch.Tensor) -> torch.Tensor:
    """Which images of a batch of hint planes (N, HINT_CHANNELS, H, W) hold any hint: their
    last plane is the mask."""
    return planes[:, -1].flatten(1).amax(dim=1) > 0


def _largest(error: torch.Tensor, count: int) -> list[tuple[int, int]]:
    """Up to `count` points of an (H, W) error map, largest first, ERROR_SPACING apart."""
    width = error.shape[1]
    centers = []
    for _ in range(count):
        y, x = divmod(int(error.argmax()), width)
        centers.append((y, x))
        error[max(0, y - ERROR_SPACING):y + ERROR_SPACING + 1,
              max(0, x - ERROR_SPACING):x + ERROR_SPACING + 1] = -1.0
    return centers
