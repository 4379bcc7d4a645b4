"""Reading the images people actually have, and writing results atomically.

Every reader error is an ImageReadError whose message names the file and the problem, so a
batch can report it in one line and go on.
"""

import io
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from colorgan.atomic import atomic_write
from colorgan.settings import DEFAULT_MAX_PIXELS, MAX_ASPECT_RATIO

# colorgan applies its own pixel limit (max_pixels) before decoding; Pillow's would refuse
# large photos that the user explicitly allowed.
Image.MAX_IMAGE_PIXELS = None

SIXTEEN_BIT_MODES = {"I;16", "I;16L", "I;16B", "I;16N", "I"}
# Gray photos deeper than 8 bits: unit_gray reads them, Pillow's convert("L") would clip.
DEEP_GRAY_MODES = SIXTEEN_BIT_MODES | {"F"}
IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".bmp", ".tif", ".tiff", ".webp"}


class ImageReadError(ValueError):
    """A file that cannot be used as a photo, with the reason."""


class NotAnImage(ImageReadError):
    """A file that is no image format colorgan reads."""


class BrokenImage(ImageReadError):
    """An image file that is corrupt or cut short."""


class ImageTooLarge(ImageReadError):
    """A photo above the pixel limit (a possible decompression bomb)."""


def find_images(folders: Sequence[str | Path]) -> list[Path]:
    """All image files under the folders (recursively), sorted; a file argument is taken as is."""
    found: list[Path] = []
    for folder in map(Path, folders):
        if folder.is_file():
            found.append(folder)
        elif folder.is_dir():
            found.extend(p for p in folder.rglob("*")
                         if p.suffix.lower() in IMAGE_SUFFIXES and p.is_file())
        else:
            raise FileNotFoundError(f"{folder}: no such file or folder")
    return sorted(found)


def load_rgb(path: Path) -> Image.Image:
    """An RGB image from a file, with its EXIF orientation applied."""
    with Image.open(path) as image:
        return ImageOps.exif_transpose(image).convert("RGB")


def open_image(source: str | Path | bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
               name: str | None = None) -> Image.Image:
    """Open and decode a photo (first frame, EXIF orientation applied), checking its size first."""
    label = name or (str(source) if not isinstance(source, bytes) else "upload")
    image = _open_header(source, label)
    check_pixels(image.width, image.height, max_pixels, label)
    try:
        image.seek(0)
        image.load()
        return ImageOps.exif_transpose(image)
    except Exception as error:  # as in _open_header: every decoder error is this file's failure
        raise BrokenImage(f"{label}: broken or truncated image ({_reason(error)})") from None


def image_pixels(content: bytes, max_pixels: int = DEFAULT_MAX_PIXELS,
                 name: str = "upload") -> int:
    """Width x height from the header alone (nothing decoded), checked against the limit."""
    image = _open_header(content, name)
    check_pixels(image.width, image.height, max_pixels, name)
    return image.width * image.height


def _open_header(source: str | Path | bytes, label: str) -> Image.Image:
    stream = io.BytesIO(source) if isinstance(source, bytes) else source
    if not isinstance(source, bytes) and Path(source).exists() and not Path(source).is_dir() \
            and not Path(source).is_file():  # reading a pipe or device could wait forever
        raise ImageReadError(f"{label}: not a regular file (a pipe, socket or device)")
    try:
        return Image.open(stream)
    except FileNotFoundError:
        raise ImageReadError(f"{label}: no such file") from None
    except IsADirectoryError:
        raise ImageReadError(f"{label}: is a folder, not an image") from None
    except UnidentifiedImageError:
        raise NotAnImage(f"{label}: not an image, or a format colorgan cannot read") from None
    except PermissionError:
        raise ImageReadError(f"{label}: permission denied") from None
    except OSError as error:  # Pillow reports a cut or malformed header as an OSError
        raise BrokenImage(f"{label}: broken image header ({_reason(error)})") from None
    except Exception as error:  # a malformed header makes a decoder raise any kind of error
        raise BrokenImage(f"{label}: broken image header ({_reason(error)})") from None


def _reason(error: Exception) -> str:
    return str(error) or type(error).__name__


def check_pixels(width: int, height: int, max_pixels: int, label: str) -> None:
    """Refuse images over the pixel limit, or too long and thin, before decoding them."""
    if width * height > max_pixels:
        raise ImageTooLarge(f"{label}: {width}x{height} is {pixel_count(width * height)}, over "
                            f"the limit of {pixel_count(max_pixels)} (raise it with --max-pixels)")
    if width == 0 or height == 0:
        raise BrokenImage(f"{label}: image has no pixels")
    check_aspect(width, height, label)


