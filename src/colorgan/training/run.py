"""A training run from start or resume to its last checkpoint: data scanned, held-out
sample photos, the step loop with sample grids, validation and checkpoints on schedule,
a wall-clock budget, and a clean save on Ctrl-C or SIGTERM."""

import contextlib
import dataclasses
import json
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from tqdm import tqdm

from colorgan.atomic import remove_stale_temporaries
from colorgan.evaluation.photos import scan_images
from colorgan.inference.device import resolve_device
from colorgan.models.files import CHECKPOINT_NAME, WEIGHTS_NAME, load_checkpoint
from colorgan.settings import TrainConfig
from colorgan.training import distributed
from colorgan.training.data import split_holdout
from colorgan.training.monitor import RunLog, SampleSheet
from colorgan.training.trainer import SNAPSHOTS_FOLDER, Trainer
from colorgan.training.validation import ValidationSet


def _validation_set(config: TrainConfig) -> ValidationSet:
    """The validation photos, judged by the ImageNet classifier where it is installed."""
    from colorgan.evaluation.judge import Judge

    try:
        judge = Judge()
    except RuntimeError as error:
        if config.select_by in ("top1", "kl"):
            raise ValueError(f"select_by {config.select_by} needs the judge: {error}") from None
        print(f"validation without the judge's measures: {error}")
        judge = None
    return ValidationSet(config.val, judge=judge)


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
    trainer = Trainer(config, group, resuming=resume)
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
