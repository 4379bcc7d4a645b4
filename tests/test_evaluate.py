import json
import subprocess
import sys

import numpy as np
from PIL import Image

from colorgan.colorize import Colorizer
from colorgan.evaluate import GRAY_BASELINE, decolorized, evaluate, format_table
from colorgan.metrics import colorfulness
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
