"""Run models over folders of color photos and compare them with the gray baseline.

Each photo is decolorized, colored by every model, and scored against the original. Aged,
its lightness first gets every old-print defect, and the truth becomes the original colors
on that aged lightness, so the scores measure the colors alone. With hints, every model gets
the same few of the photo's true colors at random points, as a person who knew them would.
"""

import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from tqdm import tqdm

from colorgan.atomic import atomic_write
from colorgan.color import compose_rgb, gray_rgb, lightness, model_to_rgb, rgb_to_model
from colorgan.evaluation.degrade import age_luminance
from colorgan.evaluation.judge import Judge, frechet_distance, semantic_agreement
from colorgan.evaluation.known_colors import ground_truth_hints
from colorgan.evaluation.metrics import AbErrorTally, all_metrics, colorfulness
from colorgan.evaluation.photos import scan_images
from colorgan.inference.colorize import Colorizer
from colorgan.inference.hints import HintError
from colorgan.inference.imageio import ImageReadError, open_image, save_image
from colorgan.inference.planes import image_to_tensor, tensor_to_image, to_planes
from colorgan.settings import DEFAULT_WORKING_SIZE

GRAY_BASELINE = "gray (ab = 0)"
GRID_ROW_HEIGHT = 256


@dataclass
class Evaluation:
    """Per-model scores, with the originals' colorfulness for reference: per photo, the ab
    errors by true color for the rebalanced AuC, and the judge's features for the Fréchet
    distance (when a judge looked)."""

    scores: dict[str, dict[str, list[float]]] = field(default_factory=dict)
    truth_colorfulness: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    tallies: dict[str, AbErrorTally] = field(default_factory=dict)
    features: dict[str, list[np.ndarray]] = field(default_factory=dict)
    truth_features: list[np.ndarray] = field(default_factory=list)

    def summary(self) -> dict[str, dict[str, float]]:
        """Means over photos (hue_distance over those where both have color);
        colorfulness_gap is |CF(result) - CF(truth)| per photo; auc_rebalanced and frechet are
        over the whole set."""
        table = {}
        for name, scores in self.scores.items():
            means = {metric: _mean(values) for metric, values in scores.items()}
            gaps = np.abs(np.array(scores["colorfulness"]) - self.truth_colorfulness)
            means["colorfulness_gap"] = float(gaps.mean())
            means["auc_rebalanced"] = self.tallies[name].rebalanced_auc()
            if len(self.truth_features) > 1:
                means["frechet"] = frechet_distance(np.stack(self.features[name]),
                                                    np.stack(self.truth_features))
            table[name] = means
        return table

    def to_json(self) -> dict:
        """The summary as JSON values (a measure without a value is null)."""
        models = {name: {metric: None if math.isnan(value) else value
                         for metric, value in means.items()}
                  for name, means in self.summary().items()}
        return {"photos": len(self.truth_colorfulness), "failed": self.failed,
                "truth_colorfulness": float(np.mean(self.truth_colorfulness)),
                "models": models}


def _mean(values: list[float]) -> float:
    defined = [value for value in values if not math.isnan(value)]
    return float(np.mean(defined)) if defined else float("nan")


def decolorized(photo: Image.Image) -> Image.Image:
    """The photo with its lightness only: what the models get to see, composed from L as
    every colorized photo is (color.compose_rgb), with no chroma."""
    light = lightness(to_planes(photo.convert("RGB")).values)
    return Image.fromarray(compose_rgb(light, torch.zeros(2, *light.shape)).numpy(), "RGB")


def aged_pair(photo: Image.Image, seed: int) -> tuple[Image.Image, Image.Image]:
    """The photo's lightness with every old-print defect, and the original colors on it."""
    luminance, chroma = rgb_to_model(image_to_tensor(photo.convert("RGB")))
    old = age_luminance(luminance, np.random.default_rng(seed))
    return tensor_to_image(gray_rgb(old)), tensor_to_image(model_to_rgb(old, chroma))


