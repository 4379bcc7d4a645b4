import numpy as np
import pytest
import torch

from colorgan.color import model_to_rgb, rgb_to_model
from colorgan.evaluation.metrics import colorfulness, colorfulness_of
from colorgan.inference.planes import image_to_tensor
from colorgan.training.losses import colorfulness_loss, reconstruction_loss
from tests.conftest import color_photo


def photos() -> tuple[torch.Tensor, torch.Tensor]:
    rgb = torch.stack([image_to_tensor(color_photo(i, (40, 32))) for i in range(3)])
    return rgb_to_model(rgb)


def test_colorfulness_of_a_batch_is_each_images_own():
    images = [np.asarray(color_photo(i, (40, 32))) for i in range(3)]
    batch = torch.stack([torch.tensor(i).permute(2, 0, 1) for i in images]).double() / 255
    assert colorfulness_of(batch).tolist() == pytest.approx([colorfulness(i) for i in images])


def test_colorfulness_loss_is_zero_for_the_original_and_positive_for_muted_colors():
    luminance, chroma = photos()
    assert colorfulness_loss(luminance, chroma, chroma).item() == pytest.approx(0.0, abs=1e-6)
    muted = colorfulness_loss(luminance, 0.5 * chroma, chroma).item()
    gray = colorfulness_loss(luminance, torch.zeros_like(chroma), chroma).item()
    assert 0 < muted < gray


def test_colorfulness_loss_counts_only_the_images_asked_for():
    luminance, chroma = photos()
    muted = chroma * torch.tensor([0.2, 1.0, 0.6])[:, None, None, None]
    first_alone = colorfulness_loss(luminance[:1], muted[:1], chroma[:1])
    counted = torch.tensor([True, False, False])
    assert colorfulness_loss(luminance, muted, chroma, counted) == pytest.approx(first_alone)
    assert colorfulness_loss(luminance, muted, chroma) < first_alone  # the mean of all three
    assert colorfulness_loss(luminance, muted, chroma, torch.zeros(3, dtype=torch.bool)) == 0


def test_colorfulness_loss_never_pushes_past_the_original():
    luminance, chroma = photos()
    stronger = (1.5 * chroma).requires_grad_()
    loss = colorfulness_loss(luminance, stronger, chroma)
    loss.backward()
    assert loss.item() == 0 and not stronger.grad.any()


def test_descending_the_colorfulness_loss_makes_muted_colors_stronger():
    luminance, chroma = photos()
    muted = (0.3 * chroma).requires_grad_()
    before = colorfulness_loss(luminance, muted, chroma)
    before.backward()
    with torch.no_grad():
        stepped = muted - 0.5 * muted.grad / muted.grad.abs().max()
    assert colorfulness_loss(luminance, stepped, chroma) < before


def test_a_uniform_cast_earns_little_from_the_colorfulness_loss():
    luminance, chroma = photos()
    gray = torch.zeros_like(chroma)
    warm = gray + torch.tensor([0.1, 0.2])[:, None, None]
    earned = colorfulness_loss(luminance, gray, chroma) - colorfulness_loss(luminance, warm,
                                                                            chroma)
    cast_colorfulness = colorfulness_of(model_to_rgb(luminance, warm)).mean() / 100
    assert earned < 0.25 * cast_colorfulness  # the full colorfulness would pay all of it


def test_in_rgb_a_chroma_error_costs_what_it_shows():
    # A saturated orange in deep shadow (L 2), where the sRGB gamut is narrow, and a mid gray.
    luminance = torch.tensor([-0.96, 0.0]).view(2, 1, 1, 1).expand(2, 1, 8, 8)
    truth = torch.tensor([[0.3, 0.3], [0.0, 0.0]]).view(2, 2, 1, 1).expand(2, 2, 8, 8)
    off = truth + 0.1
    assert reconstruction_loss(truth, truth, luminance).item() == pytest.approx(0, abs=1e-6)
    in_lab = [reconstruction_loss(off[i:i + 1], truth[i:i + 1]).item() for i in range(2)]
    in_rgb = [reconstruction_loss(off[i:i + 1], truth[i:i + 1], luminance[i:i + 1]).item()
              for i in range(2)]
    assert in_lab[0] == pytest.approx(in_lab[1])
    assert in_rgb[0] < 0.3 * in_rgb[1]
