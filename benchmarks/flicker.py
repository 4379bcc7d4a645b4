"""Video flicker with chroma smoothing off and on, on a clip made here (grain, motion, a cut).

Flicker: mean frame-to-frame change of ab (CIELAB) where the lightness barely changes.
Lag: mean ab distance between the smoothed and unsmoothed result where the picture moves.
Run: python benchmarks/flicker.py (from the repository root)
"""

import sys
import tempfile
from pathlib import Path

import av
import numpy as np
from skimage.color import rgb2lab

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.videos import make_clip  # noqa: E402

from colorgan.evaluation.metrics import frame_to_frame_chroma_change  # noqa: E402
from colorgan.inference.colorize import Colorizer  # noqa: E402
from colorgan.inference.video import DEFAULT_TEMPORAL, ChromaSmoother, colorize_frames  # noqa: E402

FRAMES, CUT_AT, SIZE = 72, 36, (256, 192)


def motion_lag(frames: list[np.ndarray], smoothed: list[np.ndarray],
               unsmoothed: list[np.ndarray]) -> float:
    lags = []
    for index in range(1, len(frames)):
        light = rgb2lab(frames[index] / 255)[..., 0] - rgb2lab(frames[index - 1] / 255)[..., 0]
        moving = np.abs(light) > 10
        if moving.any() and index != CUT_AT:
            ab = rgb2lab(smoothed[index] / 255)[..., 1:] - rgb2lab(unsmoothed[index] / 255)[..., 1:]
            lags.append(np.linalg.norm(ab, axis=-1)[moving].mean())
    return float(np.mean(lags))


def main() -> None:
    colorizer = Colorizer.load(device="cpu")
    with tempfile.TemporaryDirectory() as folder:
        clip = make_clip(Path(folder) / "clip.mp4", frames=FRAMES, size=SIZE, fps=24,
                         cut_at=CUT_AT, audio=False)
        with av.open(str(clip)) as container:
            frames = [frame.to_ndarray(format="rgb24") for frame in container.decode(video=0)]
    print(f"clip: {FRAMES} frames of {SIZE[0]}x{SIZE[1]}, a disc moving over a grainy scene, "
          f"a cut at frame {CUT_AT}; working size 128\n")
    print("| temporal | flicker (still areas) | change in moving areas | lag vs. off | "
          "cuts detected |")
    print("|---|---|---|---|---|")
    baseline = None
    for strength in (0.0, 0.5, DEFAULT_TEMPORAL, 0.95):
        smoother = ChromaSmoother(strength)
        output = colorize_frames(colorizer, frames, 128, smoother)
        baseline = baseline or (output, frame_to_frame_chroma_change(output)[0])
        flicker, moving = frame_to_frame_chroma_change(output)
        lag = motion_lag(frames, output, baseline[0])
        print(f"| {strength:g} | {flicker:.2f} ({baseline[1] / flicker:.1f}x less) | "
              f"{moving:.2f} | {lag:.2f} | {smoother.cuts} |", flush=True)


if __name__ == "__main__":
    main()
