import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.conftest import color_photo


def colorgan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorgan.cli", *args], capture_output=True,
                          text=True, timeout=300)


@pytest.fixture
def gray_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "old"
    (folder / "inner").mkdir(parents=True)
    color_photo(1, (120, 90)).convert("L").save(folder / "one.png")
    color_photo(2, (64, 100)).convert("L").save(folder / "two.jpg")
    color_photo(3, (70, 70)).convert("L").save(folder / "inner" / "three.png")
    return folder


def test_a_bad_file_fails_alone_and_the_exit_code_says_so(gray_folder, tmp_path):
    (gray_folder / "zero.png").write_bytes(b"")
    (gray_folder / "text.jpg").write_text("not a photo")
    out = tmp_path / "out"
    result = colorgan("colorize", str(gray_folder), "-o", str(out), "--size", "64")
    assert result.returncode == 1
    assert sorted(p.name for p in out.iterdir()) == ["one.png", "two.png"]
    assert "zero.png: not an image" in result.stderr
    assert "text.jpg: not an image" in result.stderr
    assert "done 2, failed 2" in result.stdout
    assert Image.open(out / "one.png").size == (120, 90)


def test_recursive_globs_jpeg_and_side_by_side(gray_folder, tmp_path):
    out = tmp_path / "out"
    result = colorgan("colorize", str(gray_folder), "-r", "-o", str(out), "--size", "64",
                      "--format", "jpg", "--quality", "80", "--side-by-side")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["one.jpg", "three.jpg", "two.jpg"]
    assert Image.open(out / "one.jpg").size == (240, 90)
    globbed = colorgan("colorize", str(gray_folder / "*.png"), "-o", str(tmp_path / "g"),
                       "--size", "64")
    assert globbed.returncode == 0
    assert [p.name for p in (tmp_path / "g").iterdir()] == ["one.png"]
    assert "wrote" in globbed.stdout


def test_existing_outputs_are_kept_unless_overwrite(gray_folder, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    Image.new("RGB", (3, 3)).save(out / "one.png")
    refused = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size", "64")
    assert refused.returncode == 1 and "exists (use --overwrite)" in refused.stderr
    assert Image.open(out / "one.png").size == (3, 3)
    replaced = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out), "--size",
                        "64", "--overwrite")
    assert replaced.returncode == 0
    assert Image.open(out / "one.png").size == (120, 90)


def test_pixel_limit_and_usage_errors(gray_folder, tmp_path):
    limited = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "o"),
                       "--max-pixels", "1000")
    assert limited.returncode == 1 and "over the limit" in limited.stderr
    missing = colorgan("colorize", str(tmp_path / "nothing*.png"), "-o", str(tmp_path / "o"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad_option = colorgan("colorize", str(gray_folder), "--quality", "0")
    assert bad_option.returncode == 2
    # Checked before the model is read: the missing model file is never reached.
    too_vivid = colorgan("colorize", str(gray_folder), "--vividness", "4",
                         "--model", str(tmp_path / "no-such-model.safetensors"))
    assert too_vivid.returncode == 2 and "vividness must be between 0 and 3" in too_vivid.stderr


def test_vividness_zero_writes_a_gray_photo(gray_folder, tmp_path):
    spreads = []
    for vividness in ("1", "0"):
        out = tmp_path / vividness
        result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(out),
                          "--size", "64", "--vividness", vividness)
        assert result.returncode == 0, result.stderr
        colored = np.asarray(Image.open(out / "one.png"), int)
        spreads.append(np.abs(colored - colored[..., :1]).max())
    assert spreads[0] > 5 and spreads[1] <= 1


def test_model_option_uses_a_training_export(gray_folder, tmp_path):
    from colorgan.colorize import bundled_weights_path

    export = colorgan("export", str(bundled_weights_path()), str(tmp_path / "m.safetensors"))
    assert export.returncode == 0, export.stderr
    result = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "o"),
                      "--model", str(tmp_path / "m.safetensors"), "--size", "64")
    assert result.returncode == 0, result.stderr
    broken = colorgan("colorize", str(gray_folder / "one.png"), "-o", str(tmp_path / "p"),
                      "--model", str(tmp_path / "none.safetensors"))
    assert broken.returncode == 1 and "no such model file" in broken.stderr


def test_export_sets_the_temperature_of_a_binned_model_only(tmp_path):
    from colorgan.checkpoint import export_generator
    from colorgan.colorize import read_model
    from colorgan.models import get_preset

    binned = tmp_path / "binned.safetensors"
    export_generator(binned, get_preset("efficientnet-bins").build_generator(False).state_dict(),
                     {"preset": "efficientnet-bins"})
    result = colorgan("export", str(binned), str(tmp_path / "vivid.safetensors"),
                      "--temperature", "0.25", "--half")
    assert result.returncode == 0, result.stderr
    weights, config = read_model(tmp_path / "vivid.safetensors")
    assert float(weights["bins.temperature"]) == pytest.approx(0.25, rel=1e-3)
    assert config["temperature"] == 0.25
    refused = colorgan("export", str(binned), str(tmp_path / "x.safetensors"),
                       "--temperature", "1.5")
    assert refused.returncode == 2 and "must be in (0, 1]" in refused.stderr
    regression = tmp_path / "regression.safetensors"
    export_generator(regression, get_preset("efficientnet-unet").build_generator(False)
                     .state_dict(), {"preset": "efficientnet-unet"})
    refused = colorgan("export", str(regression), str(tmp_path / "y.safetensors"),
                       "--temperature", "0.5")
    assert refused.returncode == 2 and "only a model with binned chroma" in refused.stderr
