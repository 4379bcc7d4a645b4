import csv
import dataclasses
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import torch
from PIL import Image
from safetensors.torch import load_file

from colorgan.color import rgb_to_model
from colorgan.evaluation.photos import scan_images
from colorgan.inference.colorize import Colorizer
from colorgan.inference.planes import image_to_tensor
from colorgan.models import DEFAULT_PRESET, PRESETS
from colorgan.models.files import export_generator, load_checkpoint, save_checkpoint
from colorgan.settings import TrainConfig
from colorgan.training.hint_simulation import hinted
from colorgan.training.losses import colorfulness_loss
from colorgan.training.reconstruction import batch_hints, saturated
from colorgan.training.run import load_run_config, train
from colorgan.training.trainer import Trainer
from colorgan.training.validation import ValidationSet
from tests.conftest import color_photo


@pytest.fixture
def val(tmp_path: Path) -> Path:
    """Three held-out color photos to validate on."""
    folder = tmp_path / "val"
    folder.mkdir()
    for index in range(3):
        color_photo(70 + index, (120, 90)).save(folder / f"val{index}.png")
    return folder


def tiny_config(folder: Path, out: Path, **changes) -> TrainConfig:
    values = dict(data=[str(folder)], out=str(out), size=32, batch_size=4, steps=4,
                  sample_every=2, num_samples=2, workers=0, pretrained=False, mini_epoch=16)
    values.update(changes)
    return TrainConfig(**values)


def fixed_batch() -> tuple[torch.Tensor, torch.Tensor]:
    rgb = torch.stack([image_to_tensor(color_photo(i, (48, 48))) for i in range(4)])
    return rgb_to_model(rgb)


def losses_after_steps(trainer: Trainer, step, count: int, name: str = "l1") -> list[float]:
    batch = fixed_batch()
    trainer.next_batch = lambda: batch
    return [step()[name] for _ in range(count)]


@pytest.mark.parametrize("name", [name if name in (DEFAULT_PRESET, "seed") else
                                  pytest.param(name, marks=pytest.mark.slow) for name in PRESETS])
def test_pretraining_on_a_fixed_batch_reduces_the_reconstruction_loss(name, tmp_path):
    trainer = Trainer(TrainConfig(preset=name, out=str(tmp_path), pretrained=False))
    if trainer.binned:
        centers = trainer.generator.bins.centers
        trainer.use_chroma_histogram(torch.ones(len(centers)) / len(centers))
    losses = losses_after_steps(trainer, trainer.pretrain_step, 25,
                                "bins" if trainer.binned else "l1")
    assert min(losses[-5:]) < 0.7 * losses[0]


def test_binned_training_rebalances_by_the_data_and_predicts_its_colors(photo_folder,
                                                                       tmp_path):
    trainer = Trainer(tiny_config(photo_folder, tmp_path, preset="efficientnet-bins"))
    trainer.attach_data(sorted(photo_folder.glob("photo*.png")))
    histogram = trainer.chroma_histogram
    assert histogram.sum() == pytest.approx(1.0) and (histogram > 0).sum() > 3
    weights = trainer.bins_loss.weights
    assert weights[histogram.argmax()] < weights[histogram.argmin()]
    assert torch.allclose(trainer.generator.bins.loss_log_weights, weights.log())
    losses = losses_after_steps(trainer, trainer.pretrain_step, 30, "bins")
    assert min(losses[-5:]) < 0.7 * losses[0]


def test_a_binned_hint_model_learns_from_its_hints_and_rebalances_as_set(photo_folder,
                                                                         tmp_path):
    lifts = []
    for mix in (0.5, 0.9):
        trainer = Trainer(tiny_config(photo_folder, tmp_path / f"mix{mix}", hint_free_share=0.0,
                                      preset="efficientnet-compact-bins-hints",
                                      rebalance_uniform_mix=mix))
        trainer.attach_data(sorted(photo_folder.glob("photo*.png")))
        weights = trainer.bins_loss.weights
        lifts.append(float(weights.max() / weights.min()))
    before = [parameter.clone() for parameter in trainer.generator.hint_parameters()]
    losses_after_steps(trainer, trainer.pretrain_step, 2, "bins")
    moved = [not torch.equal(old, new)
             for old, new in zip(before, trainer.generator.hint_parameters(), strict=True)]
    assert all(moved)  # the hints reached the binned head's loss
    assert lifts[0] > lifts[1]  # less uniform mixed in: rare colors weigh more
    with pytest.raises(ValueError, match="rebalance_uniform_mix"):
        Trainer(tiny_config(photo_folder, tmp_path / "bad", rebalance_uniform_mix=1.5))


