"""Colorizing videos: frames stream through in batches, chroma is smoothed over time.

Per-frame colorizers flicker: a still wall changes color from frame to frame. Here the
chroma is averaged over time where the picture holds still, follows at once where it moves,
and starts afresh at scene cuts.

PyAV is imported where a video is opened, so that the commands that never touch one (training
on a bare GPU machine, say) run without it.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image
from torch.nn import functional
from tqdm import tqdm

from colorgan.atomic import atomic_write
from colorgan.color import lightness
from colorgan.inference.colorize import Colorizer, finish, working_luminance
from colorgan.inference.imageio import ImageReadError, check_pixels
from colorgan.inference.planes import to_planes
from colorgan.settings import DEFAULT_MAX_PIXELS, DEFAULT_TEMPORAL

if TYPE_CHECKING:
    import av

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg"}
FRAME_BATCH = 8


class VideoError(ValueError):
    """A file that cannot be read as a video, with the reason."""


class ChromaSmoother:
    """Exponential moving average of chroma, per pixel, at the working size.

    A pixel keeps `strength` of its previous chroma where its luminance is unchanged, less
    where it changed (motion: no lag), and nothing after a scene cut.
    """

    def __init__(self, strength: float, cut_threshold: float = 0.12,
                 motion_scale: float = 0.05):
        if not 0 <= strength < 1:
            raise ValueError(f"temporal strength must be in [0, 1), not {strength}")
        self.strength, self.cut_threshold, self.motion_scale = strength, cut_threshold, motion_scale
        self.luminance: torch.Tensor | None = None
        self.chroma: torch.Tensor | None = None
        self.cuts = 0

    def is_cut(self, luminance: torch.Tensor) -> bool:
        """A new shot: the whole picture changed at once."""
        return float((luminance - self.luminance).abs().mean()) > self.cut_threshold

    def __call__(self, luminance: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
        fresh = (self.luminance is None or self.luminance.shape != luminance.shape)
        if not fresh and self.is_cut(luminance):
            self.cuts += 1
            fresh = True
        if fresh or self.strength == 0:
            smoothed = chroma
        else:
            # Averaged over a neighborhood, film grain cancels out; a moving edge does not.
            motion = functional.avg_pool2d((luminance - self.luminance)[None], 5, 1, 2,
                                           count_include_pad=False)[0].abs()
            keep = self.strength * torch.exp(-motion / self.motion_scale)
            smoothed = keep * self.chroma + (1 - keep) * chroma
        self.luminance, self.chroma = luminance, smoothed
        return smoothed


def _open(source: Path) -> av.container.InputContainer:
    import av

    try:
        container = av.open(str(source))
    except av.error.InvalidDataError as error:
        raise VideoError(f"{source}: not a video or a broken one ({error})") from None
    except FileNotFoundError:
        raise VideoError(f"{source}: no such file") from None
    except av.error.FFmpegError as error:
        raise VideoError(f"{source}: cannot read ({error})") from None
    if not container.streams.video:
        container.close()
        raise VideoError(f"{source}: has no video stream")
    return container


@dataclass
class Damage:
    """What a damaged video cost: packets that did not decode, frames of another size."""

    packets: int = 0
    resized: int = 0

    def warning(self, source: Path) -> str | None:
        parts = [f"{count} {what}" for count, what in (
            (self.packets, "undecodable packet(s) skipped"),
            (self.resized, "frame(s) of another size scaled to the first frame's"))
            if count]
        return f"warning: {source}: {', '.join(parts)}" if parts else None


class FrameClock:
    """Strictly rising frame times: joined clips restart theirs, and a muxer refuses that."""

    def __init__(self, stream: av.VideoStream):
        rate = stream.average_rate or 25
        self.step = max(1, round(1 / (rate * stream.time_base))) if stream.time_base else 1
        self.last: int | None = None

    def __call__(self, pts: int | None) -> int:
        if pts is None or (self.last is not None and pts <= self.last):
            pts = 0 if self.last is None else self.last + self.step
        self.last = pts
        return pts


def _batches(container, video_stream, audio_stream, output, output_audio, damage: Damage
             ) -> Iterator[list[av.VideoFrame]]:
    # Audio packets are copied as they come; video frames leave in batches, all of the
    # stream's declared size. A packet that does not decode costs its frames, not the video.
    import av

    batch: list[av.VideoFrame] = []
    width, height = video_stream.width, video_stream.height  # the decoder's change as it goes
    streams = [video_stream] + ([audio_stream] if audio_stream is not None else [])
    for packet in container.demux(*streams):
        if packet.stream is audio_stream:
            if packet.dts is not None:
                packet.stream = output_audio
                output.mux(packet)
            continue
        try:
            frames = packet.decode()
        except av.error.FFmpegError:
            damage.packets += 1
            continue
        for frame in frames:
            if (frame.width, frame.height) != (width, height):
                damage.resized += 1
                frame = frame.reformat(width=width, height=height)
            batch.append(frame)
            if len(batch) == FRAME_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def colorize_video(colorizer: Colorizer, source: Path, target: Path,
                   size: int = 256, temporal: float = DEFAULT_TEMPORAL,
                   max_pixels: int = DEFAULT_MAX_PIXELS) -> int:
    """Write `source` colorized to `target` (H.264 MP4, audio copied); returns frames written.

    Nothing appears at `target` unless the whole video was written. Frames are held to the
    limits photos are (max_pixels, the aspect ratio), checked before any is decoded.
    """
    import av

    smoother = ChromaSmoother(temporal)
    container = _open(source)
    stream = container.streams.video[0]
    try:
        check_pixels(stream.width, stream.height, max_pixels, str(source))
    except ImageReadError as error:
        container.close()
        raise VideoError(str(error)) from None
    damage = Damage()
    clock = FrameClock(container.streams.video[0])
    written = 0

    def write(temporary: Path) -> None:
        nonlocal written
        video_in = container.streams.video[0]
        audio_in = container.streams.audio[0] if container.streams.audio else None
        with av.open(str(temporary), "w", format="mp4") as output:
            video_out = output.add_stream("libx264", rate=video_in.average_rate or 25)
            video_out.width, video_out.height = video_in.width, video_in.height
            even = video_in.width % 2 == 0 and video_in.height % 2 == 0
            video_out.pix_fmt = "yuv420p" if even else "yuv444p"
            video_out.time_base = video_in.time_base
            video_out.options = {"crf": "18"}  # visually lossless: keep the colors we computed
            audio_out = output.add_stream_from_template(audio_in) if audio_in else None
            progress = tqdm(total=video_in.frames or None, unit="frame", desc=source.name)
            for frames in _batches(container, video_in, audio_in, output, audio_out, damage):
                pictures = [frame.to_ndarray(format="rgb24") for frame in frames]
                for frame, rgb in zip(frames, colorize_frames(colorizer, pictures, size,
                                                              smoother), strict=True):
                    encoded = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                    encoded.pts, encoded.time_base = clock(frame.pts), video_in.time_base
                    output.mux(video_out.encode(encoded))
                written += len(frames)
                progress.update(len(frames))
            progress.close()
            if written == 0:  # raised before the rename: nothing appears at the target
                raise VideoError(f"{source}: no frames could be decoded")
            output.mux(video_out.encode(None))

    try:
        atomic_write(target, write)
    except av.error.FFmpegError as error:
        # PyAV names the file it was writing, our temporary one: say what failed instead.
        raise VideoError(f"{source}: cannot color this video after {written} frame(s) "
                         f"({error.strerror or type(error).__name__})") from None
    finally:
        container.close()
    if warning := damage.warning(source):
        tqdm.write(warning, file=sys.stderr)
    return written


def colorize_frames(colorizer: Colorizer, frames: list[np.ndarray], size: int,
                    smoother: ChromaSmoother) -> list[np.ndarray]:
    """Consecutive RGB frames (H, W, 3) in color, each keeping its own lightness."""
    planes = [to_planes(Image.fromarray(frame)) for frame in frames]
    lightnesses = [lightness(plane.values) for plane in planes]
    luminances = [working_luminance(light, size) for light in lightnesses]
    chromas = colorizer.working_chroma(luminances)
    return [np.asarray(finish(plane, light, smoother(luminance, chroma)))
            for plane, light, luminance, chroma
            in zip(planes, lightnesses, luminances, chromas, strict=True)]
