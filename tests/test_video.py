import subprocess
import sys
import time

import av
import numpy as np
import pytest
import torch

from colorgan.evaluation.metrics import frame_to_frame_chroma_change
from colorgan.inference.colorize import Colorizer
from colorgan.inference.video import (
    DEFAULT_TEMPORAL,
    ChromaSmoother,
    VideoError,
    colorize_frames,
    colorize_video,
)
from tests.videos import corrupt_middle, joined_clips, make_clip


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    return Colorizer.load(device="cpu")


def frames_of(path) -> list[np.ndarray]:
    with av.open(str(path)) as container:
        return [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]


def test_output_keeps_frames_rate_size_duration_and_audio(colorizer, tmp_path):
    clip = make_clip(tmp_path / "film.mp4", frames=20, size=(96, 72), fps=10)
    out = tmp_path / "out" / "film.mp4"
    assert colorize_video(colorizer, clip, out, size=64) == 20
    with av.open(str(out)) as result, av.open(str(clip)) as original:
        video, source = result.streams.video[0], original.streams.video[0]
        assert (video.width, video.height) == (96, 72)
        assert video.average_rate == source.average_rate == 10
        assert video.frames == 20
        assert result.streams.audio and result.streams.audio[0].codec_context.name == "aac"
        assert abs(result.duration - original.duration) < 0.15 * 1e6
    assert [p.name for p in out.parent.iterdir()] == ["film.mp4"]


def test_smoothing_reduces_flicker(colorizer, tmp_path):
    frames = frames_of(make_clip(tmp_path / "grainy.mp4", frames=24, size=(96, 72),
                                 audio=False))
    off = colorize_frames(colorizer, frames, 64, ChromaSmoother(0))
    on = colorize_frames(colorizer, frames, 64, ChromaSmoother(DEFAULT_TEMPORAL))
    flicker_off, _ = frame_to_frame_chroma_change(off)
    flicker_on, _ = frame_to_frame_chroma_change(on)
    assert flicker_on < flicker_off / 2  # benchmarks/flicker.py measures the full effect


def test_scene_cut_resets_the_smoothing():
    smoother = ChromaSmoother(0.9)
    dark, bright = torch.full((1, 8, 8), -0.8), torch.full((1, 8, 8), 0.6)
    first, second = torch.full((2, 8, 8), 0.3), torch.full((2, 8, 8), -0.3)
    smoother(dark, first)
    assert torch.allclose(smoother(dark, second), 0.9 * first + 0.1 * second)
    assert torch.equal(smoother(bright, second), second)  # a cut: no color carried over
    assert smoother.cuts == 1


def test_motion_is_followed_without_lag():
    smoother = ChromaSmoother(0.9)
    still = torch.zeros(1, 16, 16)
    moved = still.clone()
    moved[..., 6:9, 6:9] = 0.8  # a small patch changed a lot: something moved there
    smoother(still, torch.zeros(2, 16, 16))
    result = smoother(moved, torch.ones(2, 16, 16))
    assert result[:, 7, 7].min() > 0.99  # the moving thing takes its new color at once
    assert result[:, :3, :3].max() < 0.11  # the still background stays smoothed
    assert smoother.cuts == 0


@pytest.mark.parametrize("content, message", [(b"", "not a video"),
                                              (b"definitely not a video" * 50, "not a video")])
def test_non_videos_get_a_clear_error(colorizer, tmp_path, content, message):
    path = tmp_path / "fake.mp4"
    path.write_bytes(content)
    with pytest.raises(VideoError, match=message):
        colorize_video(colorizer, path, tmp_path / "out.mp4")
    assert not (tmp_path / "out.mp4").exists()


def test_video_frames_are_held_to_the_pixel_limit_before_any_is_decoded(colorizer, tmp_path):
    clip = make_clip(tmp_path / "clip.mp4")
    with pytest.raises(VideoError, match="over the limit of 1,000 pixels"):
        colorize_video(colorizer, clip, tmp_path / "out.mp4", 64, max_pixels=1000)
    assert not (tmp_path / "out.mp4").exists()


def test_audio_only_file_has_no_video_stream(colorizer, tmp_path):
    path = tmp_path / "sound.mp4"
    with av.open(str(path), "w") as container:
        stream = container.add_stream("aac", rate=44100)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 1024), np.float32), format="flt",
                                           layout="mono")
        frame.sample_rate = 44100
        container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    with pytest.raises(VideoError, match="no video stream"):
        colorize_video(colorizer, path, tmp_path / "out.mp4")


