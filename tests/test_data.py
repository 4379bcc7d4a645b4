from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.evaluation.degrade import degrade_luminance
from colorgan.evaluation.photos import scan_images
from colorgan.training.data import PhotoDataset, StepBatchSampler, source_indices, source_weights


def test_scan_skips_grayscale_and_unreadable_with_one_warning_each(photo_folder, capsys):
    report = scan_images([photo_folder])
    assert len(report.kept) == 12
    assert [p.name for p in report.grayscale] == ["gray.jpg"]
    assert sorted(p.name for p in report.unreadable) == ["broken.jpg", "empty.png"]
    warnings = capsys.readouterr().err.strip().splitlines()
    assert len(warnings) == 3 and all(line.startswith("warning: skipping") for line in warnings)
    assert report.summary() == "12 photos kept, 1 grayscale and 2 unreadable skipped"


def test_a_chroma_floor_leaves_out_muted_photos_without_warnings(tmp_path, capsys):
    vivid = np.zeros((32, 32, 3), np.uint8) + np.array([200, 40, 40], np.uint8)
    muted = np.zeros((32, 32, 3), np.uint8) + np.array([130, 120, 115], np.uint8)
    Image.fromarray(vivid).save(tmp_path / "vivid.png")
    Image.fromarray(muted).save(tmp_path / "muted.png")
    assert len(scan_images([tmp_path]).kept) == 2  # the default floor keeps every color photo
    report = scan_images([tmp_path], min_chroma=20.0)
    assert [p.name for p in report.kept] == ["vivid.png"]
    assert [p.name for p in report.muted] == ["muted.png"]
    assert report.summary() == ("1 photos kept, 0 grayscale, 1 under the chroma floor and "
                                "0 unreadable skipped")
    assert "warning" not in capsys.readouterr().err


def test_dataset_gives_model_range_crops_of_the_training_size(photo_folder):
    dataset = PhotoDataset(scan_images([photo_folder], warn=False).kept, size=48)
    luminance, chroma = dataset[(3, 1234)]
    assert luminance.shape == (1, 48, 48) and chroma.shape == (2, 48, 48)
    assert luminance.abs().max() <= 1 and chroma.abs().max() <= 1
    again, _ = dataset[(3, 1234)]
    other, _ = dataset[(3, 1235)]
    assert torch.equal(luminance, again)
    assert not torch.equal(luminance, other)


def test_sampler_depends_only_on_position_and_splits_ranks():
    sampler = StepBatchSampler(20, batch_size=4, seed=7)
    stream = iter(sampler)
    first_six = [next(stream) for _ in range(6)]
    resumed = iter(StepBatchSampler(20, batch_size=4, seed=7, start_batch=4))
    assert next(resumed) == first_six[4]
    epoch = [index for batch in first_six[:5] for index, _ in batch]
    assert sorted(epoch) == list(range(20))  # one epoch sees every photo once
    rank0 = StepBatchSampler(20, 2, 7, rank=0, world_size=2).batch_keys(0)
    rank1 = StepBatchSampler(20, 2, 7, rank=1, world_size=2).batch_keys(0)
    assert rank0 + rank1 == StepBatchSampler(20, 4, 7).batch_keys(0)


def test_source_balance_moves_draws_from_the_big_folder_to_the_small_one(tmp_path: Path):
    big = [tmp_path / "big" / f"{i}.png" for i in range(90)]
    small = [tmp_path / "small" / f"{i}.png" for i in range(10)]
    sources = [tmp_path / "big", tmp_path / "small"]
    owners = source_indices(big + small, sources)
    assert owners.tolist() == [0] * 90 + [1] * 10
    shares = {balance: source_weights(owners, balance)[90:].sum()
              for balance in (0.0, 0.5, 1.0)}
    assert shares[0.0] == pytest.approx(0.1)  # photos equally likely
    assert shares[0.5] == pytest.approx(np.sqrt(10) / (np.sqrt(10) + np.sqrt(90)))
    assert shares[1.0] == pytest.approx(0.5)  # folders equally likely
    with pytest.raises(ValueError, match="none of the data sources"):
        source_indices([tmp_path / "elsewhere.png"], sources)
    with pytest.raises(ValueError, match="outside"):
        source_weights(owners, 1.5)


def test_source_multipliers_scale_each_folders_share_after_the_balance():
    owners = np.array([0] * 90 + [1] * 10 + [2] * 10)
    weights = source_weights(owners, 1.0, [0.5, 1.0, 0.0])
    assert weights[:90].sum() == pytest.approx(1 / 3)  # half of the small folder's share
    assert weights[90:100].sum() == pytest.approx(2 / 3)
    assert not weights[100:].any()  # multiplier 0: left out
    assert np.allclose(weights[:90], weights[0])  # photos of one folder stay equally likely
    for multipliers in ([1.0, 1.0], [1.0, -1.0, 1.0], [0.0, 0.0, 0.0]):
        with pytest.raises(ValueError, match="one >= 0 per data folder"):
            source_weights(owners, 0.5, multipliers)


def test_weighted_sampler_follows_the_weights_and_stays_resumable():
    weights = np.r_[np.full(90, 0.5 / 90), np.full(10, 0.05)]
    sampler = StepBatchSampler(100, batch_size=10, seed=3, weights=weights)
    drawn = np.array([index for batch in range(200) for index, _ in sampler.batch_keys(batch)])
    assert 0.45 < np.mean(drawn >= 90) < 0.55
    keys = sampler.batch_keys(57)
    assert keys == StepBatchSampler(100, 10, 3, start_batch=57, weights=weights).batch_keys(57)
    assert len({seed for _, seed in keys}) == len(keys)  # repeats are cropped differently


def test_sampler_refuses_too_few_photos():
    with pytest.raises(ValueError, match="fewer than one batch"):
        StepBatchSampler(3, batch_size=4, seed=0)


def test_degradation_changes_input_but_stays_in_range():
    luminance = torch.linspace(-1, 1, 64 * 64).view(1, 64, 64)
    degraded = degrade_luminance(luminance, np.random.default_rng(3))
    assert degraded.shape == luminance.shape
    assert degraded.abs().max() <= 1
    assert not torch.equal(degraded, luminance)