def test_init_weights_start_matching_layers_from_another_model(tmp_path):
    source = PRESETS["efficientnet-unet"].build_generator(False)
    export_generator(tmp_path / "l1.safetensors", source.state_dict(),
                     {"preset": "efficientnet-unet"})
    trainer = Trainer(TrainConfig(preset="efficientnet-bins", out=str(tmp_path / "run"),
                                  pretrained=False,
                                  init_weights=str(tmp_path / "l1.safetensors")))
    mine, theirs = trainer.generator.state_dict(), source.state_dict()
    assert torch.equal(mine["encoder._conv_stem.weight"], theirs["encoder._conv_stem.weight"])
    assert torch.equal(mine["ups.0.reduce.0.weight"], theirs["ups.0.reduce.0.weight"])
    assert "bins.classify.weight" in mine and "head.0.weight" not in mine


def test_a_hint_model_fine_tunes_from_the_automatic_one_with_simulated_hints(tmp_path):
    source = PRESETS["efficientnet-unet"].build_generator(False)
    export_generator(tmp_path / "auto.safetensors", source.state_dict(),
                     {"preset": "efficientnet-unet"})
    config = TrainConfig(preset="efficientnet-unet-hints", out=str(tmp_path / "run"),
                         pretrained=False, init_weights=str(tmp_path / "auto.safetensors"),
                         hint_free_share=0.0, error_hint_share=0.5)
    trainer = Trainer(config)
    assert trainer.takes_hints
    branches = trainer.generator.hint_parameters()
    assert all(p.abs().max() == 0 for p in branches)  # starts as the automatic model
    assert trainer.group_roles == ["rest", "encoder", "hint"]
    rates = {role: group["lr"] for role, group in zip(trainer.group_roles,
                                                      trainer.optimizer_g.param_groups,
                                                      strict=True)}
    assert rates["hint"] == config.hint_lr_scale * rates["rest"]  # the new branches learn fast
    luminance, chroma = fixed_batch()
    first = batch_hints(trainer, luminance, chroma)
    assert hinted(first).all()  # hint_free_share 0: every crop has hints
    assert torch.equal(first, batch_hints(trainer, luminance, chroma))  # seeded by the step
    losses = losses_after_steps(trainer, trainer.pretrain_step, 15)
    assert all(p.abs().max() > 0 for p in branches)  # every branch learns
    assert min(losses[-3:]) < losses[0]
    with pytest.raises(ValueError, match="hint_free_share"):
        Trainer(dataclasses.replace(config, hint_free_share=1.5))


@pytest.mark.slow
def test_a_colorfulness_weight_trains_toward_the_originals_colorfulness(tmp_path):
    def shortfall_after_steps(weight: float) -> float:
        trainer = Trainer(TrainConfig(out=str(tmp_path), pretrained=False,
                                      colorfulness_weight=weight))
        losses_after_steps(trainer, trainer.pretrain_step, 15)
        luminance, chroma = fixed_batch()
        with torch.no_grad():
            return colorfulness_loss(luminance, trainer.generator(luminance), chroma).item()

    assert shortfall_after_steps(1.0) < 0.8 * shortfall_after_steps(0.0)


@pytest.mark.parametrize("hint_free_share", [0.0, 1.0])
def test_a_hint_free_colorfulness_loss_is_counted_on_crops_without_hints(tmp_path,
                                                                         hint_free_share):
    trainer = Trainer(TrainConfig(preset="efficientnet-unet-hints", out=str(tmp_path),
                                  pretrained=False, colorfulness_weight=1.0,
                                  colorfulness_hint_free=True, error_hint_share=0.0,
                                  hint_free_share=hint_free_share))
    shortfalls = losses_after_steps(trainer, trainer.pretrain_step, 2, "colorfulness")
    if hint_free_share == 0:  # every crop has hints: nothing is counted
        assert shortfalls == [0.0, 0.0]
    else:
        assert min(shortfalls) > 0


def test_saturated_targets_scale_hint_free_crops_and_keep_the_colors_hints_carry():
    _, chroma = fixed_batch()
    hints = torch.zeros(4, 3, 48, 48)
    hints[1, :, 10, 10] = torch.tensor([0.2, -0.1, 1.0])  # crop 1 has a hint, the rest none
    target = saturated(chroma, hints, 1.5)
    free = [0, 2, 3]
    assert torch.allclose(target[free], (chroma[free] * 1.5).clamp(-1, 1))
    assert torch.equal(target[1], chroma[1])
    assert target[free].abs().max() <= 1 and target[free].abs().sum() > chroma[free].abs().sum()
    assert saturated(chroma, None, 1.0) is chroma


