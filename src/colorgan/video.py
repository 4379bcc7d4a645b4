"""Colorizing videos: frames stream through in batches, chroma is smoothed over time.

Per-frame colorizers flicker: a still wall changes color from frame to frame. Here the
chroma is averaged over time where the picture holds still, follows at once where it moves,
and starts afresh at scene cuts.

PyAV is imported where a video is opened, so that the commands that never touch one (training
on a bare GPU machine, say) run without it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import torch
from PIL import Image
from torch.nn import functional
from tqdm import tqdm

from colorgan.checkpoint import atomic_write
from colorgan.color import lightness
from colorgan.colorize import Colorizer, finish, working_luminance
from colorgan.imageio import to_planes

if TYPE_CHECKING:
    import av

VIDEO_SUFFIXES = {".mp4", ".mov", ".mkv", ".avi", ".webm", ".m4v", ".mpg", ".mpeg"}
DEFAULT_TEMPORAL = 0.85
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


def _batches(container, video_stream, audio_stream, output, output_audio
             ) -> Iterator[list[av.VideoFrame]]:
    # Audio packets are copied as they come; video frames leave in batches.
    batch: list[av.VideoFrame] = []
    streams = [video_stream] + ([audio_stream] if audio_stream is not None else [])
    for packet in container.demux(*streams):
        if packet.stream is audio_stream:
            if packet.dts is not None:
                packet.stream = output_audio
                output.mux(packet)
            continue
        for frame in packet.decode():
            batch.append(frame)
            if len(batch) == FRAME_BATCH:
                yield batch
                batch = []
    if batch:
        yield batch


def colorize_video(colorizer: Colorizer, source: Path, target: Path,
                   size: int = 256, temporal: float = DEFAULT_TEMPORAL) -> int:
    """Write `source` colorized to `target` (H.264 MP4, audio copied); returns frames written.

    Nothing appears at `target` unless the whole video was written.
    """
    import av

    smoother = ChromaSmoother(temporal)
    container = _open(source)
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
            for frames in _batches(container, video_in, audio_in, output, audio_out):
                pictures = [frame.to_ndarray(format="rgb24") for frame in frames]
                for frame, rgb in zip(frames, colorize_frames(colorizer, pictures, size,
                                                              smoother), strict=True):
                    encoded = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                    encoded.pts, encoded.time_base = frame.pts, frame.time_base
                    output.mux(video_out.encode(encoded))
                written += len(frames)
                progress.update(len(frames))
            output.mux(video_out.encode(None))
            progress.close()

    try:
        atomic_write(target, write)
    except av.error.FFmpegError as error:
        raise VideoError(f"{source}: broken video ({error})") from None
    finally:
        container.close()
    if written == 0:
        raise VideoError(f"{source}: no frames could be decoded")
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
