"""Colorization quality measures; library implementations where they exist (scikit-image).

All functions take uint8 RGB arrays (H, W, 3) of the same shape.
"""

import numpy as np
import torch
from skimage.color import deltaE_ciede2000, rgb2lab
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

AUC_MAX_THRESHOLD = 150  # Zhang et al. 2016: ab error thresholds 0..150


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


def _ciede2000_of_lab(result_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    return float(deltaE_ciede2000(truth_lab, result_lab).mean())


def _auc_of_lab(result_lab: np.ndarray, truth_lab: np.ndarray) -> float:
    error = np.linalg.norm(result_lab[..., 1:] - truth_lab[..., 1:], axis=-1).ravel()
    thresholds = np.arange(AUC_MAX_THRESHOLD + 1)
    cumulative = np.searchsorted(np.sort(error), thresholds, side="right") / error.size
    return float(np.trapezoid(cumulative, thresholds) / AUC_MAX_THRESHOLD)


def all_metrics(result: np.ndarray, truth: np.ndarray) -> dict[str, float]:
    """Every measure for one colorized photo against its original (each Lab conversion once)."""
    result_lab, truth_lab = _lab(result), _lab(truth)
    return {"psnr": psnr(result, truth), "ssim": ssim(result, truth),
            "colorfulness": colorfulness(result),
            "ciede2000": _ciede2000_of_lab(result_lab, truth_lab),
            "auc": _auc_of_lab(result_lab, truth_lab)}


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
