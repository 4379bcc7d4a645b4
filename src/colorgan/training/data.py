"""Image folders to training samples: finding photos, skipping gray or broken ones, cropping.

Every sample is addressed by (index, seed), so a batch depends only on the training position:
a resumed run sees exactly the batches an uninterrupted one would, whatever the worker count.
"""

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageOps

from colorgan.color import rgb_to_model
from colorgan.evaluation.degrade import degrade_luminance
from colorgan.evaluation.photos import thumbnail
from colorgan.inference.imageio import load_rgb
from colorgan.inference.planes import image_to_tensor


def thumbnail_chromas(paths: Sequence[Path], limit: int, weights: np.ndarray | None = None,
                      seed: int = 0) -> list[torch.Tensor]:
    """Model chroma (1, 2, h, w) of thumbnails of up to `limit` photos: a cheap sample of the
    data's color distribution, spread evenly over the list, or drawn by `weights` (the mix
    as training draws it)."""
    count = min(limit, len(paths))
    if weights is None:
        picks = np.linspace(0, len(paths) - 1, count).astype(int)
    else:
        picks = np.sort(np.random.default_rng(seed).choice(len(paths), count, replace=False,
                                                           p=weights))
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        chosen = [paths[i] for i in picks]
        return [rgb_to_model(rgb[None])[1] for rgb in pool.map(thumbnail, chosen)]


def source_indices(paths: Sequence[Path], sources: Sequence[str | Path]) -> np.ndarray:
    """For each photo, the index of the data source (folder, or a file given on its own)
    it came from."""
    roots = [Path(source).resolve() for source in sources]

    def source_of(path: Path) -> int:
        resolved = path.resolve()
        for index, root in enumerate(roots):
            if resolved == root or root in resolved.parents:
                return index
        raise ValueError(f"{path} is under none of the data sources")

    return np.array([source_of(path) for path in paths], dtype=np.int64)


def source_weights(owners: np.ndarray, balance: float,
                   multipliers: Sequence[float] = ()) -> np.ndarray:
    """How likely each photo is to be drawn, given its source index (`source_indices`), so
    that a big folder need not drown the others.

    Each source gets a share of the draws that grows with its photo count n as
    n ** (1 - balance): balance 0 draws every photo equally often (big folders dominate),
    1 draws every source equally often, 0.5 in between. `multipliers` (one per source)
    then scale the shares, for a mix that its folders' sizes alone do not give.
    """
    if not 0.0 <= balance <= 1.0:
        raise ValueError(f"source balance {balance} is outside [0, 1]")
    counts = np.bincount(owners, minlength=len(multipliers)).astype(np.float64)
    shares = np.where(counts > 0, counts ** (1.0 - balance), 0.0)
    if len(multipliers):
        scale = np.asarray(multipliers, dtype=np.float64)
        if scale.size != counts.size or (scale < 0).any() or not (shares * scale).any():
            raise ValueError(f"source multipliers {list(multipliers)}: need one >= 0 per data "
                             "folder, and some photos left to draw")
        shares = shares * scale
    weights = shares[owners] / counts[owners]
    return weights / weights.sum()


def random_crop(image: Image.Image, size: int, rng: np.random.Generator,
                min_scale: float = 0.6) -> Image.Image:
    """A random square crop of 60-100% of the short side, resized to size, maybe mirrored."""
    short = min(image.size)
    side = max(1, int(short * rng.uniform(min_scale, 1.0)))
    left = int(rng.integers(0, image.width - side + 1))
    top = int(rng.integers(0, image.height - side + 1))
    crop = image.resize((size, size), Image.Resampling.BICUBIC,
                        box=(left, top, left + side, top + side))
    if rng.random() < 0.5:
        crop = crop.transpose(Image.Transpose.FLIP_LEFT_RIGHT)
    return crop


def center_crop(image: Image.Image, size: int) -> Image.Image:
    """The central square of the image, resized to size: for fixed sample images."""
    return ImageOps.fit(image, (size, size), Image.Resampling.BICUBIC)


class PhotoDataset(torch.utils.data.Dataset):
    """Random crops of color photos as (luminance, chroma), both in [-1, 1].

    The input luminance may be degraded like an old print (grain, blur, faded contrast);
    the target chroma is that of the clean photo.
    """

    def __init__(self, paths: Sequence[Path], size: int, degrade: float = 0.0):
        self.paths = list(paths)
        self.size = size
        self.degrade = degrade

    def __len__(self) -> int:
        return len(self.paths)

    def __getitem__(self, key: tuple[int, int]) -> tuple[torch.Tensor, torch.Tensor]:
        index, seed = key
        rng = np.random.default_rng(seed)
        crop = random_crop(load_rgb(self.paths[index]), self.size, rng)
        luminance, chroma = rgb_to_model(image_to_tensor(crop))
        if self.degrade > 0 and rng.random() < self.degrade:
            luminance = degrade_luminance(luminance, rng)
        return luminance, chroma


class StepBatchSampler(torch.utils.data.Sampler):
    """Endless batches of (index, seed), a pure function of (seed, batch number).

    Each epoch is a fresh permutation, or with `weights` as many draws (with replacement)
    from those probabilities; with several processes each rank takes its own slice of every
    global batch.
    """

    def __init__(self, num_items: int, batch_size: int, seed: int, start_batch: int = 0,
                 rank: int = 0, world_size: int = 1, weights: np.ndarray | None = None):
        if num_items < batch_size * world_size:
            raise ValueError(f"{num_items} training photos is fewer than one batch of "
                             f"{batch_size * world_size}")
        if weights is not None and len(weights) != num_items:
            raise ValueError(f"{len(weights)} weights for {num_items} photos")
        self.num_items, self.batch_size, self.seed = num_items, batch_size, seed
        self.start_batch, self.rank, self.world_size = start_batch, rank, world_size
        self.weights = weights

    def _epoch_order(self, epoch: int) -> np.ndarray:
        rng = np.random.default_rng([self.seed, epoch])
        if self.weights is None:
            return rng.permutation(self.num_items)
        return rng.choice(self.num_items, size=self.num_items, p=self.weights)

    def batch_keys(self, batch: int) -> list[tuple[int, int]]:
        """The (index, seed) keys of this rank's share of global batch number `batch`."""
        global_size = self.batch_size * self.world_size
        per_epoch = self.num_items // global_size
        epoch, offset = divmod(batch, per_epoch)
        order = self._epoch_order(epoch)
        first = offset * global_size + self.rank * self.batch_size
        # Each (epoch, place in it) gets its own augmentation seed: a photo drawn twice in an
        # epoch is cropped differently.
        return [(int(order[i]), (self.seed * 1_000_003 + epoch) * self.num_items + i)
                for i in range(first, first + self.batch_size)]

    def __iter__(self) -> Iterator[list[tuple[int, int]]]:
        batch = self.start_batch
        while True:
            yield self.batch_keys(batch)
            batch += 1


def split_holdout(paths: list[Path], count: int, seed: int) -> tuple[list[Path], list[Path]]:
    """A fixed random choice of `count` photos for the sample grid, and the rest for training."""
    order = np.random.default_rng(seed).permutation(len(paths))
    chosen = set(order[:count].tolist())
    held = [paths[i] for i in sorted(chosen)]
    return [p for i, p in enumerate(paths) if i not in chosen], held
