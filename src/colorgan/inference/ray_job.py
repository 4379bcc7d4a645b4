"""`colorgan colorize --engine ray`: the same job as on one machine, spread over a Ray cluster.

Ray Data streams the photos' paths to a pool of actors, each of which loads the model once and
colors its share with the same code as the single-machine batch (batch.color_photos), so the
outputs are byte for byte the same. Paths must be reachable from every worker (a shared file
system). The driver writes a manifest line for every input as its result arrives, so a job
of a million photos can be audited, and resumed with --skip-existing after a crash.
Sources and outputs may also be URIs of an object store that pyarrow reaches (s3://...,
colorgan.inference.storage), which is what the workers of a cloud cluster usually share.

Ray is an optional extra (`pip install 'colorgan[ray]'`); nothing else imports this module.
"""

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from colorgan.inference.batch import BatchReport, Source, plan_batch
from colorgan.inference.storage import LOCAL, Storage
from colorgan.settings import ColorizeOptions

MANIFEST_NAME = "colorgan-manifest.jsonl"
ROWS_PER_TASK = 4  # photos an actor takes at a time: small, so a lost actor costs little


@dataclass(frozen=True)
class ModelChoice:
    """The model every actor loads, and how it runs."""

    path: str | None = None  # None: the bundled model
    backend: str = "auto"
    device: str = "auto"
    vividness: float | None = None  # None: the model's own default


@dataclass(frozen=True)
class ClusterOptions:
    """Where the job runs and how wide."""

    address: str | None = None  # None: start a local Ray instance
    workers: int = 2  # model actors
    cpus_per_worker: float = 1.0
    gpus_per_worker: float = 0.0


class PhotoColorizer:
    """One Ray actor: loads the model once, then colors the batches of paths it is given."""

    def __init__(self, model: ModelChoice, threads: int, options: ColorizeOptions,
                 storage: Storage):
        import torch

        from colorgan.inference.colorize import Colorizer

        torch.set_num_threads(threads)
        self.colorizer = Colorizer.load(model.path, model.device, model.backend)
        if model.vividness is not None:
            self.colorizer = self.colorizer.with_vividness(model.vividness)
        self.options, self.storage = options, storage

    def __call__(self, batch: dict) -> dict:
        from colorgan.inference.batch import color_photos

        targets = {Path(source): Path(target)
                   for source, target in zip(batch["source"], batch["target"], strict=True)}
        started = time.perf_counter()
        reasons = dict(color_photos(self.colorizer, targets, self.options, self.storage))
        seconds = (time.perf_counter() - started) / max(1, len(targets))
        return {"source": [str(source) for source in targets],
                "target": [str(target) for target in targets.values()],
                "status": ["failed" if reasons[source] else "ok" for source in targets],
                "reason": [reasons[source] or "" for source in targets],
                "seconds": [round(seconds, 4)] * len(targets)}


def colorize_on_ray(sources: list[Source], options: ColorizeOptions, cluster: ClusterOptions,
                    model: ModelChoice, storage: Storage = LOCAL) -> BatchReport:
    """Color every source with a pool of Ray actors; the manifest in options.out_dir says what
    became of each input. With an object store for storage (an append is not possible
    there), the manifest is written in the current folder as the job goes, and copied into
    options.out_dir at the end."""
    import ray

    started = time.perf_counter()
    report = BatchReport()
    plan = plan_batch(sources, options, storage)
    storage.prepare_folder(options.out_dir)
    manifest_path = options.out_dir / MANIFEST_NAME if storage is LOCAL else Path(MANIFEST_NAME)
    progress = tqdm(total=len(sources), unit="photo", disable=len(sources) < 2)
    with open(manifest_path, "a") as manifest:
        def record(source: Path, status: str, reason: str = "", target: Path | None = None,
                   seconds: float = 0.0) -> None:
            manifest.write(json.dumps({"path": storage.name(source), "status": status,
                                       "reason": reason,
                                       "output": storage.name(target) if target else "",
                                       "seconds": seconds}) + "\n")
            manifest.flush()
            if status == "skipped":
                report.skipped.append(source)
            else:
                report.settle(source, reason if status == "failed" else None, target)
            progress.update(1)

        for source, reason in plan.failed:
            record(source, "failed", reason)
        for source in plan.skipped:
            record(source, "skipped", "output exists")
        for source in plan.videos:
            record(source, "failed", f"{source}: videos are colored on one machine (their "
                                     "frames depend on each other): run without --engine ray")
        photos = plan.photos
        if photos:
            _start_ray(ray, cluster)
            rows = [{"source": str(source), "target": str(target)}
                    for source, target in photos.items()]
            dataset = ray.data.from_items(rows, override_num_blocks=max(
                1, len(rows) // ROWS_PER_TASK)).map_batches(
                PhotoColorizer, batch_size=ROWS_PER_TASK,
                fn_constructor_kwargs={"model": model, "options": options, "storage": storage,
                                       "threads": max(1, int(cluster.cpus_per_worker))},
                concurrency=cluster.workers, num_cpus=cluster.cpus_per_worker,
                num_gpus=cluster.gpus_per_worker or None)  # a dead actor restarts, its work
            # is retried (Ray Data's defaults: max_restarts and max_task_retries -1)
            for row in dataset.iter_rows():
                record(Path(row["source"]), row["status"], row["reason"],
                       Path(row["target"]) if row["status"] == "ok" else None, row["seconds"])
    progress.close()
    if storage is not LOCAL:
        storage.write(options.out_dir / MANIFEST_NAME, manifest_path.read_bytes())
    report.seconds = time.perf_counter() - started
    return report


def _start_ray(ray, cluster: ClusterOptions) -> None:
    # Without an address Ray starts a local instance with this machine's cores. Its own
    # progress bars and plans would drown colorgan's bar and errors: warnings only.
    if not ray.is_initialized():
        ray.init(address=cluster.address, log_to_driver=False, logging_level=logging.WARNING)
    ray.data.DataContext.get_current().enable_progress_bars = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)  # set up when ray.data loads