def check_aspect(width: int, height: int, label: str) -> None:
    """Refuse a photo whose sides differ more than MAX_ASPECT_RATIO-fold: the work on it would
    not be bounded by its pixels."""
    if max(width, height) > MAX_ASPECT_RATIO * min(width, height):
        raise ImageTooLarge(f"{label}: {width}x{height} is too long and thin to color (its "
                            f"sides may differ at most {MAX_ASPECT_RATIO}-fold)")


def pixel_count(pixels: float) -> str:
    """A number of pixels as people read it: "12.3 MP", or "5,000 pixels" under 0.1 MP."""
    return f"{pixels / 1e6:.3g} MP" if pixels >= 100_000 else f"{pixels:,.0f} pixels"


def unit_gray(image: Image.Image) -> np.ndarray:
    """A 16-bit or float gray photo as floats (H, W) in [0, 1]; float photos in [0, 255] are
    told from those in [0, 1] by their largest value."""
    values = np.asarray(image, dtype=np.float32)
    if image.mode in SIXTEEN_BIT_MODES:
        values = values / 65535.0
    elif values.max() > 1.0:
        values = values / 255.0
    return values.clip(0, 1)


def eight_bit(image: Image.Image) -> Image.Image:
    """The photo with 16-bit or float gray scaled to 8 bits (Pillow's convert would clip it)."""
    if image.mode not in DEEP_GRAY_MODES:
        return image
    return Image.fromarray((unit_gray(image) * 255).round().astype(np.uint8), "L")


def array_to_image(array: np.ndarray) -> Image.Image:
    """A numpy photo (H, W), (H, W, 1), (H, W, 3) or (H, W, 4), uint8/uint16/float, as PIL."""
    array = np.asarray(array)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim not in (2, 3) or (array.ndim == 3 and array.shape[2] not in (3, 4)):
        raise ImageReadError(f"array of shape {array.shape} is not an image "
                             "(expected H x W, H x W x 3 or H x W x 4)")
    if array.size == 0:
        raise ImageReadError(f"array of shape {array.shape} has no pixels")
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)
            or array.dtype == bool):
        raise ImageReadError(f"array of dtype {array.dtype} is not an image (expected real "
                             "numbers)")
    if np.issubdtype(array.dtype, np.floating) and not np.isfinite(array).all():
        raise ImageReadError("array holds NaN or infinite values")
    if (np.issubdtype(array.dtype, np.integer) and array.dtype not in (np.uint8, np.uint16)
            and (array.min() < 0 or array.max() > 255)):
        raise ImageReadError(f"array of dtype {array.dtype} has values outside 0-255 "
                             "(give uint8, uint16, or floats in [0, 1])")
    if array.dtype == bool:
        array = array.astype(np.uint8) * 255
    if array.dtype == np.uint16:
        if array.ndim == 2:
            return Image.fromarray(array)  # Pillow reads 2-D uint16 as mode I;16
        array = (array / 257).round().astype(np.uint8)
    elif np.issubdtype(array.dtype, np.floating):
        scale = 255.0 if array.max() <= 1.0 else 1.0
        array = (array * scale).clip(0, 255).round().astype(np.uint8)
    return Image.fromarray(array.astype(np.uint8))


def save_image(image: Image.Image, path: Path, quality: int = 92) -> None:
    """Write a PNG, JPEG or WebP (by suffix) through a temporary file: never half-written."""
    encoded = encode_for(path, image, quality)
    atomic_write(path, lambda temporary: temporary.write_bytes(encoded))


def encode_for(path: Path, image: Image.Image, quality: int = 92) -> bytes:
    """The image encoded as the path's suffix says: PNG, JPEG or WebP."""
    file_format = Image.registered_extensions().get(path.suffix.lower())
    if file_format is None:
        raise ValueError(f"{path}: unknown image suffix")
    return encode_image(image, file_format, quality)


def encode_image(image: Image.Image, file_format: str, quality: int = 92) -> bytes:
    """The image as PNG, JPEG or WebP bytes, for HTTP answers."""
    buffer = io.BytesIO()
    if file_format == "JPEG":
        # JPEG has no alpha channel.
        image.convert("RGB").save(buffer, format="JPEG", quality=quality)
    elif file_format == "WEBP":
        image.save(buffer, format="WEBP", quality=quality)
    elif file_format == "PNG" and image.mode in ("RGB", "RGBA"):
        # fpng writes a photo's PNG 5-8 times faster than Pillow's zlib at level 1, for files
        # about 30% larger (benchmarks/colorize_stages.py); it is the slowest stage otherwise.
        # Imported here: commands that write no PNG (pack's WebP) need not load it.
        import fpng

        return fpng.from_ndarray(np.asarray(image))
    else:
        # Level 1 encodes a 12 MP PNG three times faster than the default, files ~25% larger.
        image.save(buffer, format=file_format, compress_level=1)
    return buffer.getvalue()