def test_a_run_with_saturated_targets_pays_its_l1_against_them(tmp_path):
    trainer = Trainer(TrainConfig(out=str(tmp_path), pretrained=False, target_saturation=2.0))
    luminance, chroma = fixed_batch()
    trainer.next_batch = lambda: (luminance, chroma)
    with torch.no_grad():
        fake = trainer.generator(luminance)
    l1 = trainer.pretrain_step()["l1"]
    assert l1 == pytest.approx((fake - (chroma * 2).clamp(-1, 1)).abs().mean().item(), rel=1e-4)
    assert l1 != pytest.approx((fake - chroma).abs().mean().item(), rel=1e-2)


@pytest.mark.slow
def test_an_rgb_loss_space_trains_the_chroma_and_an_unknown_space_is_refused(tmp_path):
    trainer = Trainer(TrainConfig(out=str(tmp_path), pretrained=False, loss_space="rgb"))
    luminance, chroma = fixed_batch()
    with torch.no_grad():
        before = (trainer.generator(luminance) - chroma).abs().mean()
    losses_after_steps(trainer, trainer.pretrain_step, 25)
    with torch.no_grad():
        assert (trainer.generator(luminance) - chroma).abs().mean() < 0.7 * before
    with pytest.raises(ValueError, match="xyz"):
        Trainer(TrainConfig(out=str(tmp_path), pretrained=False, loss_space="xyz"))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["unet", "efficientnet-unet"])
def test_gan_plus_l1_steps_on_a_fixed_batch_reduce_the_error(name, tmp_path):
    trainer = Trainer(TrainConfig(preset=name, out=str(tmp_path), pretrained=False))
    losses = losses_after_steps(trainer, trainer.paired_step, 25)
    assert min(losses[-5:]) < 0.7 * losses[0]


def test_a_warming_critic_learns_the_frozen_generators_colors_before_the_generator_moves(
        tmp_path):
    trainer = Trainer(TrainConfig(out=str(tmp_path), pretrained=False, pretrain_steps=1,
                                  critic_warmup_steps=2))
    generator = {name: t.clone() for name, t in trainer.generator.state_dict().items()}
    critic = {name: t.clone() for name, t in trainer.discriminator.state_dict().items()}

    def moved(before, module) -> bool:  # weights or batch-norm statistics
        return any(not torch.equal(before[name], now)
                   for name, now in module.state_dict().items())

    batch = fixed_batch()
    trainer.next_batch = lambda: batch
    trainer.step = 1  # the adversarial phase begins
    for _ in range(2):
        assert "d" in trainer.train_step()
    assert not moved(generator, trainer.generator) and moved(critic, trainer.discriminator)
    assert trainer.generator.training  # its mode is back for the adversarial steps
    trainer.train_step()
    assert moved(generator, trainer.generator)


def test_seed_regime_trains_d_on_half_real_half_fake_then_g_on_the_mini_epoch(photo_folder,
                                                                             tmp_path):
    config = tiny_config(photo_folder, tmp_path / "run", preset="seed", mini_epoch=8,
                         batch_size=2)
    trainer = Trainer(config)
    trainer.attach_data(sorted(photo_folder.glob("photo*.png")))
    losses = trainer.train_step()
    assert trainer.batches_seen == 4  # one mini-epoch: 8 images in batches of 2
    assert trainer.images_per_step() == 8
    assert set(losses) >= {"d_real", "d_fake", "g_adv"}
    d_steps = trainer.optimizer_d.state[trainer.optimizer_d.param_groups[0]["params"][0]]["step"]
    g_steps = trainer.optimizer_g.state[trainer.optimizer_g.param_groups[0]["params"][0]]["step"]
    assert (int(d_steps), int(g_steps)) == (4, 4)  # 2 real + 2 fake D batches, 4 G batches


def test_seed_regime_rejects_a_mini_epoch_of_odd_batches(photo_folder, tmp_path):
    trainer = Trainer(tiny_config(photo_folder, tmp_path, preset="seed", mini_epoch=12))
    trainer.attach_data(sorted(photo_folder.glob("photo*.png")))
    with pytest.raises(ValueError, match="even number of batches"):
        trainer.train_step()


@pytest.mark.parametrize("name", ["seed", pytest.param("unet", marks=pytest.mark.slow),
                                  pytest.param("efficientnet-bins", marks=pytest.mark.slow)])
