import pytest
import torch

from colorgan.color import AB_RANGE, rgb_to_model
from colorgan.models.chroma_bins import BinnedChromaHead, gamut_bin_centers, set_decoding
from colorgan.training.losses import BinnedChromaLoss, bin_histogram, rebalancing_weights

SIGMA = 5 / AB_RANGE


def test_bins_cover_the_srgb_gamut_and_nothing_outside_it():
    centers = gamut_bin_centers()
    assert 200 < len(centers) < 320  # Zhang et al. count 313 over all lightness levels
    assert centers.abs().max() <= 1
    pure = torch.tensor([[1.0, 0, 0], [0, 1, 0], [0, 0, 1], [1, 1, 0]]).T.reshape(3, 4, 1)
    ab = rgb_to_model(pure)[1].reshape(2, -1).T
    assert torch.cdist(ab, centers).min(dim=1).values.max() < 8 / AB_RANGE
    assert not any(torch.allclose(c, torch.tensor([-1.0, 1.0]), atol=0.05) for c in centers)


def test_decoding_a_confident_bin_gives_its_center_and_temperature_sharpens():
    head = BinnedChromaHead(8)
    centers = head.centers
    blue = int(torch.argmin(centers[:, 1]))
    logits = torch.zeros(1, len(centers), 2, 2)
    logits[:, blue] = 50.0
    assert torch.allclose(head.decode(logits)[0, :, 0, 0], centers[blue], atol=1e-4)
    logits[:, blue] = 5.0  # a mild preference: the mean is muted, annealing restores it
    head.temperature.fill_(1.0)
    mean = head.decode(logits)[0, 1, 0, 0]
    head.temperature.fill_(0.3)
    annealed = head.decode(logits)[0, 1, 0, 0]
    assert annealed < mean < 0


def test_rebalancing_lifts_rare_bins_and_keeps_the_expected_weight_at_one():
    centers = gamut_bin_centers()
    histogram = torch.full((len(centers),), 1e-4)
    common = int(torch.argmin(centers.norm(dim=1)))
    histogram[common] = 1.0
    histogram /= histogram.sum()
    weights = rebalancing_weights(histogram, centers, SIGMA)
    assert weights[common] == weights.min() and weights.max() > 10 * weights[common]
    smoothed = torch.exp(-torch.cdist(centers, centers).pow(2) / (2 * SIGMA ** 2)) @ histogram
    assert (smoothed / smoothed.sum() * weights).sum() == pytest.approx(1.0)


def test_histogram_counts_the_nearest_bin_of_each_pixel():
    centers = gamut_bin_centers()
    chroma = centers[[3, 3, 3, 7]].T.reshape(1, 2, 2, 2)
    histogram = bin_histogram([chroma], centers)
    assert histogram[3] == 0.75 and histogram[7] == 0.25 and histogram.sum() == 1
    two = bin_histogram([chroma, centers[[7, 7]].T.reshape(1, 2, 1, 2)], centers)
    assert two[3] == 0.5 and two[7] == 0.5


def test_binned_loss_is_lowest_for_logits_on_the_true_bins():
    centers = gamut_bin_centers()
    loss = BinnedChromaLoss(centers, torch.ones(len(centers)) / len(centers), SIGMA)
    truth = torch.zeros(2, 2, 8, 8)
    truth[:, 1] = centers[:, 1].min() + 0.01  # deep blue
    right = torch.zeros(2, len(centers), 4, 4)
    right[:, int(torch.cdist(truth[0, :, 0, :1].T, centers).argmin())] = 10.0
    wrong = torch.zeros_like(right)
    wrong[:, int(torch.argmax(centers[:, 1]))] = 10.0  # yellow
    flat = torch.zeros_like(right)
    assert loss(right, truth) < loss(flat, truth) < loss(wrong, truth)


def test_rebalance_zero_takes_the_training_tilt_out_of_the_logits():
    head = BinnedChromaHead(8)
    head.temperature.fill_(1.0)
    head.loss_log_weights.copy_(torch.randn(len(head.centers)))
    tilted = head.loss_log_weights[None, :, None, None].expand(1, -1, 2, 2).clone()
    head.rebalance.fill_(0.0)
    assert torch.allclose(head.decode(tilted)[0, :, 0, 0], head.centers.mean(dim=0), atol=1e-5)
    head.rebalance.fill_(1.0)
    assert not torch.allclose(head.decode(tilted)[0, :, 0, 0], head.centers.mean(dim=0),
                              atol=1e-3)


def test_decoding_is_set_only_on_binned_weights_and_in_range():
    weights = {"bins.temperature": torch.tensor(0.38), "bins.rebalance": torch.tensor(1.0)}
    set_decoding(weights, 0.5, 0.25)
    assert float(weights["bins.temperature"]) == 0.5 and float(weights["bins.rebalance"]) == 0.25
    with pytest.raises(ValueError, match="binned"):
        set_decoding({"head.0.weight": torch.zeros(1)}, 0.5)
    with pytest.raises(ValueError, match="must be in"):
        set_decoding(weights, 0)
    with pytest.raises(ValueError, match="must be in"):
        set_decoding(weights, rebalance=-1)