def evaluate(folders: list[str], models: dict[str, Colorizer], size: int = DEFAULT_WORKING_SIZE,
             limit: int | None = None, grid_photos: int = 8,
             grid_path: Path | None = None, aged: bool = False, hints: int = 0,
             judge: Judge | None = None) -> Evaluation:
    """Score every model (and the gray baseline) on the color photos in the folders;
    aged: on old-print versions of them; hints: this many of each photo's true colors at
    random points (both seeded by the photo's place in the list); judge: also how well an
    ImageNet classifier recognizes each result as what the original shows."""
    paths = scan_images(folders).kept[:limit]
    if not paths:
        raise ValueError("no color photos to evaluate in " + ", ".join(folders))
    if hints:
        refusing = [name for name, model in models.items() if not model.takes_hints]
        if refusing:
            raise HintError(f"these models take no color hints: {', '.join(refusing)}")
    names = [GRAY_BASELINE, *models]
    result = Evaluation(scores={name: {} for name in names},
                        tallies={name: AbErrorTally() for name in names},
                        features={name: [] for name in names})
    grid_every = max(1, len(paths) // max(1, grid_photos))
    rows = []
    for index, path in enumerate(tqdm(paths, unit="photo")):
        try:
            photo = open_image(path).convert("RGB")
        except ImageReadError as error:
            tqdm.write(f"error: {error}")
            result.failed.append(str(error))
            continue
        gray, photo = aged_pair(photo, index) if aged else (decolorized(photo), photo)
        truth = np.asarray(photo)
        known = ground_truth_hints(truth, hints, np.random.default_rng(index), size)
        outputs = {GRAY_BASELINE: gray}
        outputs.update({name: model.colorize(gray, size, known)
                        for name, model in models.items()})
        result.truth_colorfulness.append(colorfulness(truth))
        arrays = {name: np.asarray(output) for name, output in outputs.items()}
        for name, array in arrays.items():
            for metric, value in all_metrics(array, truth, result.tallies[name]).items():
                result.scores[name].setdefault(metric, []).append(value)
        if judge is not None:
            _judge_photo(judge, truth, arrays, result)
        if index % grid_every == 0 and len(rows) < grid_photos:
            rows.append([*outputs.values(), photo])
    if grid_path is not None and rows:
        save_image(comparison_grid(rows), grid_path)
    return result


def _judge_photo(judge: Judge, truth: np.ndarray, arrays: dict[str, np.ndarray],
                 result: Evaluation) -> None:
    """The judge's view of one original and its colorizations, added to the result."""
    sight = judge.look([truth, *arrays.values()])
    truth_sight = sight.of([0])
    result.truth_features.append(truth_sight.features[0])
    for index, name in enumerate(arrays, start=1):
        seen = sight.of([index])
        result.features[name].append(seen.features[0])
        for metric, values in semantic_agreement(seen, truth_sight).items():
            result.scores[name].setdefault(metric, []).append(float(values[0]))


def comparison_grid(rows: list[list[Image.Image]], gap: int = 6) -> Image.Image:
    """gray | model A | model B | ... | original, one photo per row, each GRID_ROW_HEIGHT high."""
    scaled = [[image.resize((round(image.width * GRID_ROW_HEIGHT / image.height),
                             GRID_ROW_HEIGHT), Image.Resampling.LANCZOS) for image in row]
              for row in rows]
    width = max(sum(image.width for image in row) + gap * (len(row) - 1) for row in scaled)
    canvas = Image.new("RGB", (width, len(rows) * (GRID_ROW_HEIGHT + gap) - gap), "white")
    for row_index, row in enumerate(scaled):
        left = 0
        for image in row:
            canvas.paste(image, (left, row_index * (GRID_ROW_HEIGHT + gap)))
            left += image.width + gap
    return canvas


COLUMNS = [("psnr", "PSNR", "{:.2f}"), ("ssim", "SSIM", "{:.3f}"),
           ("colorfulness", "CF", "{:.1f}"), ("colorfulness_gap", "|CF-truth|", "{:.1f}"),
           ("ciede2000", "CIEDE2000", "{:.2f}"), ("auc", "AuC", "{:.3f}"),
           ("auc_rebalanced", "AuC rebal.", "{:.3f}"), ("hue_distance", "hue EMD", "{:.1f}"),
           ("top1", "top-1", "{:.3f}"), ("top5", "top-5", "{:.3f}"), ("kl", "KL", "{:.3f}"),
           ("frechet", "Fréchet", "{:.1f}")]


def format_table(evaluation: Evaluation) -> str:
    """A Markdown table of the mean scores, one row per model."""
    truth = np.mean(evaluation.truth_colorfulness)
    summary = evaluation.summary()
    columns = [column for column in COLUMNS
               if any(column[0] in means for means in summary.values())]
    header = "| model | " + " | ".join(label for _, label, _ in columns) + " |"
    lines = [header, "|---" * (len(columns) + 1) + "|"]
    for name, means in summary.items():
        cells = " | ".join("–" if math.isnan(means[key]) else fmt.format(means[key])
                           for key, _, fmt in columns)
        lines.append(f"| {name} | {cells} |")
    lines.append(f"\n{len(evaluation.truth_colorfulness)} photos; colorfulness of the originals: "
                 f"{truth:.1f}")
    return "\n".join(lines)


def write_json(evaluation: Evaluation, path: Path, extra: dict | None = None) -> None:
    """The scores, the settings in `extra`, and the failures, as JSON."""
    payload = {**(extra or {}), **evaluation.to_json()}
    atomic_write(path, lambda temporary: temporary.write_text(json.dumps(payload, indent=2)))