def test_truncated_video_fails_or_keeps_what_decodes_without_leaving_partial_files(colorizer,
                                                                                   tmp_path):
    clip = make_clip(tmp_path / "whole.mp4", frames=24, audio=False)
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[:2000])
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(VideoError, match="cut.mp4"):
        colorize_video(colorizer, cut, out / "cut.mp4")
    assert list(out.iterdir()) == []


def test_an_interrupted_video_leaves_nothing_at_the_output(colorizer, tmp_path, monkeypatch):
    clip = make_clip(tmp_path / "long.mp4", frames=24, audio=False)
    calls = []

    def interrupt_on_second_batch(luminances, batch_size=8):
        calls.append(1)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return [torch.zeros(2, *luminance.shape[-2:]) for luminance in luminances]

    monkeypatch.setattr(colorizer, "working_chroma", interrupt_on_second_batch)
    out = tmp_path / "out"
    with pytest.raises(KeyboardInterrupt):
        colorize_video(colorizer, clip, out / "long.mp4")
    assert list(out.iterdir()) == []


@pytest.mark.slow
def test_cli_colors_a_video_inside_a_folder_with_photos(tmp_path):
    folder = tmp_path / "inputs"
    folder.mkdir()
    make_clip(folder / "film.mp4", frames=8, size=(64, 48))
    (folder / "broken.mov").write_bytes(b"nope")
    result = subprocess.run([sys.executable, "-m", "colorgan.cli", "colorize", str(folder), "-o",
                             str(tmp_path / "out"), "--size", "64", "--temporal", "0.5"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 1
    assert "broken.mov: not a video" in result.stderr
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["film.mp4"]
    assert len(frames_of(tmp_path / "out" / "film.mp4")) == 8


def test_undecodable_packets_are_skipped_with_a_warning_that_counts_them(colorizer, tmp_path,
                                                                         capsys):
    clip = make_clip(tmp_path / "whole.mp4", frames=50, audio=False)
    damaged = corrupt_middle(clip, tmp_path / "damaged.mp4")
    written = colorize_video(colorizer, damaged, tmp_path / "out.mp4", size=64)
    assert 40 <= written < 50
    assert len(frames_of(tmp_path / "out.mp4")) == written
    assert "damaged.mp4: 2 undecodable packet(s) skipped" in capsys.readouterr().err


def test_frames_of_another_size_are_scaled_to_the_first_frames(colorizer, tmp_path, capsys):
    joined = joined_clips(tmp_path / "joined.mpg", [(64, 48), (80, 64)])
    assert colorize_video(colorizer, joined, tmp_path / "out.mp4", size=64) == 12
    frames = frames_of(tmp_path / "out.mp4")
    assert len(frames) == 12 and {frame.shape for frame in frames} == {(48, 64, 3)}
    assert "6 frame(s) of another size" in capsys.readouterr().err


def test_a_video_with_no_decodable_frame_leaves_nothing_at_the_output(colorizer, tmp_path):
    clip = make_clip(tmp_path / "whole.mp4", frames=8, audio=False)
    data = bytearray(clip.read_bytes())
    mdat = data.index(b"mdat") + 4
    data[mdat:mdat + 3000] = b"\xff" * 3000  # every packet of this short clip
    (tmp_path / "ruined.mp4").write_bytes(bytes(data))
    out = tmp_path / "out"
    with pytest.raises(VideoError, match="ruined.mp4"):
        colorize_video(colorizer, tmp_path / "ruined.mp4", out / "ruined.mp4", size=64)
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.slow
def test_sigterm_during_a_video_leaves_no_temporary_file_and_says_so(tmp_path):
    clip = make_clip(tmp_path / "long.mp4", frames=400, size=(320, 240), audio=False)
    out = tmp_path / "out"
    process = subprocess.Popen([sys.executable, "-m", "colorgan.cli", "colorize", str(clip),
                                "-o", str(out), "--size", "64"], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 300
    while not (out.exists() and any(p.name.endswith(".tmp") for p in out.iterdir())):
        assert process.poll() is None, process.stderr.read().decode()
        assert time.monotonic() < deadline, "no video was being written after 5 minutes"
        time.sleep(0.01)
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and b"interrupted" in stderr
    assert list(out.iterdir()) == []
