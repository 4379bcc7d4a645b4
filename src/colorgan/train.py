"""The training loop: GAN steps, pretraining, sample grids, checkpoints, resume, DDP."""

import contextlib
import dataclasses
import json
import math
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn
from tqdm import tqdm

from colorgan import distributed
from colorgan.atomic import remove_stale_temporaries
from colorgan.checkpoint import (
    CHECKPOINT_NAME,
    WEIGHTS_NAME,
    export_generator,
    load_checkpoint,
    save_checkpoint,
)
from colorgan.color import AB_RANGE, gray_rgb, model_to_rgb, rgb_to_model
from colorgan.data import (
    PhotoDataset,
    StepBatchSampler,
    center_crop,
    image_to_tensor,
    scan_images,
    source_indices,
    source_weights,
    thumbnail_chromas,
)
from colorgan.device import resolve_device
from colorgan.hints import hinted, simulated_hints
from colorgan.imageio import load_rgb, save_image
from colorgan.losses import (
    BinnedChromaLoss,
    adversarial_loss,
    bin_histogram,
    colorfulness_loss,
    reconstruction_loss,
)
from colorgan.models import Preset, get_preset
from colorgan.monitor import RunLog, image_grid
from colorgan.settings import LOSS_SPACES, LR_SCHEDULES, TrainConfig
from colorgan.validation import SELECTABLE, ValidationSet, is_better


def _init_worker(_: int) -> None:
    # Loader workers do light per-image work; many threads each would starve the model.
    torch.set_num_threads(1)
    # Ctrl-C and `kill` of the process group are for the main process, which saves and then
    # shuts the workers down; a worker dying first would abort that save.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


BEST_WEIGHTS_NAME = "best.safetensors"
SNAPSHOTS_FOLDER = "snapshots"
# Photos whose thumbnails estimate how common each chroma bin is, and the soft-encoding width.
HISTOGRAM_PHOTOS = 1000
BIN_SIGMA = 5.0 / AB_RANGE  # 5 Lab units, as in Zhang et al.


