"""A photo's own true colors as hints at random points: what a person who knew the colors
would give, for `colorgan evaluate --hints` and validation."""

import numpy as np

from colorgan.inference.hints import HINT_SIDE, Hint


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
