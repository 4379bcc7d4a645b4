import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorgan.inference.imageio import (
    ImageReadError,
    ImageTooLarge,
    array_to_image,
    find_images,
    open_image,
    save_image,
)
from colorgan.inference.planes import to_planes
from tests.conftest import color_photo


def saved(image: Image.Image, path: Path, **options) -> Path:
    image.save(path, **options)
    return path


def test_exif_orientation_is_honored(tmp_path):
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise on display
    path = saved(color_photo(1, (60, 40)), tmp_path / "rotated.jpg", exif=exif)
    assert open_image(path).size == (40, 60)


def test_animated_gif_gives_its_first_frame(tmp_path):
    frames = [Image.new("L", (20, 10), shade) for shade in (10, 200, 90)]
    path = saved(frames[0], tmp_path / "anim.gif", save_all=True, append_images=frames[1:])
    image = open_image(path)
    assert image.size == (20, 10)
    assert to_planes(image).unit_values.max() < 0.1


@pytest.mark.parametrize("content, message", [
    (b"", "not an image"),
    (b"hello, I am text", "not an image"),
])
def test_non_images_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.png"
    path.write_bytes(content)
    with pytest.raises(ImageReadError, match=f"bad.png: {message}"):
        open_image(path)


def test_truncated_file_gets_a_clear_error(tmp_path):
    whole = io.BytesIO()
    color_photo(2, (200, 200)).save(whole, "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(whole.getvalue()[: len(whole.getvalue()) // 2])
    with pytest.raises(ImageReadError, match="cut.jpg: broken or truncated"):
        open_image(path)


def test_pixel_limit_refuses_before_decoding(tmp_path):
    path = saved(Image.new("L", (400, 300)), tmp_path / "big.png")
    with pytest.raises(ImageTooLarge, match="over the limit"):
        open_image(path, max_pixels=100_000)
    assert open_image(path, max_pixels=120_000).size == (400, 300)


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(ImageReadError, match="no such file"):
        open_image(tmp_path / "missing.png")
    with pytest.raises(ImageReadError, match="is a folder"):
        open_image(tmp_path)


@pytest.mark.parametrize("mode, channels, has_alpha", [
    ("1", 1, False), ("L", 1, False), ("LA", 1, True), ("I;16", 1, False), ("RGB", 3, False),
    ("RGBA", 3, True), ("P", 3, False), ("CMYK", 3, False),
])
def test_every_mode_becomes_unit_range_planes(mode, channels, has_alpha):
    base = color_photo(3, (30, 20))
    image = (base.convert("L").convert("I;16") if mode == "I;16"
             else base.convert(mode if mode != "LA" else "LA"))
    planes = to_planes(image)
    assert planes.values.shape == (channels, 20, 30)
    assert 0 <= planes.unit_values.min() and planes.unit_values.max() <= 1
    assert (planes.alpha is not None) == has_alpha


def test_sixteen_bit_gray_keeps_its_precision():
    ramp = np.linspace(0, 65535, 64 * 4).astype(np.uint16).reshape(4, 64)
    planes = to_planes(Image.fromarray(ramp))
    assert np.allclose(planes.values[0].numpy(), ramp / 65535, atol=1e-6)


def test_numpy_arrays_of_common_layouts():
    assert array_to_image(np.zeros((5, 6), np.uint8)).mode == "L"
    assert array_to_image(np.zeros((5, 6, 1), np.float32)).mode == "L"
    assert array_to_image(np.ones((5, 6, 3), np.float64)).getpixel((0, 0)) == (255, 255, 255)
    assert array_to_image(np.zeros((5, 6, 4), np.uint8)).mode == "RGBA"
    assert array_to_image(np.zeros((5, 6), np.uint16)).mode == "I;16"
    with pytest.raises(ImageReadError, match="not an image"):
        array_to_image(np.zeros((5, 6, 2)))


def test_save_is_atomic_and_leaves_no_temporary_files(tmp_path):
    target = tmp_path / "out.jpg"
    save_image(Image.new("RGBA", (8, 8), (1, 2, 3, 4)), target, quality=80)
    assert Image.open(target).mode == "RGB"
    assert [p.name for p in tmp_path.iterdir()] == ["out.jpg"]


@pytest.mark.parametrize("mode", ["RGB", "RGBA", "L", "LA", "I;16"])
def test_png_files_are_written_losslessly_in_every_mode(tmp_path, mode):
    rng = np.random.default_rng(0)
    noise = Image.fromarray(rng.integers(0, 256, (31, 47, 4), dtype=np.uint8), "RGBA")
    image = noise.convert(mode) if mode != "I;16" else Image.fromarray(
        rng.integers(0, 65536, (31, 47), dtype=np.uint16))
    target = tmp_path / "out.png"
    save_image(image, target)
    written = Image.open(target)
    assert written.mode == image.mode and written.size == (47, 31)
    np.testing.assert_array_equal(np.asarray(written), np.asarray(image))


@pytest.mark.parametrize("name, make, options", [
    ("gray16.png", lambda: Image.fromarray(
        (np.linspace(0, 65535, 40 * 30).reshape(30, 40)).astype(np.uint16)), {}),
    ("gray16.tif", lambda: Image.fromarray(
        (np.linspace(0, 65535, 40 * 30).reshape(30, 40)).astype(np.uint16)), {}),
    ("photo.webp", lambda: color_photo(4, (40, 30)), {"quality": 80}),
    ("print.jpg", lambda: color_photo(4, (40, 30)).convert("CMYK"), {}),
    ("rgb.tif", lambda: color_photo(4, (40, 30)), {}),
])
def test_files_of_every_common_format_open_as_planes(tmp_path, name, make, options):
    image = open_image(saved(make(), tmp_path / name, **options))
    planes = to_planes(image)
    assert (planes.width, planes.height) == (40, 30)
    assert 0 <= planes.unit_values.min() and planes.unit_values.max() <= 1
    if "16" in name:
        assert planes.values.shape[0] == 1 and planes.values.max() > 0.99


def test_find_images_is_recursive_and_filters_suffixes(photo_folder: Path):
    names = [path.name for path in find_images([photo_folder])]
    assert "photo00.png" in names  # from the nested folder
    assert "notes.txt" not in names
    assert len(names) == 15


def test_find_images_rejects_missing_folder(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="nowhere"):
        find_images([tmp_path / "nowhere"])
