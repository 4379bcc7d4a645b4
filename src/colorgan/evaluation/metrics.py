"""Colorization quality measures; library implementations where they exist (scikit-image).

All functions take uint8 RGB arrays (H, W, 3) of the same shape.
"""

import numpy as np
import torch
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

AUC_MAX_THRESHOLD = 150  # Zhang et al. 2016: ab error thresholds 0..150
AB_BIN = 10.0  # Lab units per side of the ab cells that rebalancing counts, as in Zhang et al.
AB_CELLS_PER_SIDE = 2 * 13 + 1  # a and b within +-130 at most
HUE_BINS = 36  # 10 degrees each
HUE_MIN_CHROMA = 2.0  # pixels closer to gray have no hue worth counting


def psnr(result: np.ndarray, truth: np.ndarray) -> float:
    """Peak signal-to-noise ratio on RGB, in dB (infinite for identical images)."""
    return float(peak_signal_noise_ratio(truth, result, data_range=255))


def ssim(result: np.ndarray, truth: np.ndarray) -> float:
    """Structural similarity on RGB, averaged over channels."""
    return float(structural_similarity(truth, result, channel_axis=2, data_range=255))


def colorfulness(image: np.ndarray) -> float:
    """Hasler & Suesstrunk (2003) colorfulness: 0 for gray, about 40-60 for typical photos."""
    rgb = torch.tensor(image, dtype=torch.float64).permute(2, 0, 1) / 255.0
    return float(colorfulness_of(rgb))


def colorfulness_of(rgb: torch.Tensor) -> torch.Tensor:
    """Hasler & Suesstrunk colorfulness of sRGB images (..., 3, H, W) in [0, 1], on their
    0-255 scale; differentiable, so that training can use it as a loss."""
    spread, mean = colorfulness_parts(rgb)
    return spread + 0.3 * mean


