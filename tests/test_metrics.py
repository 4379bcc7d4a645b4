import numpy as np
import pytest
from skimage import data
from skimage.color import lab2rgb, rgb2lab

from colorgan.evaluation.metrics import (
    AbErrorTally,
    ab_error_auc,
    all_metrics,
    ciede2000,
    colorfulness,
    hue_distance,
    psnr,
    ssim,
)

PHOTO = data.astronaut()[::4, ::4]
GRAY = np.repeat(np.asarray(PHOTO.mean(axis=2), np.uint8)[..., None], 3, axis=2)


def test_identical_images_score_perfectly():
    assert psnr(PHOTO, PHOTO) == np.inf
    assert ssim(PHOTO, PHOTO) == pytest.approx(1.0)
    assert ciede2000(PHOTO, PHOTO) == pytest.approx(0.0, abs=1e-9)
    assert ab_error_auc(PHOTO, PHOTO) == pytest.approx(1.0)


def test_gray_has_zero_colorfulness_and_photos_do_not():
    assert colorfulness(GRAY) == pytest.approx(0.0, abs=1e-9)
    assert colorfulness(PHOTO) > 20


def test_colorfulness_of_a_known_case():
    # Half pure red, half pure green: rg is +-255 (std 255, mean 0), yb is 127.5 (std 0).
    image = np.zeros((2, 2, 3), np.uint8)
    image[0, :, 0] = 255
    image[1, :, 1] = 255
    assert colorfulness(image) == pytest.approx(255 + 0.3 * 127.5)


def test_known_psnr_for_a_uniform_shift():
    shifted = np.clip(PHOTO.astype(int) + 5, 0, 255).astype(np.uint8)
    expected = 10 * np.log10(255**2 / ((shifted.astype(float) - PHOTO) ** 2).mean())
    assert psnr(shifted, PHOTO) == pytest.approx(expected)


def test_known_ab_shift_gives_known_auc_and_delta_e():
    # A flat gray versus the same gray shifted to chroma 20: every pixel errs by ~20.
    gray = np.full((4, 4, 3), 128, np.uint8)
    tinted = np.full((4, 4, 3), 128, np.uint8)
    tinted[..., 0] = 160
    error = np.linalg.norm(rgb2lab(tinted / 255.0)[0, 0, 1:])
    expected_auc = sum(float(t >= error) for t in range(151)) / 151
    assert ab_error_auc(tinted, gray) == pytest.approx(expected_auc, abs=0.01)
    assert ciede2000(tinted, gray) > 5


def test_gray_versus_color_is_worse_than_identity():
    scores = all_metrics(GRAY, PHOTO)
    assert scores["psnr"] < 40 and scores["ssim"] < 1 and scores["ciede2000"] > 1
    assert 0.5 < scores["auc"] < 1


def _with_ab(lab: np.ndarray, ab: np.ndarray) -> np.ndarray:
    """The photo whose Lab has this lightness and these a, b, as uint8 RGB."""
    return (np.clip(lab2rgb(np.dstack([lab[..., :1], ab])), 0, 1) * 255).round().astype(np.uint8)


def test_hue_distance_sees_wrong_hues_not_weaker_colors():
    lab = rgb2lab(PHOTO / 255.0)
    ab = lab[..., 1:]
    weaker = _with_ab(lab, 0.5 * ab)
    rotated = _with_ab(lab, 0.5 * np.stack([-ab[..., 1], ab[..., 0]], axis=-1))  # +90 degrees
    assert hue_distance(PHOTO, PHOTO) == pytest.approx(0.0, abs=1e-9)
    assert hue_distance(weaker, PHOTO) < 5
    assert 60 < hue_distance(rotated, PHOTO) < 120
    assert np.isnan(hue_distance(GRAY, PHOTO))


def test_rebalanced_auc_counts_a_rare_color_as_much_as_the_common_ones():
    # 95% of the photo is a gray that is colored right, 5% a red that is left gray.
    truth = np.full((20, 20, 3), 128, np.uint8)
    truth[:1] = (200, 30, 30)
    result = np.full((20, 20, 3), 128, np.uint8)
    tally = AbErrorTally()
    tally.add(rgb2lab(result / 255.0), rgb2lab(truth / 255.0))
    red_alone = ab_error_auc(result[:1], truth[:1])
    assert ab_error_auc(result, truth) > 0.9
    assert tally.rebalanced_auc() == pytest.approx((1.0 + red_alone) / 2, abs=0.01)
    exact = AbErrorTally()
    exact.add(rgb2lab(truth / 255.0), rgb2lab(truth / 255.0))
    assert exact.rebalanced_auc() == pytest.approx(1.0)
