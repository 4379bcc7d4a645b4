import numpy as np
import pytest
import torch

from colorgan.color import AB_RANGE, gray_rgb, join_lab, model_to_rgb, rgb_to_lab, rgb_to_model


def test_rgb_lab_rgb_round_trip_is_within_one_level():
    levels = torch.from_numpy(np.random.default_rng(0).integers(0, 256, (3, 32, 32)))
    rgb = levels.float() / 255
    back = model_to_rgb(*rgb_to_model(rgb))
    assert (back - rgb).abs().max() * 255 < 1.0


def test_model_range_is_minus_one_to_one():
    rgb = torch.rand(2, 3, 16, 16)
    luminance, chroma = rgb_to_model(rgb)
    assert luminance.min() >= -1 and luminance.max() <= 1
    assert chroma.min() >= -1 and chroma.max() <= 1
    assert torch.allclose(rgb_to_model(torch.ones(3, 1, 1))[0], torch.ones(1, 1, 1), atol=1e-4)
    assert torch.allclose(rgb_to_model(torch.zeros(3, 1, 1))[0], -torch.ones(1, 1, 1), atol=1e-4)


def test_pure_red_has_positive_a():
    lab = rgb_to_lab(torch.tensor([1.0, 0.0, 0.0]).view(3, 1, 1))
    assert lab[0].item() == pytest.approx(53.2, abs=0.5)
    assert lab[1].item() == pytest.approx(80.1, abs=0.5)


def test_out_of_range_chroma_is_clamped_before_conversion():
    luminance = torch.zeros(1, 4, 4)
    wild = torch.full((2, 4, 4), 7.0)
    assert torch.equal(join_lab(luminance, wild)[1:], torch.full((2, 4, 4), AB_RANGE))
    rgb = model_to_rgb(luminance, wild)
    assert rgb.min() >= 0 and rgb.max() <= 1


def test_gray_rgb_has_equal_channels():
    rgb = gray_rgb(torch.rand(2, 1, 8, 8) * 2 - 1)
    assert torch.allclose(rgb[:, 0], rgb[:, 1], atol=2e-3)
    assert torch.allclose(rgb[:, 1], rgb[:, 2], atol=2e-3)