def test_resume_after_a_stop_gives_the_same_next_losses(name, photo_folder, tmp_path):
    extra = tmp_path / "extra"  # a second, smaller source, drawn as often as the first
    extra.mkdir()
    for index in range(4):
        color_photo(50 + index).save(extra / f"extra{index}.png")
    # Crops grow before the stop and shrink after it: the resumed loader picks up the side.
    mix = dict(preset=name, pretrain_steps=2, source_balance=1.0, size_schedule=[[2, 64], [4, 32]])
    whole = tiny_config(photo_folder, tmp_path / "whole", steps=6, **mix)
    whole.data.append(str(extra))
    train(whole)
    first = tiny_config(photo_folder, tmp_path / "split", steps=3, **mix)
    first.data.append(str(extra))
    train(first)
    train(load_run_config(tmp_path / "split", steps=6), resume=True)

    def rows(run: str) -> list[dict]:
        with open(tmp_path / run / "losses.csv") as handle:
            return list(csv.DictReader(handle))

    assert len(rows("split")) == 6
    for expected, got in zip(rows("whole"), rows("split"), strict=True):
        assert got.keys() == expected.keys()
        for key in (key for key in expected if expected[key]):
            assert float(got[key]) == pytest.approx(float(expected[key]), rel=1e-4, abs=1e-6)


def test_a_run_resumes_after_the_weights_it_started_from_are_gone(photo_folder, tmp_path):
    start = tmp_path / "start.safetensors"
    source = Trainer(TrainConfig(out=str(tmp_path / "source"), pretrained=False))
    export_generator(start, source.generator.state_dict(), source.export_config())
    train(tiny_config(photo_folder, tmp_path / "run", preset=DEFAULT_PRESET, steps=2,
                      init_weights=str(start)))
    start.unlink()  # a new checkout, say, without the earlier run it started from
    train(load_run_config(tmp_path / "run", steps=3), resume=True)
    with open(tmp_path / "run" / "losses.csv") as handle:
        assert len(list(csv.DictReader(handle))) == 3


def test_a_size_schedule_changes_the_crop_side_at_its_steps(photo_folder, tmp_path):
    trainer = Trainer(tiny_config(photo_folder, tmp_path, preset="unet",
                                  size_schedule=[[2, 64], [3, 48]]))
    trainer.attach_data(scan_images([photo_folder]).kept)
    sides = []
    draw = trainer.next_batch

    def recorded() -> tuple[torch.Tensor, torch.Tensor]:
        luminance, chroma = draw()
        sides.append((luminance.shape[-1], chroma.shape[-1]))
        return luminance, chroma

    trainer.next_batch = recorded
    for _ in range(4):
        trainer.train_step()
    assert sides == [(32, 32), (32, 32), (64, 64), (48, 48)]


@pytest.mark.parametrize("schedule", [[[0, 64]], [[3, 64], [2, 48]], [[2, 64], [2, 48]],
                                      [[2, 16]], [[2]], [[2, 64.0]]])
def test_a_size_schedule_out_of_order_or_too_small_is_refused(schedule, tmp_path):
    with pytest.raises(ValueError, match="size.schedule"):
        Trainer(TrainConfig(out=str(tmp_path), preset="unet", pretrained=False,
                            size_schedule=schedule))


def test_training_writes_samples_checkpoints_curves_and_a_safetensors_export(photo_folder,
                                                                              tmp_path):
    run = tmp_path / "run"
    train(tiny_config(photo_folder, run, preset="unet", steps=4, sample_every=2))
    grid = Image.open(run / "samples" / "step0000004.png")
    assert grid.size == (3 * 32 + 2 * 4, 2 * 32 + 4)  # gray | generated | original, 2 rows
    assert (run / "loss_curve.png").stat().st_size > 0
    assert list((run / "tensorboard").iterdir())
    state = load_checkpoint(run / "checkpoint.pt")
    assert state["step"] == 4
    weights = load_file(run / "generator.safetensors")  # no pickle involved
    assert "head.0.weight" in weights
    assert json.loads((run / "generator.json").read_text())["preset"] == "unet"
    with pytest.raises(FileExistsError, match="--resume"):
        train(tiny_config(photo_folder, run, preset="unet"))


def test_save_interval_defaults_to_twice_the_sample_interval():
    assert TrainConfig(sample_every=50).save_interval == 100
    assert TrainConfig(sample_every=50, save_every=30).save_interval == 30


