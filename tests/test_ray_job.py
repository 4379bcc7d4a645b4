"""`colorgan colorize --engine ray` on a local Ray instance: run alone with `pytest -m ray`."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from tests.conftest import color_photo

pytestmark = pytest.mark.ray
pytest.importorskip("ray")


def colorgan(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "colorgan.cli", *args], capture_output=True,
                          text=True, timeout=600)


def manifest(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "colorgan-manifest.jsonl").read_text()
            .splitlines()]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    """24 gray photos in a two-level tree (names repeat across folders), and three bad files."""
    root = tmp_path / "archive"
    for index in range(24):
        folder = root / f"box{index % 3}" / ("loose" if index % 2 else "")
        folder.mkdir(parents=True, exist_ok=True)
        color_photo(index, (96 + index, 72)).convert("L").save(folder / f"scan{index // 6}.png")
    (root / "box0" / "torn.jpg").write_bytes(b"\xff\xd8\xff\xe0 not really a jpeg")
    (root / "box1" / "empty.png").write_bytes(b"")
    (root / "box2" / "odd.jpg").write_bytes(b"P6\nabc def\n255\n" + bytes(12))
    return root


def test_a_ray_job_colors_each_photo_once_as_the_local_engine_does(archive, tmp_path):
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    assert colorgan("colorize", str(archive), "-r", "-o", str(local), "--size", "64"
                    ).returncode == 1
    result = colorgan("colorize", str(archive), "-r", "-o", str(cluster), "--size", "64",
                      "--engine", "ray", "--workers", "2")
    assert result.returncode == 1, result.stderr[-3000:]
    assert "done 24, failed 3" in result.stdout
    rows = manifest(cluster)
    assert len(rows) == 27 and len({row["path"] for row in rows}) == 27
    assert sorted(Path(row["path"]).name for row in rows if row["status"] == "failed") == [
        "empty.png", "odd.jpg", "torn.jpg"]
    written = sorted(p.relative_to(cluster) for p in cluster.rglob("*.png"))
    assert written == sorted(p.relative_to(local) for p in local.rglob("*.png"))
    assert len(written) == 24
    for relative in written:
        assert (cluster / relative).read_bytes() == (local / relative).read_bytes()
    for bad in ("box0/torn.jpg", "box1/empty.png", "box2/odd.jpg"):
        (archive / bad).unlink()  # as an archivist would, after reading the manifest
    latest_session = Path(tempfile.gettempdir()) / "ray" / "session_latest"
    session = latest_session.resolve()
    rerun = colorgan("colorize", str(archive), "-r", "-o", str(cluster), "--size", "64",
                     "--engine", "ray", "--skip-existing")
    assert rerun.returncode == 0 and "done 0, skipped 24, failed 0" in rerun.stdout
    assert latest_session.resolve() == session  # no model work: Ray was not even started
    assert [row["status"] for row in manifest(cluster)[27:]].count("skipped") == 24


def test_a_killed_worker_costs_nothing_but_time(archive, tmp_path):
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "colorgan.cli", "colorize", str(archive), "-r", "-o", str(out),
         "--size", "256", "--engine", "ray", "--workers", "2", "--backend", "torch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 300
    while not (out.exists() and any(out.rglob("*.png"))):
        assert process.poll() is None and time.monotonic() < deadline
        time.sleep(0.2)
    workers = subprocess.run(["pgrep", "-f", "MapWorker"], capture_output=True,
                             text=True).stdout.split()
    assert workers, "no Ray actor process found"
    os.kill(int(workers[0]), signal.SIGKILL)
    stdout, stderr = process.communicate(timeout=600)
    assert process.returncode == 1, stderr[-3000:]
    rows = manifest(out)
    ok = [row["path"] for row in rows if row["status"] == "ok"]
    assert len(ok) == 24 and len(set(ok)) == 24
    assert len(list(out.rglob("*.png"))) == 24


def test_an_archive_named_by_uris_is_colored_as_from_paths(archive, tmp_path):
    # file:// goes through pyarrow's file systems, as an object store's s3:// does.
    local, cluster = tmp_path / "local", tmp_path / "cluster"
    assert colorgan("colorize", str(archive), "-r", "-o", str(local), "--size", "64"
                    ).returncode == 1
    driver = tmp_path / "driver"
    driver.mkdir()
    result = subprocess.run(
        [sys.executable, "-m", "colorgan.cli", "colorize", archive.as_uri(), "-r", "-o",
         cluster.as_uri(), "--size", "64", "--engine", "ray", "--workers", "2"],
        capture_output=True, text=True, timeout=600, cwd=driver)
    assert result.returncode == 1, result.stderr[-3000:]
    assert "done 24, failed 3" in result.stdout
    rows = manifest(cluster)  # copied into the destination at the end ...
    assert (driver / "colorgan-manifest.jsonl").read_text() == (
        cluster / "colorgan-manifest.jsonl").read_text()  # ... from the one kept as it went
    assert len(rows) == 27 and all(row["path"].startswith("file:///") for row in rows)
    for row in rows:
        if row["status"] == "ok":
            output = Path(row["output"].removeprefix("file://"))
            assert output.read_bytes() == (local / output.relative_to(cluster)).read_bytes()
    assert len(list(cluster.rglob("*.png"))) == 24
