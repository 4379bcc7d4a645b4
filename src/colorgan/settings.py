"""The settings of each command as plain values and dataclasses, with their defaults.

Nothing here imports PyTorch or the web stack: the command line shows these defaults in its
help, and `colorgan --help` must start at once.
"""

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PRESET = "efficientnet-unet"
DEFAULT_WORKING_SIZE = 256  # the model sees about this many pixels squared
DEFAULT_MAX_PIXELS = 100_000_000  # larger photos are refused before they are decoded
# Longer and thinner photos are refused too: the model needs 32 pixels across at least, so a
# 300000 x 1 strip would cost it 4 GB; at 100:1 a photo costs at most 1.25 times a square's work.
MAX_ASPECT_RATIO = 100
DEFAULT_TEMPORAL = 0.85  # chroma smoothing over video frames
MIN_CHROMA = 3.0  # mean Lab chroma under which a training photo counts as grayscale
MAX_HINTS = 256  # color hints on one photo
LR_SCHEDULES = ("constant", "cosine")
LOSS_SPACES = ("lab", "rgb")
# ImageNet classifiers the judge's losses may be taken from: Lite2 is `colorgan evaluate`'s
# judge itself; Lite0 keeps that judge independent of what the model was trained to please.
LOSS_JUDGES = ("efficientnet-lite2", "efficientnet-lite0")
# Validation measures a run can keep its best step by, and whether higher is better.
SELECTABLE_MEASURES = {"psnr": True, "auc_rebalanced": True, "top1": True, "kl": False,
                       "hue_distance": False}


@dataclass
class TrainConfig:
    """One training run; saved as config.json in the run folder."""

    data: list[str] = field(default_factory=list)
    out: str = "runs/colorgan"
    preset: str = DEFAULT_PRESET
    size: int = 256
    # Progressive resizing: [step, side] pairs, from that step on crops of that side ([]: size).
    size_schedule: list[list[int]] = field(default_factory=list)
    batch_size: int = 16
    steps: int = 5000
    pretrain_steps: int = 0  # generator-only L1 steps before the adversarial phase
    # Adversarial steps at its start that train the discriminator alone, on the frozen
    # generator's colors (DeOldify's NoGAN: the critic knows them before the generator moves).
    critic_warmup_steps: int = 0
    sample_every: int = 100
    save_every: int = 0  # 0: twice the sample interval, as the article saved models
    num_samples: int = 6  # held-out photos shown in every sample grid
    mini_epoch: int = 320  # images per step of the seed regime
    workers: int = 2
    device: str = "auto"
    seed: int = 0
    degrade: float = 0.0  # probability of old-print defects on an input
    source_balance: float = 0.0  # 0: every photo equally often; 1: every data folder (data.py)
    source_multipliers: list[float] = field(default_factory=list)  # per data folder; [] all 1
    min_chroma: float = MIN_CHROMA  # training photos of a lower mean Lab chroma are left out
    lr_generator: float | None = None  # None: the preset's value
    lr_discriminator: float | None = None
    encoder_lr_scale: float | None = None  # a pretrained encoder's share of lr_generator; 0: frozen
    encoder_frozen_steps: int = 0  # steps a pretrained encoder waits (learning rate 0) at the start
    lr_schedule: str = "constant"  # or "cosine": every learning rate falls to 0 at the last step
    weight_decay: float = 0.0  # the generator's weights shrink by lr * this a step (AdamW)
    l1_weight: float | None = None
    gan_weight: float | None = None
    bins_weight: float | None = None
    colorfulness_weight: float = 0.0  # colorfulness loss, relative to the reconstruction loss
    # DDColor's saturation-enhanced targets: hint-free crops learn their true chroma times this
    # (training.reconstruction.saturated); 1: the true colors.
    target_saturation: float = 1.0
    # The frozen ImageNet judge's losses (training.semantic), relative to the reconstruction
    # loss: KL of its classes on the colorized crop from the true one's, and its feature MSE.
    semantic_weight: float = 0.0
    perceptual_weight: float = 0.0
    loss_judge: str = LOSS_JUDGES[0]  # the classifier those losses are taken from
    # A binned head's class rebalancing: how far toward uniform the data's chroma histogram is
    # mixed before it is inverted (Zhang et al.: 0.5; 1 would weight every bin alike).
    rebalance_uniform_mix: float = 0.7
    # The colorfulness loss on hint-free crops alone, lest it pay a hint's color for spreading
    # (it does not hold hints in place: EXPERIMENTS.md, 48).
    colorfulness_hint_free: bool = False
    loss_space: str = "lab"  # reconstruction L1 on the ab channels, or "rgb": on the sRGB image
    pretrained: bool = True  # start a pretrained encoder from ImageNet weights
    init_weights: str | None = None  # start from another model's generator (matching layers)
    max_minutes: float = 0.0  # wall-clock budget of this process, then save and stop; 0: none
    # Exported and sampled weights: an exponential moving average of the generator's, with this
    # decay per step (0: the generator's own weights).
    ema_decay: float = 0.0
    val: list[str] = field(default_factory=list)  # photos scored at every checkpoint
    # Keep the exported weights of every validated step (snapshots/), to choose among them
    # afterwards by measures too slow for the loop (colorgan evaluate).
    keep_snapshots: bool = False
    # The validation measure that picks best.safetensors (one of SELECTABLE_MEASURES).
    select_by: str = "psnr"
    # A generator that takes color hints trains with simulated ones (training.hint_simulation):
    # none on this share of crops, and on this share of the others where its colors are most
    # wrong.
    hint_free_share: float = 0.4
    error_hint_share: float = 0.5
    # The hint branches start at zero: at the fine-tuning rate of the rest they would take
    # thousands of steps to matter, so they learn this many times faster.
    hint_lr_scale: float = 25.0

    @property
    def save_interval(self) -> int:
        return self.save_every or 2 * self.sample_every