@pytest.mark.slow
def test_a_kill_during_save_leaves_the_previous_checkpoint_loadable(tmp_path):
    path = tmp_path / "checkpoint.pt"
    save_checkpoint(path, {"step": 1, "weights": torch.zeros(3)})
    script = (
        "import sys, torch\n"
        "from pathlib import Path\n"
        "from colorgan.models.files import save_checkpoint\n"
        "print('saving', flush=True)\n"
        "save_checkpoint(Path(sys.argv[1]), {'step': 2, 'weights': torch.zeros(200_000_000)})\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script, str(path)], stdout=subprocess.PIPE)
    assert process.stdout.readline().strip() == b"saving"
    deadline = time.monotonic() + 120
    while not any(p.name.endswith(".tmp") for p in tmp_path.iterdir()):
        # Wait until the new checkpoint is being written: 800 MB take a while to write.
        assert process.poll() is None and time.monotonic() < deadline, "no save began"
        time.sleep(0.001)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert load_checkpoint(path)["step"] == 1


@pytest.mark.slow
def test_train_cli_runs_and_resumes(photo_folder, tmp_path):
    run = tmp_path / "cli-run"
    command = [sys.executable, "-m", "colorgan.cli", "train", str(photo_folder), "--preset",
               "seed", "--out", str(run), "--size", "32", "--batch-size", "2", "--steps", "2",
               "--mini-epoch", "4", "--sample-every", "1", "--workers", "1", "--num-samples", "2"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert "12 photos kept, 1 grayscale and 2 unreadable skipped" in finished.stdout
    assert "warning: skipping" in finished.stderr
    resumed = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", "--resume", str(run),
                              "--steps", "3", "--pretrain-steps", "3", "--max-minutes", "30"],
                             capture_output=True, text=True, timeout=300)
    assert resumed.returncode == 0, resumed.stderr
    assert load_checkpoint(run / "checkpoint.pt")["step"] == 3
    saved = json.loads((run / "config.json").read_text())
    assert (saved["steps"], saved["pretrain_steps"], saved["mini_epoch"]) == (3, 3, 4)
    assert saved["max_minutes"] == 30  # a resumed run's budget is this process's
    missing = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", "--resume",
                              str(tmp_path / "none")], capture_output=True, text=True)
    assert missing.returncode == 1 and "no checkpoint.pt" in missing.stderr


@pytest.mark.slow
def test_training_runs_where_pyav_is_missing(photo_folder, tmp_path):
    # A bare GPU machine has PyTorch but no PyAV, and its wheel is too big to carry there.
    run = tmp_path / "no-av"
    script = "import runpy, sys; sys.modules['av'] = None; runpy.run_module('colorgan.cli', " \
             "run_name='__main__')"
    command = [sys.executable, "-c", script, "train", str(photo_folder), "--preset", "seed",
               "--out", str(run), "--size", "32", "--batch-size", "2", "--steps", "1",
               "--workers", "0", "--num-samples", "2"]
    finished = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert finished.returncode == 0, finished.stderr
    assert load_checkpoint(run / "checkpoint.pt")["step"] == 1


def test_a_wall_clock_budget_stops_and_saves(photo_folder, tmp_path):
    run = tmp_path / "budget"
    train(tiny_config(photo_folder, run, preset="seed", steps=10_000, max_minutes=0.05,
                      sample_every=1000))
    step = load_checkpoint(run / "checkpoint.pt")["step"]
    assert 0 < step < 10_000


