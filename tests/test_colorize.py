import numpy as np
import pytest
import torch
from PIL import Image

from colorgan.color import gray_rgb, lightness, rgb_to_model
from colorgan.inference.colorize import (
    Colorizer,
    bundled_weights_path,
    working_luminance,
    working_shape,
)
from colorgan.inference.planes import image_to_tensor, tensor_to_image, to_planes
from tests.conftest import color_photo


@pytest.fixture(scope="module")
def colorizer() -> Colorizer:
    return Colorizer.load(device="cpu", backend="torch")


def lightness_of(image: Image.Image) -> np.ndarray:
    return lightness(to_planes(image).values).numpy()


def test_bundled_weights_ship_inside_the_package():
    path = bundled_weights_path()
    assert path.is_file() and path.suffix == ".safetensors"
    assert "site-packages" in str(path) or "src/colorgan/weights" in str(path)


@pytest.mark.parametrize("size", [(300, 200), (97, 411), (64, 64)])
def test_output_keeps_the_input_size_and_lightness(colorizer, size):
    gray = color_photo(5, size).convert("L")
    result = colorizer.colorize(gray, size=64)
    assert result.size == size and result.mode == "RGB"
    difference = np.abs(lightness_of(result) - lightness_of(gray))
    assert difference.mean() < 0.5 and np.percentile(difference, 99) < 2.0


def test_output_has_color(colorizer):
    result = np.asarray(colorizer.colorize(color_photo(6, (128, 128)).convert("L"), 128))
    assert np.abs(result[..., 0].astype(int) - result[..., 2]).mean() > 1.0


def test_rgb_input_is_decolorized_first(colorizer, monkeypatch):
    photo = color_photo(7, (64, 64))
    luminance, _ = rgb_to_model(image_to_tensor(photo))
    same_lightness_gray = tensor_to_image(gray_rgb(luminance))
    seen = []
    predict = colorizer.predict_chroma
    monkeypatch.setattr(colorizer, "predict_chroma", lambda batch, hints=None:
                        seen.append(batch) or predict(batch, hints))
    colorizer.colorize(photo, 64)
    colorizer.colorize(same_lightness_gray, 64)
    from_rgb, from_gray = seen
    # The model never sees the original colors: its input is the lightness alone, equal to the
    # gray copy's up to the copy's 8-bit rounding (1/100 of the L range is 0.02 here).
    assert torch.allclose(from_rgb, from_gray, atol=0.02)
    assert (from_rgb - luminance[None]).abs().max() < 1e-5


def test_sepia_print_is_recolored_not_kept_sepia(colorizer):
    gray = np.asarray(color_photo(8, (64, 64)).convert("L"), np.float32)
    sepia = np.stack([gray * 1.0, gray * 0.85, gray * 0.65], axis=-1).astype(np.uint8)
    result = colorizer.colorize(sepia, 64)
    assert result.size == (64, 64)
    assert lightness_of(result).mean() == pytest.approx(lightness_of(Image.fromarray(sepia)).mean(),
                                                        abs=1.0)


def test_rgba_keeps_its_alpha(colorizer):
    photo = color_photo(9, (40, 30)).convert("RGBA")
    photo.putalpha(Image.linear_gradient("L").resize((40, 30)))
    result = colorizer.colorize(photo, 64)
    assert result.mode == "RGBA"
    assert np.array_equal(np.asarray(result)[..., 3], np.asarray(photo)[..., 3])


@pytest.mark.parametrize("make", [
    lambda: color_photo(1).convert("1"),
    lambda: color_photo(1).convert("LA"),
    lambda: color_photo(1).convert("L").convert("I;16"),
    lambda: color_photo(1).convert("P"),
    lambda: color_photo(1).convert("CMYK"),
    lambda: np.asarray(color_photo(1).convert("L")),
    lambda: np.asarray(color_photo(1), np.float32) / 255,
])
def test_every_input_kind_gives_a_color_image_of_its_size(colorizer, make):
    result = colorizer.colorize(make(), 64)
    assert result.size == (96, 80) and result.mode in ("RGB", "RGBA")


def test_batch_matches_single_images(colorizer):
    photos = [color_photo(i, (64, 48)).convert("L") for i in range(3)] + [
        color_photo(4, (50, 50)).convert("L")]
    batch = colorizer.colorize_batch(photos, size=64)
    for photo, result in zip(photos, batch, strict=True):
        single = np.asarray(colorizer.colorize(photo, 64), int)
        assert np.abs(np.asarray(result, int) - single).max() <= 2


def chroma_of(image: Image.Image) -> torch.Tensor:
    return rgb_to_model(image_to_tensor(image))[1]


