"""Where the milliseconds of one photo go: each stage of Colorizer.colorize timed alone, the
way it ran before (kornia's conversions at full resolution, PyTorch's forward, Pillow's
PNG) beside the way it runs now (tables for 8-bit photos, ONNX Runtime, fpng), and the PNG
encoders.

Run: python benchmarks/colorize_stages.py [--megapixels 1] [--size 256]
"""

import argparse
import io
import sys
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from skimage import data

sys.path.insert(0, str(Path(__file__).parent))
from colorgan.color import AB_RANGE, compose_rgb, lab_to_rgb, lightness  # noqa: E402
from colorgan.inference.colorize import Colorizer, resize_planes, working_luminance  # noqa: E402
from colorgan.inference.imageio import encode_image, open_image  # noqa: E402
from colorgan.inference.planes import to_planes  # noqa: E402
from machine import best_time, describe_machine  # noqa: E402


def kornia_lightness(values: torch.Tensor) -> torch.Tensor:
    """The full-resolution L as it was computed before: kornia on float RGB."""
    return lightness(values.float() / 255.0)


def kornia_compose(light: torch.Tensor, chroma: torch.Tensor) -> torch.Tensor:
    """Lab to sRGB bytes as before: kornia's lab_to_rgb, then rounding."""
    lab = torch.cat([light[None], chroma.clamp(-1, 1) * AB_RANGE])
    return (lab_to_rgb(lab) * 255).round_().byte().permute(1, 2, 0)


def pillow_png(rgb: np.ndarray, level: int) -> bytes:
    """The PNG as Pillow writes it at a zlib level (colorgan wrote level 1 before fpng)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, "PNG", compress_level=level)
    return buffer.getvalue()


def sequence_medians(stages: list, rounds: int = 7) -> list[float]:
    """Each stage's median time when the stages run one after the other, as in colorize,
    rather than each repeated alone (which keeps its own data in the CPU's caches)."""
    times = [[] for _ in stages]
    for _ in range(rounds + 1):  # the first round warms up
        for stage, stage_times in zip(stages, times, strict=True):
            started = time.perf_counter()
            stage()
            stage_times.append(time.perf_counter() - started)
    return [float(np.median(stage_times[1:])) for stage_times in times]


def png_encoders(rgb: np.ndarray) -> list[tuple[str, float, int]]:
    """(encoder, seconds, bytes) for Pillow's zlib levels and the other writers installed."""
    results = []
    for level in (0, 1, 3, 6):
        def pillow(level=level):
            return pillow_png(rgb, level)
        results.append((f"Pillow zlib level {level}", best_time(pillow, 3), len(pillow())))
    try:
        import imagecodecs

        for name in ("png", "spng"):
            def encode(name=name):
                return getattr(imagecodecs, f"{name}_encode")(rgb, level=1)
            results.append((f"imagecodecs {name} level 1", best_time(encode, 3), len(encode())))
    except ImportError:
        results.append(("imagecodecs (not installed)", float("nan"), 0))
    try:
        import cv2

        def opencv():
            return cv2.imencode(".png", rgb[..., ::-1], [cv2.IMWRITE_PNG_COMPRESSION, 1])[1]
        results.append(("OpenCV level 1", best_time(opencv, 3), len(opencv())))
    except ImportError:
        results.append(("OpenCV (not installed)", float("nan"), 0))
    def fast_png():
        return encode_image(Image.fromarray(rgb), "PNG")
    results.append(("fpng (colorgan's writer)", best_time(fast_png, 3), len(fast_png())))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megapixels", type=float, default=1.0)
    parser.add_argument("--size", type=int, default=256, help="working size")
    args = parser.parse_args()
    width = round((args.megapixels * 1e6 * 3 / 2) ** 0.5)
    height = round(width * 2 / 3)
    buffer = io.BytesIO()
    Image.fromarray(data.astronaut()).convert("L").resize((width, height)).save(buffer, "JPEG",
                                                                                quality=90)
    photo_bytes = buffer.getvalue()
    torch_model, onnx_model = Colorizer.load(backend="torch"), Colorizer.load(backend="onnx")
    print(f"machine: {describe_machine()}; a {width}x{height} gray JPEG, working size "
          f"{args.size}\n")

    image = open_image(photo_bytes)
    planes = to_planes(image)
    light = lightness(planes.values)
    luminance = working_luminance(light, args.size)[None]
    chroma = onnx_model.predict_chroma(luminance)[0]
    full_chroma = resize_planes(chroma, (height, width))
    rgb = compose_rgb(light, full_chroma).numpy()
    assert torch.allclose(light, kornia_lightness(planes.values), atol=1e-3)
    stages = [
        ("decode JPEG", lambda: open_image(photo_bytes), None),
        ("L at full size", lambda: kornia_lightness(planes.values),
         lambda: lightness(planes.values)),
        ("L to working size", lambda: working_luminance(light, args.size), None),
        ("model forward", lambda: torch_model.predict_chroma(luminance),
         lambda: onnx_model.predict_chroma(luminance)),
        ("chroma to full size", lambda: resize_planes(chroma, (height, width)), None),
        ("Lab to sRGB bytes", lambda: kornia_compose(light, full_chroma),
         lambda: compose_rgb(light, full_chroma)),
        ("encode PNG", lambda: pillow_png(rgb, 1),
         lambda: encode_image(Image.fromarray(rgb), "PNG")),
    ]
    current = [now or before for _, before, now in stages]
    in_sequence = sequence_medians(current)
    print("| stage | before (kornia, PyTorch, Pillow) | now (tables, ONNX Runtime, fpng) "
          "| now, one stage after the other |")
    print("|---|---|---|---|")
    totals = [0.0, 0.0, 0.0]
    for (name, before, _), now, sequenced in zip(stages, current, in_sequence, strict=True):
        row = (best_time(before), best_time(now), sequenced)
        totals = [total + seconds for total, seconds in zip(totals, row, strict=True)]
        print(f"| {name} | " + " | ".join(f"{seconds * 1000:.1f} ms" for seconds in row) + " |")
    print("| **sum** | " + " | ".join(f"**{total * 1000:.0f} ms**" for total in totals) + " |")
    whole = {name: best_time(lambda model=model: encode_image(
        model.colorize(open_image(photo_bytes), args.size), "PNG"), 3)
        for name, model in (("torch", torch_model), ("onnx", onnx_model))}
    print(f"\nend to end, bytes in to PNG bytes out: {whole['onnx'] * 1000:.0f} ms with ONNX "
          f"Runtime, {whole['torch'] * 1000:.0f} ms with PyTorch\n")
    print("| PNG encoder | time | size |")
    print("|---|---|---|")
    for name, seconds, size in png_encoders(rgb):
        print(f"| {name} | {seconds * 1000:.0f} ms | {size / 1e6:.2f} MB |")


if __name__ == "__main__":
    main()