@pytest.mark.slow
@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_stop_signal_to_the_whole_process_group_saves_the_current_step(signal_number,
                                                                        photo_folder, tmp_path):
    run = tmp_path / "interrupted"
    process = subprocess.Popen(
        [sys.executable, "-m", "colorgan.cli", "train", str(photo_folder), "--preset", "unet",
         "--out", str(run), "--size", "32", "--batch-size", "2", "--steps", "100000",
         "--sample-every", "3", "--save-every", "100000", "--workers", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 300
    while not (run / "samples" / "step0000003.png").exists():
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "the run drew no sample grid in 5 minutes"
        time.sleep(0.05)
    os.killpg(process.pid, signal_number)  # as Ctrl-C in a terminal, or kill -- -PGID
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert b"interrupted: saving step" in stderr
    assert load_checkpoint(run / "checkpoint.pt")["step"] >= 3


@pytest.mark.slow
def test_a_recipe_file_sets_the_run_and_command_line_options_win(photo_folder, tmp_path):
    recipe = tmp_path / "recipe.json"
    recipe.write_text(json.dumps({"data": [str(photo_folder)], "preset": "seed", "size": 32,
                                  "batch_size": 2, "mini_epoch": 4, "steps": 5,
                                  "workers": 0, "num_samples": 2, "sample_every": 1}))
    run = tmp_path / "from-recipe"
    result = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", "--config",
                             str(recipe), "--out", str(run), "--steps", "2",
                             "--size-schedule", "1:64"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    saved = json.loads((run / "config.json").read_text())
    assert (saved["preset"], saved["size"], saved["steps"]) == ("seed", 32, 2)
    assert saved["size_schedule"] == [[1, 64]]
    recipe.write_text(json.dumps({"data": [str(photo_folder)], "learning_rate": 1}))
    bad = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", "--config",
                          str(recipe)], capture_output=True, text=True)
    assert bad.returncode == 2 and "unknown settings ['learning_rate']" in bad.stderr
    for mistake, message in (({"lr_generator": "3e-4"}, "lr_generator must be float | None"),
                             ({"steps": -5}, "steps must be at least 1, not -5"),
                             ({"size": 0}, "size must be at least 32, not 0"),
                             ({"ema_decay": 1}, "ema_decay must be 0 to")):
        recipe.write_text(json.dumps({"data": [str(photo_folder)], **mistake}))
        refused = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", "--config",
                                  str(recipe), "--out", str(tmp_path / "never")],
                                 capture_output=True, text=True, timeout=60)
        assert refused.returncode == 2 and message in refused.stderr, refused.stderr[-300:]
        assert not (tmp_path / "never").exists()
    uneven = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", str(photo_folder),
                             "--source-multipliers", "1", "0.5"], capture_output=True, text=True)
    assert uneven.returncode == 2 and "2 given for 1 data folders" in uneven.stderr
    unsized = subprocess.run([sys.executable, "-m", "colorgan.cli", "train", str(photo_folder),
                              "--size-schedule", "2000"], capture_output=True, text=True)
    assert unsized.returncode == 2 and "'2000' is not STEP:SIDE" in unsized.stderr


@pytest.mark.slow
def test_an_ema_run_exports_the_average_and_resumes_to_the_same_weights(photo_folder, tmp_path):
    ema = dict(preset="unet", ema_decay=0.5, pretrain_steps=4)
    train(tiny_config(photo_folder, tmp_path / "whole", **ema))
    train(tiny_config(photo_folder, tmp_path / "split", steps=2, **ema))
    train(load_run_config(tmp_path / "split", steps=4), resume=True)
    exported = load_file(tmp_path / "whole" / "generator.safetensors")
    raw = load_checkpoint(tmp_path / "whole" / "checkpoint.pt")["generator"]
    assert not torch.equal(exported["head.0.weight"], raw["head.0.weight"])
    resumed = load_file(tmp_path / "split" / "generator.safetensors")
    for name, tensor in exported.items():
        assert torch.allclose(resumed[name], tensor, atol=1e-6), name
    with pytest.raises(ValueError, match="ema_decay must be 0 to"):
        Trainer(tiny_config(photo_folder, tmp_path / "bad", ema_decay=1.0))