def colorfulness_parts(rgb: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """The two terms of colorfulness: how much the opponent colors (red-green, yellow-blue)
    vary across each image, and how far their mean is from gray (a tint or cast)."""
    red, green, blue = (255.0 * rgb).unbind(dim=-3)
    red_green = (red - green).flatten(-2)
    yellow_blue = (0.5 * (red + green) - blue).flatten(-2)
    spread = torch.hypot(red_green.std(dim=-1, correction=0), yellow_blue.std(dim=-1, correction=0))
    mean = torch.hypot(red_green.mean(dim=-1), yellow_blue.mean(dim=-1))
    return spread, mean


def _lab(image: np.ndarray) -> np.ndarray:
    return rgb2lab(image.astype(np.float64) / 255.0)


def ciede2000(result: np.ndarray, truth: np.ndarray) -> float:
    """Mean CIEDE2000 color difference per pixel."""
    return _ciede2000_of_lab(_lab(result), _lab(truth))


def ab_error_auc(result: np.ndarray, truth: np.ndarray) -> float:
    """Area under the cumulative curve of per-pixel ab error, thresholds 0 to 150, in [0, 1].

    1.0 means every pixel's chroma is exact (Zhang et al. 2016, "Colorful Image Colorization").
    """
    return _auc_of_lab(_lab(result), _lab(truth))


def hue_distance(result: np.ndarray, truth: np.ndarray) -> float:
    """Earth mover's distance in degrees between the hue histograms of two photos (ab angle,
    each pixel weighted by its chroma): 0 when the colors have the same hues in the same
    shares, whatever their strength. NaN when either has no color."""
    return _hue_distance_of_lab(_lab(result), _lab(truth))


def _hue_histogram(lab: np.ndarray) -> np.ndarray | None:
    chroma = np.hypot(lab[..., 1], lab[..., 2]).ravel()
    hue = np.degrees(np.arctan2(lab[..., 2], lab[..., 1])).ravel() % 360.0
    weights = np.where(chroma >= HUE_MIN_CHROMA, chroma, 0.0)
    if weights.sum() == 0:
        return None
    counts = np.bincount((hue * HUE_BINS / 360.0).astype(int) % HUE_BINS, weights, HUE_BINS)
    return counts / counts.sum()


def _hue_distance_of_lab(result_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    made, true = _hue_histogram(result_lab), _hue_histogram(truth_lab)
    if made is None or true is None:
        return float("nan")
    # On a circle the cheapest transport shifts the cumulative difference by its median.
    surplus = np.cumsum(made - true)
    return float(np.abs(surplus - np.median(surplus)).sum() * 360.0 / HUE_BINS)


class AbErrorTally:
    """Per-pixel ab errors counted by the true color's ab cell, over a whole set of photos,
    for the class-rebalanced AuC of Zhang et al. 2016 (section 3.1): every pixel weighted by
    the inverse frequency of its true cell, so that rare saturated colors count as much as
    the common browns and grays. With the set's own frequencies that is the mean, over the
    cells the set holds, of each cell's AuC."""

    def __init__(self):
        self.counts = np.zeros((AB_CELLS_PER_SIDE ** 2, AUC_MAX_THRESHOLD + 2), dtype=np.int64)

    def add(self, result_lab: np.ndarray, truth_lab: np.ndarray) -> None:
        cells = np.clip(np.round(truth_lab[..., 1:] / AB_BIN).astype(int) + AB_CELLS_PER_SIDE // 2,
                        0, AB_CELLS_PER_SIDE - 1).reshape(-1, 2)
        cell = cells[:, 0] * AB_CELLS_PER_SIDE + cells[:, 1]
        error = np.linalg.norm(result_lab[..., 1:] - truth_lab[..., 1:], axis=-1).ravel()
        # Error e is within threshold t (a whole number) from t = ceil(e) on.
        first = np.minimum(np.ceil(error).astype(int), AUC_MAX_THRESHOLD + 1)
        self.counts += np.bincount(cell * (AUC_MAX_THRESHOLD + 2) + first,
                                   minlength=self.counts.size).reshape(self.counts.shape)

    def rebalanced_auc(self) -> float:
        """Each held cell's share of pixels within thresholds 0..150, averaged over cells."""
        held = self.counts.sum(axis=1) > 0
        within = np.cumsum(self.counts[held], axis=1)[:, :AUC_MAX_THRESHOLD + 1]
        cumulative = (within / self.counts[held].sum(axis=1, keepdims=True)).mean(axis=0)
        return float(np.trapezoid(cumulative, dx=1.0) / AUC_MAX_THRESHOLD)


def _ciede2000_of_lab(result_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    return float(deltaE_ciede2000(truth_lab, result_lab).mean())


def _auc_of_lab(result_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    error = np.linalg.norm(result_lab[..., 1:] - truth_lab[..., 1:], axis=-1).ravel()
    thresholds = np.arange(AUC_MAX_THRESHOLD + 1)
    cumulative = np.searchsorted(np.sort(error), thresholds, side="right") / error.size
    return float(np.trapezoid(cumulative, thresholds) / AUC_MAX_THRESHOLD)


def all_metrics(result: np.ndarray, truth: np.ndarray, tally: AbErrorTally | None = None
                ) -> dict[str, float]:
    """Every per-photo measure for one colorized photo against its original (each Lab
    conversion once); its ab errors are added to the tally if one is given."""
    result_lab, truth_lab = _lab(result), _lab(truth)
    return {**_color_measures(result, result_lab, truth, truth_lab, tally),
            "ssim": ssim(result, truth),
            "ciede2000": _ciede2000_of_lab(result_lab, truth_lab),
            "auc": _auc_of_lab(result_lab, truth_lab)}


def quick_metrics(result: np.ndarray, truth: np.ndarray, tally: AbErrorTally | None = None
                  ) -> dict[str, float]:
    """The measures cheap enough to take while training: PSNR, colorfulness, hue distance
    (and the ab errors for the tally)."""
    return _color_measures(result, _lab(result), truth, _lab(truth), tally)


def _color_measures(result: np.ndarray, result_lab: np.ndarray, truth: np.ndarray,
                    truth_lab: np.ndarray, tally: AbErrorTally | None) -> dict[str, float]:
    if tally is not None:
        tally.add(result_lab, truth_lab)
    return {"psnr": psnr(result, truth), "colorfulness": colorfulness(result),
            "hue_distance": _hue_distance_of_lab(result_lab, truth_lab)}


def frame_to_frame_chroma_change(frames: list[np.ndarray], still_below: float = 2.0
                                 ) -> tuple[float, float]:
    """(flicker, motion change) of a clip: mean |change of ab| between consecutive frames,
    where the lightness barely changed (|dL| < still_below), and where it did change."""
    still, moving = [], []
    previous = _lab(frames[0])
    for frame in frames[1:]:
        current = _lab(frame)
        light_change = np.abs(current[..., 0] - previous[..., 0])
        chroma_change = np.linalg.norm(current[..., 1:] - previous[..., 1:], axis=-1)
        still.append(chroma_change[light_change < still_below].mean())
        if (light_change >= still_below).any():
            moving.append(chroma_change[light_change >= still_below].mean())
        previous = current
    return float(np.mean(still)), float(np.mean(moving)) if moving else 0.0
