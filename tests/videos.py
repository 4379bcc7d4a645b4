"""Small generated test clips: moving shapes over a grainy scene, a sine tone, optional cut."""

from fractions import Fraction
from pathlib import Path

import av
import numpy as np


def scene(frame: int, width: int, height: int, second_shot: bool, rng) -> np.ndarray:
    yy, xx = np.mgrid[:height, :width]
    if second_shot:
        base = np.stack([40 + 0.3 * yy, 120 + 0.2 * xx, 200 - 0.3 * yy], axis=-1)
    else:
        base = np.stack([200 - 0.5 * yy, 150 + 0.2 * xx, 80 + 0.4 * yy], axis=-1)
    center_x = 20 + 2 * frame
    disc = (xx - center_x) ** 2 + (yy - height / 2) ** 2 < 15**2
    base[disc] = (30, 60, 220)
    grain = rng.normal(0, 6, (height, width, 1))  # film grain: the per-frame model input varies
    return np.clip(base + grain, 0, 255).astype(np.uint8)


def make_clip(path: Path, frames: int = 24, size: tuple[int, int] = (160, 120), fps: int = 12,
              cut_at: int | None = None, audio: bool = True) -> Path:
    """An H.264 MP4 of a disc moving over a grainy gradient, with a 440 Hz tone."""
    width, height = size
    rng = np.random.default_rng(0)
    with av.open(str(path), "w") as container:
        video = container.add_stream("libx264", rate=fps)
        video.width, video.height, video.pix_fmt = width, height, "yuv420p"
        sound = container.add_stream("aac", rate=44100) if audio else None
        for index in range(frames):
            rgb = scene(index, width, height, cut_at is not None and index >= cut_at, rng)
            container.mux(video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
        container.mux(video.encode(None))
        if sound is not None:
            samples = int(44100 * frames / fps)
            tone = (0.3 * np.sin(2 * np.pi * 440 * np.arange(samples) / 44100)).astype(np.float32)
            for start in range(0, samples, 1024):
                chunk = tone[None, start:start + 1024]
                frame = av.AudioFrame.from_ndarray(chunk, format="flt", layout="mono")
                frame.sample_rate, frame.pts = 44100, start
                frame.time_base = Fraction(1, 44100)
                container.mux(sound.encode(frame))
            container.mux(sound.encode(None))
    return path


def corrupt_middle(clip: Path, target: Path, length: int = 4000) -> Path:
    """A copy of the clip with bytes a third of the way in overwritten: packets that fail."""
    data = bytearray(clip.read_bytes())
    start = len(data) // 3
    data[start:start + length] = b"\xff" * length
    target.write_bytes(bytes(data))
    return target


def joined_clips(path: Path, sizes: list[tuple[int, int]], frames: int = 6) -> Path:
    """MPEG-TS clips of different sizes, joined byte for byte (as `cat a.ts b.ts` makes)."""
    parts = []
    for index, (width, height) in enumerate(sizes):
        part = path.with_name(f"{path.stem}-part{index}.ts")
        with av.open(str(part), "w", format="mpegts") as container:
            video = container.add_stream("libx264", rate=12)
            video.width, video.height, video.pix_fmt = width, height, "yuv420p"
            for frame in range(frames):
                rgb = np.full((height, width, 3), 60 + 10 * frame, np.uint8)
                container.mux(video.encode(av.VideoFrame.from_ndarray(rgb, format="rgb24")))
            container.mux(video.encode(None))
        parts.append(part.read_bytes())
        part.unlink()
    path.write_bytes(b"".join(parts))
    return path