class Trainer:
    """Owns the models, optimizers and data stream of one run, and steps them."""

    def __init__(self, config: TrainConfig, group: distributed.ProcessGroup | None = None):
        if config.encoder_frozen_steps < 0:
            raise ValueError(f"encoder frozen steps {config.encoder_frozen_steps} is negative")
        if config.lr_schedule not in LR_SCHEDULES:
            raise ValueError(f"learning-rate schedule {config.lr_schedule!r} is not one of "
                             f"{', '.join(LR_SCHEDULES)}")
        if config.loss_space not in LOSS_SPACES:
            raise ValueError(f"loss space {config.loss_space!r} is not one of "
                             f"{', '.join(LOSS_SPACES)}")
        self.config = config
        self.preset: Preset = get_preset(config.preset)
        self.device = resolve_device(config.device)
        self.group = group or distributed.ProcessGroup()
        self.run_dir = Path(config.out)
        self.step = 0
        self.batches_seen = 0
        self.train_seconds = 0.0  # wall time spent in training steps, summed over resumes
        torch.manual_seed(config.seed)
        self.generator = self.preset.build_generator(config.pretrained).to(self.device)
        self.discriminator = self.preset.build_discriminator().to(self.device)
        self.optimizer_g = torch.optim.AdamW(self._generator_groups(), betas=self.preset.betas,
                                             weight_decay=config.weight_decay)
        self.optimizer_d = torch.optim.Adam(self.discriminator.parameters(),
                                            betas=self.preset.betas)
        self._apply_learning_rates()
        self.train_g, self.train_d = self.generator, self.discriminator
        if self.group.is_distributed:
            ids = [self.device.index] if self.device.type == "cuda" else None
            self.train_g = DistributedDataParallel(self.generator, device_ids=ids)
            self.train_d = DistributedDataParallel(self.discriminator, device_ids=ids)
        self._batches: Iterator | None = None
        self._loader_side = 0  # the crop side of the open loader's crops
        # A binned generator's loss needs the data's chroma histogram (attach_data, load_state).
        self.binned = hasattr(self.generator, "bins")
        self.takes_hints = getattr(self.generator, "takes_hints", False)
        for name in ("hint_free_share", "error_hint_share", "rebalance_uniform_mix"):
            if not 0.0 <= getattr(config, name) <= 1.0:
                raise ValueError(f"{name} {getattr(config, name)} is outside [0, 1]")
        _check_size_schedule(config.size_schedule)
        if config.select_by not in SELECTABLE:
            raise ValueError(f"select_by {config.select_by!r} is not one of "
                             f"{', '.join(SELECTABLE)}")
        if config.hint_lr_scale < 0:
            raise ValueError(f"hint_lr_scale {config.hint_lr_scale} is negative")
        self.bins_loss: BinnedChromaLoss | None = None
        self.chroma_histogram: torch.Tensor | None = None
        if config.init_weights:
            self._load_matching_weights(Path(config.init_weights))
        self.ema = None
        if config.ema_decay:
            if not 0.0 < config.ema_decay < 1.0:
                raise ValueError(f"EMA decay {config.ema_decay} is outside (0, 1)")
            self.ema = AveragedModel(self.generator, use_buffers=True,
                                     multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay))
        self.best_validation: dict[str, float] | None = None  # step and scores of the best

    @property
    def inference_generator(self) -> nn.Module:
        """The weights that are sampled, validated and exported: the average if there is one."""
        return self.generator if self.ema is None else self.ema.module

    def _load_matching_weights(self, path: Path) -> None:
        from colorgan.colorize import read_model  # colorize imports the models, not training

        weights, _ = read_model(path)
        own = self.generator.state_dict()
        matching = {name: tensor.float() for name, tensor in weights.items()
                    if name in own and own[name].shape == tensor.shape}
        self.generator.load_state_dict(matching, strict=False)
        if self.group.is_main:
            fresh = sorted(set(own) - set(matching))
            print(f"init: {len(matching)} tensors from {path}; "
                  f"{len(fresh)} start fresh{': ' + ', '.join(fresh) if fresh else ''}")

    def _setting(self, name: str) -> float:
        value = getattr(self.config, name)
        return getattr(self.preset, name) if value is None else value

    def _generator_groups(self) -> list[dict]:
        """The generator's parameters by role: the rest, a pretrained encoder, hint branches
        (self.group_roles says which group is which)."""
        special = {role: getattr(self.generator, f"{role}_parameters", list)()
                   for role in ("encoder", "hint")}
        taken = {id(p) for parameters in special.values() for p in parameters}
        groups = {"rest": [p for p in self.generator.parameters() if id(p) not in taken],
                  **{role: parameters for role, parameters in special.items() if parameters}}
        self.group_roles = list(groups)
        return [{"params": parameters} for parameters in groups.values()]

    def _apply_learning_rates(self) -> None:
        """Set both optimizers' rates for the current step (the schedule and encoder follow it)."""
        rates = self._generator_lrs()
        for group, role in zip(self.optimizer_g.param_groups, self.group_roles, strict=True):
            group["lr"] = rates[role]
        for group in self.optimizer_d.param_groups:
            group["lr"] = self._setting("lr_discriminator") * self._schedule_factor()

    def _generator_lrs(self) -> dict[str, float]:
        """The learning rates now of the generator's rest, its pretrained encoder and its hint
        branches.

        The encoder's is 0 while the fresh decoder warms up (its first, large gradients would
        otherwise wash out the ImageNet features), then its share of the generator's."""
        lr = self._setting("lr_generator") * self._schedule_factor()
        encoder = 0.0 if self.step < self.config.encoder_frozen_steps else \
            lr * self._setting("encoder_lr_scale")
        return {"rest": lr, "encoder": encoder, "hint": lr * self.config.hint_lr_scale}

    def _schedule_factor(self) -> float:
        """The schedule's share of the base learning rates at this step. Cosine annealing ends
        a run at a low rate, where the weights settle instead of swinging (experiment 12)."""
        if self.config.lr_schedule == "constant":
            return 1.0
        progress = min(self.step, self.config.steps) / max(1, self.config.steps)
        return 0.5 * (1.0 + math.cos(math.pi * progress))

    # ----- data -----
    def attach_data(self, paths: list[Path]) -> None:
        """Stream random crops of these photos, starting at the current position."""
        weights = None
        if self.config.source_balance or self.config.source_multipliers:
            owners = source_indices(paths, self.config.data)
            weights = source_weights(owners, self.config.source_balance,
                                     self.config.source_multipliers)
            if self.group.is_main:
                shares = np.bincount(owners, weights, minlength=len(self.config.data))
                print("draws per source: " + ", ".join(
                    f"{Path(source).name} {share:.1%}"
                    for source, share in zip(self.config.data, shares, strict=True)))
        if self.binned and self.bins_loss is None:
            self.use_chroma_histogram(bin_histogram(
                thumbnail_chromas(paths, HISTOGRAM_PHOTOS, weights, self.config.seed),
                self.generator.bins.centers.cpu()))
        self._paths, self._weights = paths, weights
        self._open_loader()

    def crop_side(self) -> int:
        """The training crop side at this step: `size`, or the schedule's latest side."""
        side = self.config.size
        for step, grown in self.config.size_schedule:
            if self.step >= step:
                side = grown
        return side

    def _open_loader(self) -> None:
        """A loader of crops at this step's side, from the current batch number on (the
        batches a resumed or resized stream draws are those an unbroken one would)."""
        self._loader_side = self.crop_side()
        dataset = PhotoDataset(self._paths, self._loader_side, self.config.degrade)
        sampler = StepBatchSampler(len(self._paths), self.config.batch_size, self.config.seed,
                                   self.batches_seen, self.group.rank, self.group.world_size,
                                   self._weights)
        workers = self.config.workers
        loader = torch.utils.data.DataLoader(
            dataset, batch_sampler=sampler, num_workers=workers,
            worker_init_fn=_init_worker if workers else None,
            persistent_workers=workers > 0, pin_memory=self.device.type == "cuda",
            # Its own generator keeps the loader off the global RNG, which resume restores.
            generator=torch.Generator())
        self._batches = iter(loader)

    def use_chroma_histogram(self, histogram: torch.Tensor) -> None:
        """How common each chroma bin is in the data: sets the binned loss's rebalancing."""
        self.chroma_histogram = histogram
        self.bins_loss = BinnedChromaLoss(self.generator.bins.centers.cpu(), histogram,
                                          BIN_SIGMA, self.config.rebalance_uniform_mix
                                          ).to(self.device)
        # The averaged copy needs them too; without one, both names are the same generator.
        for generator in {self.generator, self.inference_generator}:
            generator.bins.loss_log_weights.copy_(self.bins_loss.weights.log())

    def detach_data(self) -> None:
        """Stop the loader workers."""
        self._batches = None

    def _next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.crop_side() != self._loader_side:
            self._open_loader()
        luminance, chroma = next(self._batches)
        self.batches_seen += 1
        return (luminance.to(self.device, non_blocking=True),
                chroma.to(self.device, non_blocking=True))

    def _autocast(self) -> contextlib.AbstractContextManager:
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    # ----- steps -----
    def _update(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def _generate(self, luminance: torch.Tensor, chroma: torch.Tensor
                  ) -> tuple[torch.Tensor, dict[str, torch.Tensor]]:
        """The generator's chroma and its reconstruction losses (L1, binned if it is, and
        colorfulness if it is weighted)."""
        seen_in = luminance if self.config.loss_space == "rgb" else None
        hints = self._simulated_hints(luminance, chroma) if self.takes_hints else None
        if not self.binned:
            fake = self.train_g(luminance, hints) if self.takes_hints else self.train_g(luminance)
            losses = {"l1": reconstruction_loss(fake, chroma, seen_in)}
        else:
            fake, logits = self.train_g(luminance, hints, with_logits=True)
            losses = {"l1": reconstruction_loss(fake, chroma, seen_in),
                      "bins": self.bins_loss(logits, chroma)}
        if self.config.colorfulness_weight:
            counted = None
            if hints is not None and self.config.colorfulness_hint_free:
                counted = ~hinted(hints)
            losses["colorfulness"] = colorfulness_loss(luminance, fake, chroma, counted)
        return fake, losses

    def _simulated_hints(self, luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        """Hints for this batch, drawn from a generator seeded by the step (same on resume);
        the automatic prediction shows where the colors are most wrong."""
        rng = np.random.default_rng([self.config.seed, self.step, self.group.rank])
        automatic = None
        if self.config.error_hint_share:
            with torch.no_grad():
                automatic = self.train_g(luminance)
        return simulated_hints(chroma, rng, self.config.hint_free_share,
                               self.config.error_hint_share, automatic)

    def _colorfulness_term(self, losses: dict[str, torch.Tensor]) -> torch.Tensor | float:
        return self.config.colorfulness_weight * losses.get("colorfulness", 0.0)

    def _generator_loss(self, luminance: torch.Tensor, fake: torch.Tensor,
                        losses: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
        # The unwrapped discriminator: its gradients here are discarded, not synchronized.
        adversarial = adversarial_loss(self.discriminator(luminance, fake), True)
        total = (self._setting("gan_weight") * adversarial
                 + self._setting("l1_weight") * (losses["l1"] + self._colorfulness_term(losses))
                 + self._setting("bins_weight") * losses.get("bins", 0.0))
        return {"g_total": total, "g_adv": adversarial, **losses}

    def pretrain_step(self) -> dict[str, float]:
        """Generator alone on one batch, its own reconstruction loss (binned, else L1, plus
        the weighted colorfulness loss): the NoGAN-style warm start."""
        luminance, chroma = self._next_batch()
        with self._autocast():
            _, losses = self._generate(luminance, chroma)
        reconstruction = losses["bins" if self.binned else "l1"]
        self._update(self.optimizer_g, reconstruction + self._colorfulness_term(losses))
        return {name: value.item() for name, value in losses.items()}

    def paired_step(self) -> dict[str, float]:
        """One batch: the conditional discriminator sees real and fake pairs, then G steps."""
        luminance, chroma = self._next_batch()
        with self._autocast():
            fake, losses = self._generate(luminance, chroma)
            logits = self.train_d(torch.cat([luminance, luminance]),
                                  torch.cat([chroma, fake.detach()]))
            real_logits, fake_logits = logits.chunk(2)
            d_loss = (adversarial_loss(real_logits, True)
                      + adversarial_loss(fake_logits, False)) / 2
        self._update(self.optimizer_d, d_loss)
        with self._autocast():
            g_losses = self._generator_loss(luminance, fake, losses)
        self._update(self.optimizer_g, g_losses["g_total"])
        return {"d": d_loss.item(), **{name: value.item() for name, value in g_losses.items()}}

    def seed_step(self) -> dict[str, float]:
        """The article's mini-epoch: D on half real and half generated images, then G on all."""
        count = self.config.mini_epoch // self.config.batch_size
        if count < 2 or count % 2:
            raise ValueError(f"mini-epoch {self.config.mini_epoch} must be an even number "
                             f"of batches of {self.config.batch_size}")
        batches = [self._next_batch() for _ in range(count)]
        totals: dict[str, float] = {"d_real": 0.0, "d_fake": 0.0}
        for index, (luminance, chroma) in enumerate(batches):
            is_real = index < count // 2
            with self._autocast():
                if not is_real:
                    with torch.no_grad():
                        chroma = self.train_g(luminance)
                loss = adversarial_loss(self.train_d(luminance, chroma), is_real)
            self._update(self.optimizer_d, loss)
            totals["d_real" if is_real else "d_fake"] += loss.item() / (count // 2)
        for luminance, chroma in batches:
            with self._autocast():
                g_losses = self._generator_loss(luminance, *self._generate(luminance, chroma))
            self._update(self.optimizer_g, g_losses["g_total"])
            for name, value in g_losses.items():
                totals[name] = totals.get(name, 0.0) + value.item() / count
        return totals

    def train_step(self) -> dict[str, float]:
        """One step of whichever phase and regime applies now."""
        self._apply_learning_rates()
        if self.step < self.config.pretrain_steps:
            losses = self.pretrain_step()
        elif self.preset.regime == "seed":
            losses = self.seed_step()
        else:
            losses = self.paired_step()
        self.step += 1
        if self.ema is not None:
            self.ema.update_parameters(self.generator)
        return losses

    def images_per_step(self) -> int:
        adversarial = self.step >= self.config.pretrain_steps
        if adversarial and self.preset.regime == "seed":
            return self.config.mini_epoch
        return self.config.batch_size * self.group.world_size

    # ----- state -----
    def state(self) -> dict:
        return {
            "generator": self.generator.state_dict(),
            "discriminator": self.discriminator.state_dict(),
            "optimizer_g": self.optimizer_g.state_dict(),
            "optimizer_d": self.optimizer_d.state_dict(),
            "step": self.step,
            "batches_seen": self.batches_seen,
            "train_seconds": self.train_seconds,
            "torch_rng": torch.get_rng_state(),
            **({} if self.chroma_histogram is None
               else {"chroma_histogram": self.chroma_histogram}),
            **({} if self.ema is None else {"ema": self.ema.state_dict()}),
            **({} if self.best_validation is None else {"best_validation": self.best_validation}),
            "config": json.dumps(dataclasses.asdict(self.config)),
        }

    def load_state(self, state: dict) -> None:
        self.generator.load_state_dict(state["generator"])
        self.discriminator.load_state_dict(state["discriminator"])
        self.optimizer_g.load_state_dict(state["optimizer_g"])
        self.optimizer_d.load_state_dict(state["optimizer_d"])
        self.step, self.batches_seen = state["step"], state["batches_seen"]
        self.train_seconds = state.get("train_seconds", 0.0)
        torch.set_rng_state(state["torch_rng"])
        if self.ema is not None:
            self.ema.load_state_dict(state["ema"])
        self.best_validation = state.get("best_validation")
        if "chroma_histogram" in state:
            self.use_chroma_histogram(state["chroma_histogram"])

    def export_config(self) -> dict:
        """What an exported generator needs to be rebuilt, and where it came from."""
        return {"preset": self.preset.name, "size": self.config.size, "step": self.step,
                "train_minutes": round(self.train_seconds / 60, 1), "data": self.config.data,
                "source_balance": self.config.source_balance,
                "source_multipliers": self.config.source_multipliers,
                "ema_decay": self.config.ema_decay, "loss_space": self.config.loss_space}

    def validate(self, photos: ValidationSet) -> dict[str, float]:
        """Score the exported weights on the photos; the best so far by config.select_by is
        exported as best.safetensors (its config says the step and the scores)."""
        scores = photos.score(self.inference_generator, self.export_config())
        if self.config.keep_snapshots:
            export_generator(self.run_dir / SNAPSHOTS_FOLDER / f"step{self.step:07d}.safetensors",
                             self.inference_generator.state_dict(),
                             {**self.export_config(), "validation": scores})
        if is_better(scores, self.best_validation, self.config.select_by):
            self.best_validation = {"step": self.step, **scores}
            export_generator(self.run_dir / BEST_WEIGHTS_NAME,
                             self.inference_generator.state_dict(),
                             {**self.export_config(), "validation": scores})
        return scores

    def save(self) -> None:
        """Checkpoint for resuming, plus the safetensors export of the generator."""
        save_checkpoint(self.run_dir / CHECKPOINT_NAME, self.state())
        export_generator(self.run_dir / WEIGHTS_NAME, self.inference_generator.state_dict(),
                         self.export_config())


class SampleSheet:
    """Fixed held-out photos, drawn as gray | generated | original at every sample step."""

    def __init__(self, paths: list[Path], size: int, device: torch.device):
        rgb = torch.stack([image_to_tensor(center_crop(load_rgb(p), size)) for p in paths])
        self.rgb = rgb
        self.luminance = rgb_to_model(rgb)[0].to(device)

    @torch.no_grad()
    def draw(self, generator: nn.Module, path: Path) -> None:
        was_training = generator.training
        generator.eval()
        generated = model_to_rgb(self.luminance.cpu(), generator(self.luminance).float().cpu())
        generator.train(was_training)
        gray = gray_rgb(self.luminance.cpu())
        rows = [[g, c, o] for g, c, o in zip(gray, generated, self.rgb, strict=True)]
        save_image(image_grid(rows), path)


def _check_size_schedule(schedule: list[list[int]]) -> None:
    whole = all(isinstance(pair, list | tuple) and len(pair) == 2
                and all(type(value) is int for value in pair) for pair in schedule)
    steps = [pair[0] for pair in schedule] if whole else []
    if (not whole or steps != sorted(set(steps)) or min(steps, default=1) < 1
            or any(side < 32 for _, side in schedule)):
        raise ValueError(f"size schedule {schedule}: need [step, side] pairs of whole numbers, "
                         "steps rising from 1, sides of at least 32")


def _validation_set(config: TrainConfig) -> ValidationSet:
    """The validation photos, judged by the ImageNet classifier where it is installed."""
    from colorgan.judge import Judge

    try:
        judge = Judge()
    except RuntimeError as error:
        if config.select_by in ("top1", "kl"):
            raise ValueError(f"select_by {config.select_by} needs the judge: {error}") from None
        print(f"validation without the judge's measures: {error}")
        judge = None
    return ValidationSet(config.val, judge=judge)


def split_holdout(paths: list[Path], count: int, seed: int) -> tuple[list[Path], list[Path]]:
    """A fixed random choice of `count` photos for the sample grid, and the rest for training."""
    order = np.random.default_rng(seed).permutation(len(paths))
    chosen = set(order[:count].tolist())
    held = [paths[i] for i in sorted(chosen)]
    return [p for i, p in enumerate(paths) if i not in chosen], held


@contextlib.contextmanager
def _stop_signals_as_interrupt() -> Iterator[None]:
    # A polite kill (SIGTERM) saves like Ctrl-C does; kill -9 relies on atomic checkpoints.
    # SIGINT is set too: a shell starts background jobs with it ignored, and Python then
    # never turns it into KeyboardInterrupt.
    def raise_interrupt(*_):
        raise KeyboardInterrupt

    stops = (signal.SIGINT, signal.SIGTERM)
    previous = [signal.signal(number, raise_interrupt) for number in stops]
    try:
        yield
    finally:
        for number, handler in zip(stops, previous, strict=True):
            signal.signal(number, handler)


def load_run_config(run_dir: Path, **changes: float) -> TrainConfig:
    """The saved config of a run to resume, with new step counts (steps, pretrain_steps) or a
    new wall-clock budget (max_minutes) where given: an L1-only run extended with more steps
    stays L1-only only if pretrain_steps grows with it. The run goes on in `run_dir` itself,
    wherever it was copied or moved."""
    if not (run_dir / CHECKPOINT_NAME).exists():
        raise FileNotFoundError(f"{run_dir}: no {CHECKPOINT_NAME} to resume from")
    saved = TrainConfig(**json.loads((run_dir / "config.json").read_text()))
    return dataclasses.replace(saved, out=str(run_dir), **changes)


def train(config: TrainConfig, resume: bool = False) -> Path:
    """Run training, or continue the run in config.out; returns the exported generator's path."""
    if not resume and (Path(config.out) / CHECKPOINT_NAME).exists():
        raise FileExistsError(f"{config.out} already holds a run: use --resume {config.out} "
                              "to continue it, or choose another --out")
    group = distributed.start(resolve_device(config.device).type)
    try:
        return _run(config, resume, group)
    finally:
        distributed.stop(group)


def _run(config: TrainConfig, resume: bool, group: distributed.ProcessGroup) -> Path:
    run_dir = Path(config.out)
    report = scan_images(config.data, warn=group.is_main, min_chroma=config.min_chroma)
    if group.is_main:
        print(f"data: {report.summary()}")
    validation = _validation_set(config) if group.is_main and config.val else None
    if validation is not None:
        print(f"validation: {len(validation)} photos, scored every {config.save_interval} steps")
    train_paths, sample_paths = split_holdout(report.kept, config.num_samples, config.seed)
    trainer = Trainer(config, group)
    if resume:
        trainer.load_state(load_checkpoint(run_dir / CHECKPOINT_NAME))
    if group.is_main:
        run_dir.mkdir(parents=True, exist_ok=True)
        for folder in (run_dir, run_dir / "samples", run_dir / SNAPSHOTS_FOLDER):
            remove_stale_temporaries(folder)
        (run_dir / "config.json").write_text(json.dumps(dataclasses.asdict(config), indent=2))
    trainer.attach_data(train_paths)
    sheet = SampleSheet(sample_paths, config.size, trainer.device) if group.is_main else None
    log = RunLog(run_dir, trainer.step) if group.is_main else None
    progress = tqdm(total=config.steps, initial=trainer.step, disable=not group.is_main,
                    unit="step", dynamic_ncols=True)
    deadline = time.monotonic() + 60 * config.max_minutes if config.max_minutes else float("inf")
    try:
        with _stop_signals_as_interrupt():
            while trainer.step < config.steps and not distributed.any_across(
                    group, time.monotonic() > deadline, trainer.device):
                started = time.perf_counter()
                images = trainer.images_per_step()
                losses = distributed.mean_across(group, trainer.train_step(), trainer.device)
                trainer.train_seconds += time.perf_counter() - started
                if not group.is_main:
                    continue
                log.log(trainer.step, losses)
                speed = images / (time.perf_counter() - started)
                progress.set_postfix({"img/s": f"{speed:.1f}",
                                      **{k: f"{v:.3f}" for k, v in losses.items()}})
                progress.update(1)
                if trainer.step % config.sample_every == 0:
                    sheet.draw(trainer.inference_generator,
                               run_dir / "samples" / f"step{trainer.step:07d}.png")
                    log.flush()
                if trainer.step % config.save_interval == 0:
                    if validation is not None:
                        scores = trainer.validate(validation)
                        log.log_validation(trainer.step, scores)
                        progress.write(f"step {trainer.step}: validation " + ", ".join(
                            f"{name} {value:.3f}" for name, value in scores.items()))
                    log.flush()  # the logs hold at least what the checkpoint holds
                    trainer.save()
    except KeyboardInterrupt:
        if group.is_main:
            progress.write(f"interrupted: saving step {trainer.step} to {run_dir}",
                           file=sys.stderr)
    finally:
        progress.close()
    trainer.detach_data()
    if group.is_main:
        log.flush()
        trainer.save()
        log.close()
    return run_dir / WEIGHTS_NAME
