"""`colorgan pack`: a compact copy of training folders that training reads like the originals."""

import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from colorgan.cli import main
from colorgan.evaluation.photos import scan_images
from colorgan.inference.imageio import find_images
from colorgan.training.data import source_indices
from tests.conftest import color_photo


def test_the_copy_keeps_each_folder_apart_and_shrinks_only_large_photos(photo_folder, tmp_path):
    coast = tmp_path / "coast"
    coast.mkdir()
    color_photo(5, (600, 400)).save(coast / "wide.png")
    color_photo(5, (600, 400)).save(coast / "wide.jpg", quality=95)
    out = tmp_path / "packed"

    assert main(["pack", str(photo_folder), str(coast), "--out", str(out),
                 "--max-side", "100"]) == 1  # photo_folder holds two broken files

    assert {p.name for p in (out / "coast").iterdir()} == {"wide.png.webp", "wide.jpg.webp"}
    with Image.open(out / "coast" / "wide.png.webp") as wide:
        assert wide.size == (150, 100) and wide.format == "WEBP"
    with Image.open(out / "photos" / "nested" / "photo00.png.webp") as small:
        assert small.size == (96, 80)
    original = np.asarray(color_photo(3), dtype=float)
    with Image.open(out / "photos" / "nested" / "photo03.png.webp") as copy:
        shrunk = np.asarray(copy.convert("RGB"), dtype=float)
    assert abs(shrunk.mean(axis=(0, 1)) - original.mean(axis=(0, 1))).max() < 4

    packed = scan_images([out / "photos", out / "coast"], warn=False).kept
    assert len(packed) == 14  # 12 colour photos + the two wide ones; the gray one is left out
    assert np.bincount(source_indices(packed, [out / "photos", out / "coast"])).tolist() == [12, 2]


def test_unreadable_files_are_named_and_skipped(photo_folder, tmp_path, capsys):
    out = tmp_path / "packed"
    assert main(["pack", str(photo_folder), "--out", str(out)]) == 1
    captured = capsys.readouterr()
    assert "broken.jpg" in captured.err and "empty.png" in captured.err
    assert "13 photos written" in captured.out and "2 unreadable skipped" in captured.out
    assert len(find_images([out])) == 13
    assert not list(out.rglob("*.tmp*"))


def test_folders_that_cannot_be_packed_side_by_side_are_refused(photo_folder, tmp_path, capsys):
    twin = tmp_path / "elsewhere" / "photos"
    twin.mkdir(parents=True)
    color_photo(1).save(twin / "a.png")
    assert main(["pack", str(photo_folder), str(twin), "--out", str(tmp_path / "o")]) == 1
    assert "same name" in capsys.readouterr().err
    assert main(["pack", str(photo_folder), "--out", str(photo_folder / "copy")]) == 1
    assert "inside the source" in capsys.readouterr().err
    assert main(["pack", str(twin / "a.png"), "--out", str(tmp_path / "o")]) == 1
    assert "not a folder" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_share_of_the_photos_over_the_chroma_floor_fits_a_size_limit(tmp_path, capsys):
    source = tmp_path / "mixed"
    source.mkdir()
    for seed in range(10):
        color_photo(seed).save(source / f"color{seed}.png")
    muted = np.asarray(color_photo(11), dtype=float)
    gray = muted.mean(axis=2, keepdims=True)
    Image.fromarray((gray + 0.1 * (muted - gray)).astype(np.uint8)).save(source / "muted.png")

    def packed(*options: str) -> set[str]:
        out = tmp_path / "-".join(("packed", *options))
        assert main(["pack", str(source), "--out", str(out), *options]) == 0
        return {p.name for p in (out / "mixed").iterdir()}

    everything = packed()
    assert "muted.png.webp" in everything and len(everything) == 11
    over_floor = packed("--min-chroma", "10")
    assert over_floor == everything - {"muted.png.webp"}
    assert "1 left out" in capsys.readouterr().out
    half = packed("--min-chroma", "10", "--share", "0.5")
    assert len(half) == 5 and half < over_floor
    assert packed("--min-chroma", "10", "--share", "0.5", "--seed", "0") == half  # seeded
    assert packed("--min-chroma", "10", "--share", "0.5", "--seed", "1") != half


def test_a_share_outside_zero_to_one_is_a_usage_error(photo_folder, tmp_path, capsys):
    for share in ("0", "1.5", "nan"):
        with pytest.raises(SystemExit) as stop:
            main(["pack", str(photo_folder), "--out", str(tmp_path / "o"), "--share", share])
        assert stop.value.code == 2 and "--share" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_plain_pack_needs_no_pytorch(photo_folder, tmp_path):
    """Preparing data for a GPU job starts at once: only the chroma floor takes PyTorch."""
    out = tmp_path / "packed"
    script = ("import runpy, sys; sys.modules['torch'] = None; "
              "sys.argv = ['colorgan', 'pack', sys.argv[1], '--out', sys.argv[2]]; "
              "runpy.run_module('colorgan.cli', run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", script, str(photo_folder), str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr  # 1: the folder's two broken files
    assert "13 photos written" in result.stdout
    assert len(find_images([out])) == 13