def test_vividness_scales_the_colors_and_leaves_the_model_alone(colorizer):
    colorizer = colorizer.with_vividness(1.0)  # as trained, whatever the model's default
    gray = color_photo(12, (96, 64)).convert("L")
    plain = chroma_of(colorizer.colorize(gray, 64))
    vivid = chroma_of(colorizer.with_vividness(1.5).colorize(gray, 64))
    muted = np.asarray(colorizer.with_vividness(0.0).colorize(gray, 64), int)
    assert plain.abs().mean() > 0.01
    # The gain is exact on the model's chroma, clipped at the edge of its range...
    luminance = working_luminance(lightness(to_planes(gray).values), 64)
    model_chroma = colorizer.working_chroma([luminance])[0]
    assert torch.equal(colorizer.with_vividness(1.5).working_chroma([luminance])[0],
                       (model_chroma * 1.5).clamp(-1.0, 1.0))
    # ...and reaches the photo, where out-of-gamut colors clip and 8-bit rounding blurs it.
    assert vivid.abs().mean() / plain.abs().mean() > 1.3
    assert np.abs(muted - muted[..., :1]).max() <= 1  # vividness 0: the photo stays gray
    assert colorizer.vividness == 1.0
    assert torch.equal(chroma_of(colorizer.colorize(gray, 64)), plain)
    for wrong in (-0.1, 3.5):
        with pytest.raises(ValueError, match="vividness must be between 0 and 3"):
            colorizer.with_vividness(wrong)


def test_working_shape_keeps_aspect_and_never_upscales():
    assert working_shape(1000, 2000, 256) == (181, 362)
    assert working_shape(100, 50, 256) == (100, 50)
    assert working_shape(4000, 40, 256) == (2560, 32)  # 100:1, the most it takes
    with pytest.raises(ValueError, match="too long and thin"):
        working_shape(10000, 40, 256)


def test_load_a_training_run_and_refuse_junk(tmp_path, colorizer):
    from colorgan.inference.colorize import read_model
    from colorgan.models.files import export_generator

    # A loaded Colorizer runs a folded inference form; exports are of the trained weights.
    weights, config = read_model(bundled_weights_path())
    export_generator(tmp_path / "mine.safetensors", weights, config)
    mine = Colorizer.load(tmp_path / "mine.safetensors", device="cpu")
    luminance = torch.zeros(1, 1, 32, 32)
    assert torch.allclose(mine.predict_chroma(luminance), colorizer.predict_chroma(luminance))
    for junk in ("junk.pt", "junk.safetensors"):
        (tmp_path / junk).write_bytes(b"junk")
        with pytest.raises(ValueError, match="not a colorgan model"):
            Colorizer.load(tmp_path / junk)
    with pytest.raises(FileNotFoundError):
        Colorizer.load(tmp_path / "absent.safetensors")


def test_colorizer_is_importable_from_the_package():
    from colorgan import Colorizer as Exported

    assert Exported is Colorizer


@pytest.mark.parametrize("call, error, message", [
    (lambda c: c.colorize(np.zeros((0, 0))), ValueError, "has no pixels"),
    (lambda c: c.colorize(Image.new("L", (0, 5))), ValueError, "has no pixels"),
    (lambda c: c.colorize(np.zeros((8, 8)), size=0), ValueError, "size must be at least 32"),
    (lambda c: c.colorize(np.zeros((8, 8)), size=-3), ValueError, "size must be at least 32"),
    (lambda c: c.colorize(np.zeros((8, 8)), size=64.5), TypeError, "whole number"),
    (lambda c: c.colorize_batch([np.zeros((8, 8))], batch_size=0), ValueError,
     "batch_size must be at least 1"),
    (lambda c: c.colorize("photo.jpg"), TypeError, "PIL image or a numpy array"),
    (lambda c: c.colorize(np.full((8, 8), np.nan)), ValueError, "NaN"),
    (lambda c: c.colorize(np.full((8, 8), 1000)), ValueError, "outside 0-255"),
])
def test_public_functions_refuse_bad_arguments_with_a_sentence(call, error, message):
    with pytest.raises(error, match=message):
        call(Colorizer.load(device="cpu"))


def test_a_photo_too_long_and_thin_is_refused_by_the_python_api_too():
    from colorgan.inference.imageio import ImageTooLarge

    colorizer = Colorizer.load(device="cpu")
    with pytest.raises(ImageTooLarge, match="too long and thin"):
        colorizer.colorize(np.zeros((1, 300_000), np.uint8))
    assert colorizer.colorize(np.zeros((2, 200), np.uint8)).size == (200, 2)  # 100:1 is fine


def test_the_python_api_refuses_complex_pixels_and_hints_at_strings():
    from colorgan.inference.hints import Hint, HintError
    from colorgan.inference.imageio import ImageReadError

    colorizer = Colorizer.load(device="cpu")
    with pytest.raises(ImageReadError, match="real numbers"):
        colorizer.colorize(np.zeros((8, 8), np.complex64))
    for x in ("3", float("nan"), 10**400):
        with pytest.raises(HintError, match="x and y must be finite numbers"):
            colorizer.colorize(np.zeros((8, 8), np.uint8), hints=[Hint(x, 1, "#ff0000")])
