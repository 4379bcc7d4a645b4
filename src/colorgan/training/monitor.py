"""Watching a run learn: loss CSV, TensorBoard, loss-curve PNG and sample grids of held-out
photos (gray | generated | original)."""

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image  # noqa: E402
from torch import nn  # noqa: E402
from torch.utils.tensorboard import SummaryWriter  # noqa: E402

from colorgan.atomic import atomic_write  # noqa: E402
from colorgan.color import gray_rgb, model_to_rgb, rgb_to_model  # noqa: E402
from colorgan.inference.imageio import load_rgb, save_image  # noqa: E402
from colorgan.inference.planes import (
    image_to_tensor,  # noqa: E402
    tensor_to_image,  # noqa: E402
)
from colorgan.models.modes import evaluating  # noqa: E402
from colorgan.training.data import center_crop  # noqa: E402


def _read_rows(path: Path, last_step: int) -> list[dict[str, float]]:
    if not path.exists():
        return []
    with open(path, newline="") as handle:
        rows = [{key: float(value) for key, value in row.items() if value != ""}
                for row in csv.DictReader(handle)]
    return [row for row in rows if row["step"] <= last_step]


def _write_rows(path: Path, rows: list[dict[str, float]]) -> list[str]:
    """Write the rows as CSV atomically; returns the value columns (all but step)."""
    names = sorted({key for row in rows for key in row} - {"step"})

    def write_csv(temporary: Path) -> None:
        with open(temporary, "w", newline="") as handle:
            writer = csv.DictWriter(handle, fieldnames=["step", *names])
            writer.writeheader()
            for row in rows:
                writer.writerow({key: (int(value) if key == "step" else f"{value:.6g}")
                                 for key, value in row.items()})

    atomic_write(path, write_csv)
    return names


def image_grid(rows: list[list[torch.Tensor]], gap: int = 4) -> Image.Image:
    """Tile rows of equal-size RGB tensors into one white-separated image."""
    height, width = rows[0][0].shape[-2:]
    columns = max(len(row) for row in rows)
    canvas = Image.new("RGB", (columns * (width + gap) - gap, len(rows) * (height + gap) - gap),
                       "white")
    for row_index, row in enumerate(rows):
        for column_index, rgb in enumerate(row):
            canvas.paste(tensor_to_image(rgb), (column_index * (width + gap),
                                                row_index * (height + gap)))
    return canvas


class RunLog:
    """Appends losses to losses.csv, validation scores to validation.csv, both to TensorBoard;
    draws loss_curve.png on request."""

    def __init__(self, run_dir: Path, resume_step: int = 0):
        self.csv_path = run_dir / "losses.csv"
        self.validation_path = run_dir / "validation.csv"
        self.curve_path = run_dir / "loss_curve.png"
        # Rows logged after the checkpoint we resume from belong to a future that was lost.
        self._rows = _read_rows(self.csv_path, resume_step)
        self._validation_rows = _read_rows(self.validation_path, resume_step)
        self._writer = SummaryWriter(str(run_dir / "tensorboard"), purge_step=resume_step + 1)

    def log(self, step: int, losses: dict[str, float]) -> None:
        self._rows.append({"step": float(step), **losses})
        for name, value in losses.items():
            self._writer.add_scalar(f"loss/{name}", value, step)

    def log_validation(self, step: int, scores: dict[str, float]) -> None:
        self._validation_rows.append({"step": float(step), **scores})
        for name, value in scores.items():
            self._writer.add_scalar(f"validation/{name}", value, step)

    def flush(self) -> None:
        """Rewrite the CSVs atomically and refresh the loss curve."""
        names = _write_rows(self.csv_path, self._rows)
        if self._validation_rows:
            _write_rows(self.validation_path, self._validation_rows)
        self._writer.flush()
        self._draw_curve(names)

    def _draw_curve(self, names: list[str]) -> None:
        if not self._rows:
            return
        figure, axis = plt.subplots(figsize=(8, 4.5), dpi=100)
        for name in names:
            points = np.array([(row["step"], row[name]) for row in self._rows if name in row])
            window = max(1, len(points) // 50)
            smoothed = np.convolve(points[:, 1], np.ones(window) / window, mode="valid")
            axis.plot(points[window - 1:, 0], smoothed, label=name)
        axis.set_xlabel("step")
        axis.set_ylabel("loss (moving average)")
        axis.set_yscale("log")
        axis.legend()
        axis.grid(alpha=0.3)
        figure.tight_layout()
        atomic_write(self.curve_path, lambda temporary: figure.savefig(temporary, format="png"))
        plt.close(figure)

    def close(self) -> None:
        self._writer.close()


class SampleSheet:
    """Fixed held-out photos, drawn as gray | generated | original at every sample step."""

    def __init__(self, paths: list[Path], size: int, device: torch.device):
        rgb = torch.stack([image_to_tensor(center_crop(load_rgb(p), size)) for p in paths])
        self.rgb = rgb
        self.luminance = rgb_to_model(rgb)[0].to(device)

    @torch.no_grad()
    def draw(self, generator: nn.Module, path: Path) -> None:
        with evaluating(generator):
            generated = model_to_rgb(self.luminance.cpu(),
                                     generator(self.luminance).float().cpu())
        gray = gray_rgb(self.luminance.cpu())
        rows = [[g, c, o] for g, c, o in zip(gray, generated, self.rgb, strict=True)]
        save_image(image_grid(rows), path)