@pytest.mark.slow
def test_validation_scores_every_checkpoint_and_keeps_the_best_weights(photo_folder, val,
                                                                      tmp_path):
    run = tmp_path / "run"
    train(tiny_config(photo_folder, run, preset="unet", steps=6, sample_every=1, val=[str(val)],
                      pretrain_steps=6))
    with open(run / "validation.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert [int(row["step"]) for row in rows] == [2, 4, 6]
    best_row = max(rows, key=lambda row: float(row["psnr"]))
    best = json.loads((run / "best.json").read_text())
    assert best["step"] == int(best_row["step"])
    assert load_checkpoint(run / "checkpoint.pt")["best_validation"]["step"] == best["step"]
    # The kept weights are the ones that scored: scoring them again gives the same PSNR.
    photos = ValidationSet([val])
    colorizer = Colorizer.load(run / "best.safetensors")
    assert photos.score(colorizer.generator, best)["psnr"] == pytest.approx(
        float(best_row["psnr"]), rel=1e-4)
    # A run stopped after the first scoring and resumed keeps comparing against that best.
    split = tiny_config(photo_folder, tmp_path / "split", preset="unet", steps=2, sample_every=1,
                        val=[str(val)], pretrain_steps=6)
    train(split)
    train(load_run_config(tmp_path / "split", steps=6), resume=True)
    with open(tmp_path / "split" / "validation.csv") as handle:
        resumed_rows = list(csv.DictReader(handle))
    assert [row["step"] for row in resumed_rows] == [row["step"] for row in rows]
    for expected, got in zip(rows, resumed_rows, strict=True):
        assert float(got["psnr"]) == pytest.approx(float(expected["psnr"]), abs=1e-3)
    assert json.loads((tmp_path / "split" / "best.json").read_text())["step"] == best["step"]
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(ValueError, match="no color photos to validate"):
        train(tiny_config(photo_folder, tmp_path / "other", val=[str(empty)]))
    assert not (tmp_path / "other").exists()


@pytest.mark.slow
def test_a_run_keeps_every_validated_step_and_its_best_by_the_chosen_measure(photo_folder, val,
                                                                             tmp_path):
    run = tmp_path / "run"
    train(tiny_config(photo_folder, run, preset="unet", steps=6, sample_every=1, val=[str(val)],
                      pretrain_steps=6, keep_snapshots=True, select_by="hue_distance"))
    with open(run / "validation.csv") as handle:
        rows = list(csv.DictReader(handle))
    assert {"kl", "top1", "auc_rebalanced", "hue_distance"} <= set(rows[0])
    assert sorted(path.name for path in (run / "snapshots").glob("*.safetensors")) == [
        "step0000002.safetensors", "step0000004.safetensors", "step0000006.safetensors"]
    best_row = min(rows, key=lambda row: float(row["hue_distance"]))
    assert json.loads((run / "best.json").read_text())["step"] == int(best_row["step"])
    snapshot = Colorizer.load(run / "snapshots" / f"step{int(best_row['step']):07d}.safetensors")
    best = Colorizer.load(run / "best.safetensors")
    for name, tensor in best.generator.state_dict().items():
        assert torch.equal(snapshot.generator.state_dict()[name], tensor), name
    with pytest.raises(ValueError, match="select_by"):
        Trainer(tiny_config(photo_folder, tmp_path / "bad", select_by="colorfulness"))


def test_validation_keeps_a_training_generator_in_training_mode(tmp_path):
    color_photo(5).save(tmp_path / "photo.png")
    trainer = Trainer(TrainConfig(preset="unet", out=str(tmp_path / "run"), pretrained=False))
    trainer.generator.train()
    scores = ValidationSet([tmp_path]).score(trainer.generator, trainer.export_config())
    assert trainer.generator.training
    assert scores["psnr"] > 0 and scores["colorfulness"] >= 0


def encoder_and_decoder_moved(trainer: Trainer, steps: int) -> tuple[bool, bool]:
    """Whether the encoder's weights, and the decoder's head, changed in these steps."""
    encoder = trainer.generator.encoder_parameters()
    before = [parameter.detach().clone() for parameter in encoder]
    head_before = trainer.generator.state_dict()["head.0.weight"].clone()
    losses_after_steps(trainer, trainer.train_step, steps)
    return (not all(torch.equal(old, new) for old, new in zip(before, encoder, strict=True)),
            not torch.equal(head_before, trainer.generator.state_dict()["head.0.weight"]))


def encoder_trainer(tmp_path: Path, **changes) -> Trainer:
    return Trainer(TrainConfig(preset="efficientnet-unet", out=str(tmp_path), pretrained=False,
                               pretrain_steps=10, **changes))


def test_weight_decay_shrinks_every_generator_weight_by_its_learning_rate(tmp_path):
    plain = encoder_trainer(tmp_path / "plain")
    decayed = encoder_trainer(tmp_path / "decayed", weight_decay=0.5)
    start = [p.detach().clone() for p in decayed.generator.parameters()]
    for trainer in (plain, decayed):
        losses_after_steps(trainer, trainer.train_step, 1)
    rates = {id(p): group["lr"] for group in decayed.optimizer_g.param_groups
             for p in group["params"]}
    for before, after, without in zip(start, decayed.generator.parameters(),
                                      plain.generator.parameters(), strict=True):
        shrink = rates[id(after)] * 0.5 * before
        assert torch.allclose(after - without, -shrink, atol=1e-6)
    assert any(rate > 0 for rate in rates.values())


def test_an_encoder_learning_rate_scale_of_zero_keeps_the_encoder_weights(tmp_path):
    assert encoder_and_decoder_moved(encoder_trainer(tmp_path, encoder_lr_scale=0.0), 2) == (
        False, True)


def test_a_warming_up_decoder_trains_alone_until_the_encoder_thaws(tmp_path):
    trainer = encoder_trainer(tmp_path, encoder_frozen_steps=2)
    assert encoder_and_decoder_moved(trainer, 2) == (False, True)
    assert encoder_and_decoder_moved(trainer, 1) == (True, True)
    with pytest.raises(ValueError, match="encoder_frozen_steps must be at least 0"):
        encoder_trainer(tmp_path, encoder_frozen_steps=-1)


def learning_rates_by_step(trainer: Trainer, steps: int) -> list[float]:
    """The decoder's, encoder's and discriminator's learning rates that each step used."""
    rates = []
    for _ in range(steps):
        losses_after_steps(trainer, trainer.train_step, 1)
        rates += [group["lr"] for group in trainer.optimizer_g.param_groups]
        rates.append(trainer.optimizer_d.param_groups[0]["lr"])
    return rates


def test_a_cosine_schedule_lowers_every_learning_rate_toward_the_last_step(tmp_path):
    base = learning_rates_by_step(encoder_trainer(tmp_path / "constant", steps=4), 1)
    cosine = learning_rates_by_step(
        encoder_trainer(tmp_path / "cosine", steps=4, lr_schedule="cosine"), 4)
    factors = [0.5 * (1 + math.cos(math.pi * step / 4)) for step in range(4)]
    assert cosine == pytest.approx([rate * factor for factor in factors for rate in base])
    with pytest.raises(ValueError, match="linear"):
        encoder_trainer(tmp_path, lr_schedule="linear")


def test_a_resumed_trainer_keeps_the_best_score_to_beat(tmp_path):
    color_photo(5).save(tmp_path / "photo.png")
    config = TrainConfig(preset="unet", out=str(tmp_path / "run"), pretrained=False)
    trainer = Trainer(config)
    trainer.best_validation = {"step": 2, "psnr": 99.0, "colorfulness": 1.0}  # unbeatable
    resumed = Trainer(config)
    resumed.load_state(trainer.state())
    assert resumed.best_validation == trainer.best_validation
    resumed.validate(ValidationSet([tmp_path]))
    assert resumed.best_validation["step"] == 2
    assert not (tmp_path / "run" / "best.safetensors").exists()


@pytest.mark.slow
def test_a_copied_run_resumes_in_its_copy_and_a_moved_run_resumes_at_all(photo_folder,
                                                                          tmp_path):
    original = tmp_path / "run0"
    train(tiny_config(photo_folder, original, preset="seed", steps=2))
    before = (original / "checkpoint.pt").read_bytes()
    copy = tmp_path / "run0-long"
    shutil.copytree(original, copy)
    train(load_run_config(copy, steps=3, pretrain_steps=3), resume=True)
    assert load_checkpoint(copy / "checkpoint.pt")["step"] == 3
    assert (original / "checkpoint.pt").read_bytes() == before
    moved = tmp_path / "elsewhere" / "run0"
    shutil.move(original, moved)
    train(load_run_config(moved, steps=3, pretrain_steps=3), resume=True)
    assert load_checkpoint(moved / "checkpoint.pt")["step"] == 3
    assert json.loads((moved / "config.json").read_text())["out"] == str(moved)


def test_a_run_start_removes_the_temporaries_of_killed_saves_only(photo_folder, tmp_path):
    run = tmp_path / "run"
    train(tiny_config(photo_folder, run, preset="seed", steps=1))
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = run / f".checkpoint.pt.{dead.pid}.abcd1234.tmp"
    legacy = run / "samples" / ".step0000002.png.k2j4h6g8.tmp"
    live = run / f".generator.safetensors.{os.getpid()}.zzzz9999.tmp"
    legacy.parent.mkdir(exist_ok=True)
    for path in (stale, legacy, live):
        path.write_bytes(b"partial")
    train(load_run_config(run, steps=2, pretrain_steps=2), resume=True)
    assert not stale.exists() and not legacy.exists()
    assert live.exists()  # a live process may still be writing it


@pytest.mark.slow
def test_the_loss_log_holds_every_step_a_checkpoint_holds(photo_folder, tmp_path, monkeypatch):
    # A kill -9 right after a checkpoint must not lose log rows that the checkpoint covers.
    run = tmp_path / "run"
    logged_at_save = []
    save = Trainer.save

    def save_and_read_log(trainer: Trainer) -> None:
        with open(run / "losses.csv", newline="") as handle:
            steps = [int(row["step"]) for row in csv.DictReader(handle)]
        logged_at_save.append((trainer.step, max(steps)))
        save(trainer)

    monkeypatch.setattr(Trainer, "save", save_and_read_log)
    train(tiny_config(photo_folder, run, preset="seed", steps=7, sample_every=5, save_every=3))
    assert [saved for saved, _ in logged_at_save] == [3, 6, 7]
    assert all(saved == logged for saved, logged in logged_at_save)
