import numpy as np
import pytest
import torch
from PIL import Image
from skimage import data

from colorgan.color import rgb_to_model
from colorgan.evaluation.evaluate import GRAY_BASELINE, evaluate
from colorgan.evaluation.judge import Judge, frechet_distance, semantic_agreement
from colorgan.inference.planes import image_to_tensor
from colorgan.settings import LOSS_JUDGES, TrainConfig, check_train_settings
from colorgan.training.semantic import JudgeLoss
from colorgan.training.trainer import Trainer


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


def test_the_judge_recognizes_a_photo_as_itself_and_tells_photos_apart(judge):
    cat, cup = data.chelsea(), data.coffee()
    sight = judge.look([cat, cup])
    assert sight.probabilities.shape == (2, 1000) and sight.features.shape == (2, 1280)
    cat_class, cup_class = sight.probabilities.argmax(axis=1)
    assert cat_class != cup_class
    same = semantic_agreement(sight, sight)
    assert same["top1"].tolist() == [1.0, 1.0] and same["kl"] == pytest.approx([0, 0], abs=1e-9)
    swapped = semantic_agreement(sight.of([1, 0]), sight)
    assert swapped["top1"].tolist() == [0.0, 0.0] and (swapped["kl"] > 1).all()


def test_a_gray_photo_is_recognized_less_surely_than_its_original(judge):
    cat = data.chelsea()
    gray = np.repeat(cat.mean(axis=2, keepdims=True).astype(np.uint8), 3, axis=2)
    sight = judge.look([cat, gray])
    agreement = semantic_agreement(sight.of([1]), sight.of([0]))
    assert agreement["kl"][0] > 0.01


def test_frechet_distance_of_a_shifted_set_is_the_squared_shift():
    features = np.random.default_rng(0).normal(size=(40, 6))
    assert frechet_distance(features, features) == pytest.approx(0.0, abs=1e-6)
    assert frechet_distance(features + 2.0, features) == pytest.approx(6 * 4.0, rel=1e-6)
    assert frechet_distance(features * 3, features) > 1


@pytest.mark.slow
def test_evaluate_with_the_judge_reports_its_measures_for_every_row(photo_folder, judge):
    from colorgan.inference.colorize import Colorizer

    evaluation = evaluate([str(photo_folder)], {"bundled": Colorizer.load(device="cpu")},
                          size=64, limit=3, grid_photos=0, judge=judge)
    summary = evaluation.summary()
    for name in (GRAY_BASELINE, "bundled"):
        assert {"top1", "top5", "kl", "frechet", "auc_rebalanced"} <= set(summary[name])
        assert 0 <= summary[name]["top1"] <= summary[name]["top5"] <= 1
    assert np.isnan(summary[GRAY_BASELINE]["hue_distance"])
    assert evaluation.to_json()["models"][GRAY_BASELINE]["hue_distance"] is None



def model_planes(photos: list[np.ndarray], side: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Photos as the model's (luminance, chroma) batch, each resized to side x side."""
    return rgb_to_model(torch.stack([image_to_tensor(Image.fromarray(photo).resize((side, side)))
                                     for photo in photos]))


@pytest.mark.parametrize("encoder", LOSS_JUDGES)
def test_the_judge_loss_is_zero_for_the_true_colors_and_pulls_wrong_ones_toward_them(encoder):
    loss = JudgeLoss(encoder=encoder)
    luminance, chroma = model_planes([data.chelsea(), data.coffee()], 96)
    same = loss(luminance, chroma, chroma)
    assert same["semantic"].item() == pytest.approx(0, abs=1e-5)
    assert same["perceptual"].item() == pytest.approx(0, abs=1e-6)
    wrong = chroma.flip(0).clone().requires_grad_(True)  # each photo in the other's colors
    losses = loss(luminance, wrong, chroma)
    assert losses["semantic"].item() > 0.01 and losses["perceptual"].item() > 0
    losses["semantic"].backward()
    assert wrong.grad.abs().sum() > 0
    assert all(parameter.grad is None for parameter in loss.parameters())


def test_the_loss_judge_a_recipe_names_is_the_network_the_losses_come_from(tmp_path):
    sizes = {encoder: sum(p.numel() for p in Trainer(TrainConfig(
        out=str(tmp_path), pretrained=False, semantic_weight=1.0, loss_judge=encoder)
    ).judge_loss.parameters()) for encoder in LOSS_JUDGES}
    assert sizes["efficientnet-lite0"] < sizes["efficientnet-lite2"]
    with pytest.raises(ValueError, match="loss_judge"):
        check_train_settings({"loss_judge": "resnet50"})


def test_a_run_with_the_judge_losses_logs_them_and_trains_the_generator(tmp_path):
    trainer = Trainer(TrainConfig(out=str(tmp_path), pretrained=False, semantic_weight=1.0,
                                  perceptual_weight=0.5))
    batch = model_planes([data.astronaut()] * 2, 64)
    trainer.next_batch = lambda: batch
    before = {name: p.clone() for name, p in trainer.generator.named_parameters()}
    losses = trainer.pretrain_step()
    assert {"l1", "semantic", "perceptual"} <= set(losses) and losses["semantic"] > 0
    assert any(not torch.equal(before[name], p)
               for name, p in trainer.generator.named_parameters())
