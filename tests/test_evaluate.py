import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from colorgan.color import rgb_to_model
from colorgan.evaluation.evaluate import (
    GRAY_BASELINE,
    aged_pair,
    decolorized,
    evaluate,
    format_table,
)
from colorgan.evaluation.metrics import colorfulness
from colorgan.inference.colorize import Colorizer
from colorgan.inference.planes import image_to_tensor
from tests.conftest import color_photo


def test_gray_baseline_has_no_color_and_the_model_has_some(photo_folder, tmp_path):
    grid = tmp_path / "grid.png"
    evaluation = evaluate([str(photo_folder)], {"bundled": Colorizer.load(device="cpu")},
                          size=64, limit=4, grid_photos=2, grid_path=grid)
    summary = evaluation.summary()
    assert set(summary) == {GRAY_BASELINE, "bundled"}
    assert summary[GRAY_BASELINE]["colorfulness"] < 1
    assert summary["bundled"]["colorfulness"] > summary[GRAY_BASELINE]["colorfulness"]
    assert len(evaluation.truth_colorfulness) == 4
    assert Image.open(grid).height == 2 * 256 + 6  # two photos, gray | model | original
    assert "| bundled |" in format_table(evaluation)


def test_decolorized_photo_is_gray():
    assert colorfulness(np.asarray(decolorized(color_photo(4)))) < 0.5


def test_aged_truth_is_the_original_colors_on_the_aged_lightness():
    photo = color_photo(3)
    gray, truth = aged_pair(photo, seed=0)
    clean_luminance, clean_chroma = rgb_to_model(image_to_tensor(photo))
    gray_luminance, _ = rgb_to_model(image_to_tensor(gray))
    truth_luminance, truth_chroma = rgb_to_model(image_to_tensor(truth))
    assert colorfulness(np.asarray(gray)) < 0.5
    assert (gray_luminance - clean_luminance).abs().mean() > 0.03  # the defects are there
    assert (truth_luminance - gray_luminance).abs().mean() < 0.01
    assert (truth_chroma - clean_chroma).abs().mean() < 0.02 * clean_chroma.abs().mean() + 0.01
    assert aged_pair(photo, seed=0)[0].tobytes() == gray.tobytes()
    assert aged_pair(photo, seed=1)[0].tobytes() != gray.tobytes()


def test_aged_evaluation_shows_the_models_aged_inputs(photo_folder, tmp_path):
    clean = evaluate([str(photo_folder)], {}, size=64, limit=2, grid_photos=1,
                     grid_path=tmp_path / "clean.png")
    aged = evaluate([str(photo_folder)], {}, size=64, limit=2, grid_photos=1,
                    grid_path=tmp_path / "aged.png", aged=True)
    clean_gray, aged_gray = (np.asarray(Image.open(tmp_path / name))[:, :64].astype(int)
                             for name in ("clean.png", "aged.png"))
    assert np.abs(clean_gray - aged_gray).mean() > 5
    assert np.allclose(aged.truth_colorfulness, clean.truth_colorfulness, rtol=0.2)


@pytest.mark.slow
def test_evaluate_cli_writes_json_and_grid_and_reports_bad_files(photo_folder, tmp_path):
    out = tmp_path / "eval"
    result = subprocess.run([sys.executable, "-m", "colorgan.cli", "evaluate", str(photo_folder),
                             "--limit", "3", "--size", "64", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "warning: skipping" in result.stderr and "broken.jpg" in result.stderr
    report = json.loads((out / "evaluation.json").read_text())
    assert report["photos"] == 3 and set(report["models"]) == {GRAY_BASELINE, "bundled"}
    assert 0 < report["models"]["bundled"]["auc"] <= 1
    assert (out / "comparison.png").exists()
    assert "| gray (ab = 0) |" in result.stdout


def test_no_grid_photos_means_no_grid(photo_folder, tmp_path):
    evaluation = evaluate([str(photo_folder)], {}, size=64, limit=2, grid_photos=0,
                          grid_path=tmp_path / "grid.png")
    assert len(evaluation.truth_colorfulness) == 2
    assert not (tmp_path / "grid.png").exists()