@dataclass
class ColorizeOptions:
    """How `colorgan colorize` writes its results."""

    out_dir: Path
    file_format: str = "png"  # "png" or "jpg"
    quality: int = 92
    overwrite: bool = False
    skip_existing: bool = False  # an existing output counts as done before: resumes a batch
    side_by_side: bool = False
    size: int = DEFAULT_WORKING_SIZE
    max_pixels: int = DEFAULT_MAX_PIXELS
    batch_size: int = 8
    temporal: float = DEFAULT_TEMPORAL  # chroma smoothing over video frames; 0: off
    hints: tuple = ()  # colorgan.inference.hints.Hint values, given to every photo (meant for one)


# The least and most each number of a run may be (None: no bound); checked, with every type,
# before any data loads, so that a recipe's mistake is named at once and not met later.
CHOICES = {"lr_schedule": LR_SCHEDULES, "loss_space": LOSS_SPACES,
           "select_by": SELECTABLE_MEASURES, "loss_judge": LOSS_JUDGES}
TRAIN_BOUNDS: dict[str, tuple[float | None, float | None]] = {
    "size": (32, None), "batch_size": (1, None), "steps": (1, None), "pretrain_steps": (0, None),
    "critic_warmup_steps": (0, None),
    "sample_every": (1, None), "save_every": (0, None), "num_samples": (1, None),
    "mini_epoch": (1, None), "workers": (0, None), "seed": (0, None), "degrade": (0, 1),
    "source_balance": (0, 1), "source_multipliers": (0, None), "min_chroma": (0, None),
    "lr_generator": (0, None), "lr_discriminator": (0, None), "encoder_lr_scale": (0, None),
    "encoder_frozen_steps": (0, None), "weight_decay": (0, None), "l1_weight": (0, None),
    "gan_weight": (0, None), "bins_weight": (0, None), "colorfulness_weight": (0, None),
    "target_saturation": (0, None),
    "semantic_weight": (0, None), "perceptual_weight": (0, None),
    "rebalance_uniform_mix": (0, 1), "max_minutes": (0, None), "ema_decay": (0, 0.9999999),
    "hint_free_share": (0, 1), "error_hint_share": (0, 1), "hint_lr_scale": (0, None),
}


def check_train_settings(values: dict) -> None:
    """Raise ValueError naming the first setting of a run (a recipe's or the command line's)
    that is unknown, of the wrong type, or out of its range."""
    fields = TrainConfig.__dataclass_fields__
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ValueError(f"unknown settings {unknown}")
    for name, value in values.items():
        expected = fields[name].type
        if not _fits(value, expected):
            shown = str(expected) if "[" in str(expected) or "|" in str(expected) \
                else expected.__name__
            raise ValueError(f"{name} must be {shown}, not {value!r}")
        if name in CHOICES and value not in CHOICES[name]:
            raise ValueError(f"{name} {value!r} is not one of {', '.join(CHOICES[name])}")
        numbers = value if isinstance(value, list) else [value]
        least, most = TRAIN_BOUNDS.get(name, (None, None))
        for number in numbers:
            if isinstance(number, int | float) and not isinstance(number, bool) and (
                    (least is not None and number < least) or
                    (most is not None and number > most)):
                span = f"at least {least:g}" if most is None else f"{least:g} to {most:.10g}"
                raise ValueError(f"{name} must be {span}, not {number!r}")


    _check_size_schedule(values.get("size_schedule", []))


def _check_size_schedule(schedule: list[list[int]]) -> None:
    whole = all(len(pair) == 2 for pair in schedule)
    steps = [pair[0] for pair in schedule] if whole else []
    if (not whole or steps != sorted(set(steps)) or min(steps, default=1) < 1
            or any(pair[1] < 32 for pair in schedule)):
        raise ValueError(f"size schedule {schedule}: need [step, side] pairs of whole numbers, "
                         "steps rising from 1, sides of at least 32")


def _fits(value, expected) -> bool:
    """Whether a JSON value has a dataclass field's type (int for float; no bools as numbers;
    finite floats; lists item by item)."""
    import math
    import types
    import typing

    if isinstance(expected, types.UnionType):
        return any(_fits(value, option) for option in typing.get_args(expected))
    if expected is type(None):
        return value is None
    if typing.get_origin(expected) is list:
        (item,) = typing.get_args(expected)
        return isinstance(value, list) and all(_fits(entry, item) for entry in value)
    if expected is bool:
        return type(value) is bool
    if expected is int:
        return type(value) is int
    if expected is float:
        return type(value) in (int, float) and math.isfinite(value)
    return type(value) is expected
