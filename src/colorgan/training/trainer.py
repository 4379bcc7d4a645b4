"""The state of a run: generator and discriminator, their optimizers and learning rates, the
stream of crops, the weight average, checkpoints and validation. Its steps are the regimes'
(training.reconstruction, training.gan); training.run drives it."""

import contextlib
import dataclasses
import json
import math
import signal
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.optim.swa_utils import AveragedModel, get_ema_multi_avg_fn

from colorgan.color import AB_RANGE
from colorgan.inference.colorize import read_model
from colorgan.inference.device import resolve_device
from colorgan.models import Preset, get_preset
from colorgan.models.files import (
    CHECKPOINT_NAME,
    WEIGHTS_NAME,
    export_generator,
    save_checkpoint,
)
from colorgan.settings import TrainConfig, check_train_settings
from colorgan.training import distributed
from colorgan.training.data import (
    PhotoDataset,
    StepBatchSampler,
    source_indices,
    source_weights,
    thumbnail_chromas,
)
from colorgan.training.gan import paired_step, seed_step
from colorgan.training.losses import (
    BinnedChromaLoss,
    bin_histogram,
)
from colorgan.training.recipes import weights_file
from colorgan.training.reconstruction import reconstruction_step
from colorgan.training.validation import ValidationSet, is_better


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

    def __init__(self, config: TrainConfig, group: distributed.ProcessGroup | None = None,
                 resuming: bool = False):
        """resuming: the weights will come from the run's checkpoint, so the starting weights
        (config.init_weights) are not read: they may be gone, or not in a new checkout."""
        check_train_settings(dataclasses.asdict(config))
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
        self.bins_loss: BinnedChromaLoss | None = None
        self.chroma_histogram: torch.Tensor | None = None
        if config.init_weights and not resuming:
            self._load_matching_weights(config.init_weights)
        self.judge_loss = None
        if config.semantic_weight or config.perceptual_weight:
            from colorgan.training.semantic import JudgeLoss
            self.judge_loss = JudgeLoss(self.device, config.loss_judge)
        self.ema = None
        if config.ema_decay:
            self.ema = AveragedModel(self.generator, use_buffers=True,
                                     multi_avg_fn=get_ema_multi_avg_fn(config.ema_decay))
        self.best_validation: dict[str, float] | None = None  # step and scores of the best

    @property
    def inference_generator(self) -> nn.Module:
        """The weights that are sampled, validated and exported: the average if there is one."""
        return self.generator if self.ema is None else self.ema.module

    def _load_matching_weights(self, source: str) -> None:
        """Start from another model's generator where its layers fit (a path, or
        git:REVISION:PATH of this repository)."""
        with weights_file(source) as path:
            weights, _ = read_model(path)
        own = self.generator.state_dict()
        matching = {name: tensor.float() for name, tensor in weights.items()
                    if name in own and own[name].shape == tensor.shape}
        self.generator.load_state_dict(matching, strict=False)
        if self.group.is_main:
            fresh = sorted(set(own) - set(matching))
            print(f"init: {len(matching)} tensors from {source}; "
                  f"{len(fresh)} start fresh{': ' + ', '.join(fresh) if fresh else ''}")

    def setting(self, name: str) -> float:
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
            group["lr"] = self.setting("lr_discriminator") * self._schedule_factor()

    def _generator_lrs(self) -> dict[str, float]:
        """The learning rates now of the generator's rest, its pretrained encoder and its hint
        branches.

        The encoder's is 0 while the fresh decoder warms up (its first, large gradients would
        otherwise wash out the ImageNet features), then its share of the generator's."""
        lr = self.setting("lr_generator") * self._schedule_factor()
        encoder = 0.0 if self.step < self.config.encoder_frozen_steps else \
            lr * self.setting("encoder_lr_scale")
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

    def next_batch(self) -> tuple[torch.Tensor, torch.Tensor]:
        if self.crop_side() != self._loader_side:
            self._open_loader()
        luminance, chroma = next(self._batches)
        self.batches_seen += 1
        return (luminance.to(self.device, non_blocking=True),
                chroma.to(self.device, non_blocking=True))

    def autocast(self) -> contextlib.AbstractContextManager:
        if self.device.type == "cuda":
            return torch.autocast("cuda", dtype=torch.bfloat16)
        return contextlib.nullcontext()

    # ----- steps -----
    def update(self, optimizer: torch.optim.Optimizer, loss: torch.Tensor) -> None:
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()

    def pretrain_step(self) -> dict[str, float]:
        """The reconstruction regime's step (training.reconstruction)."""
        return reconstruction_step(self)

    def paired_step(self) -> dict[str, float]:
        """The paired GAN regime's step (training.gan)."""
        return paired_step(self)

    def seed_step(self) -> dict[str, float]:
        """The seed GAN regime's step (training.gan)."""
        return seed_step(self)

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


