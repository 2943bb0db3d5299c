"""Opening images defensively, and thumbnails of images and of a PDF's first page."""

from __future__ import annotations

import io
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from os import PathLike
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from PIL import Image, ImageOps, UnidentifiedImageError

from accordo.dossier.fileproc.errors import (
    CorruptFile,
    EncryptedFile,
    FileProcessingError,
    TooLarge,
    UnsupportedFile,
)

try:  # pdfium is not thread-safe; share OCRmyPDF's lock so its rasteriser and our thumbnails take turns
    from ocrmypdf.builtin_plugins.pypdfium import _pdfium_lock as PDFIUM_LOCK
except ImportError:  # pragma: no cover - depends on OCRmyPDF's internals
    PDFIUM_LOCK = threading.Lock()

MAX_IMAGE_PIXELS = 50_000_000
THUMBNAIL_FORMAT = "WEBP"
THUMBNAIL_MIME = "image/webp"
# The decoders documents need (JPEG covers MPO); EPS, for one, would start Ghostscript.
PILLOW_FORMATS = ("JPEG", "PNG", "TIFF", "WEBP", "GIF", "BMP")
PILLOW_MIMES = frozenset(
    {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/bmp", "image/x-ms-bmp"}
)


@dataclass(frozen=True)
class ImageInfo:
    format: str
    width: int
    height: int


def image_guard(path: str | PathLike[str], *, max_pixels: int = MAX_IMAGE_PIXELS) -> ImageInfo:
    """Check that the image at ``path`` is one we decode, not a decompression bomb, and not damaged.

    Raises :class:`UnsupportedFile`, :class:`TooLarge` (over ``max_pixels``, or Pillow's own bomb
    limit) or :class:`CorruptFile`. Only the header and, for PNG, the chunk checksums are read.
    """
    with open_image(path, max_pixels=max_pixels) as image:
        info = ImageInfo(format=image.format or "", width=image.width, height=image.height)
        try:
            image.verify()
        except Exception as exc:
            raise CorruptFile(f"image does not verify: {exc}"[:200])
    return info


@contextmanager
def open_image(path: str | PathLike[str], *, max_pixels: int = MAX_IMAGE_PIXELS) -> Iterator[Image.Image]:
    """Open (lazily, header only) a size-checked image; errors become :class:`FileProcessingError`."""
    # Pillow errors out past twice its MAX_IMAGE_PIXELS and only warns below that; check_pixels then
    # refuses anything past the lower of the two limits. (warnings.catch_warnings is not thread-safe.)
    with open(path, "rb") as fh:
        try:
            image = Image.open(fh, formats=PILLOW_FORMATS)
        except Image.DecompressionBombError as exc:
            raise TooLarge(str(exc)[:200])
        except UnidentifiedImageError:
            raise UnsupportedFile("not an image we decode")
        except Exception as exc:
            raise CorruptFile(f"image header: {exc}"[:200])
        with image:
            check_pixels(image, max_pixels)
            yield image


def check_pixels(image: Image.Image, max_pixels: int = MAX_IMAGE_PIXELS) -> None:
    if image.width <= 0 or image.height <= 0:
        raise CorruptFile("image has no pixels")
    if image.width * image.height > min(max_pixels, Image.MAX_IMAGE_PIXELS or max_pixels):
        raise TooLarge(f"{image.width}x{image.height} pixels")


def thumbnail(path: str | PathLike[str], mime: str, size: int = 320) -> bytes | None:
    """A WebP thumbnail (longest side ``size``) of an image or of a PDF's first page; ``None`` for other
    types. Raises :class:`FileProcessingError` for a damaged, encrypted or oversized file."""
    size = min(max(int(size), 16), 2048)
    if mime == "application/pdf":
        image = _pdf_first_page(path, size)
    elif mime in PILLOW_MIMES:
        image = _image_preview(path, size)
    else:
        return None
    buffer = io.BytesIO()
    image.save(buffer, THUMBNAIL_FORMAT, quality=80)
    return buffer.getvalue()


def _image_preview(path: str | PathLike[str], size: int) -> Image.Image:
    with open_image(path) as image:
        try:
            image.draft("RGB", (size, size))  # JPEG decodes at 1/2, 1/4 or 1/8 scale: far less memory
            image.load()
            upright = ImageOps.exif_transpose(image)
            upright.thumbnail((size, size))
            return flatten(upright)
        except FileProcessingError:
            raise
        except Image.DecompressionBombError as exc:
            raise TooLarge(str(exc)[:200])
        except Exception as exc:  # truncated data, bad EXIF, decoder errors
            raise CorruptFile(f"image data: {exc}"[:200])


def flatten(image: Image.Image) -> Image.Image:
    """RGB (or L) on white: what encoders and Tesseract want, whatever the source mode."""
    if image.mode in ("RGB", "L"):
        return image
    if image.mode == "1":
        return image.convert("L")
    if image.mode.startswith(("I", "F")):  # 16/32-bit grey (some scanners): stretch, do not clip
        wide = image if image.mode == "F" else image.convert("I")
        extrema: Any = wide.getextrema()
        low, high = float(extrema[0]), float(extrema[1])
        factor = 255 / (high - low) if high > low else 1.0
        return wide.point(lambda value: value * factor - low * factor).convert("L")
    rgba = image.convert("RGBA")
    background = Image.new("RGB", rgba.size, "white")
    background.paste(rgba, mask=rgba.getchannel("A"))
    return background


def _pdf_first_page(path: str | PathLike[str], size: int) -> Image.Image:
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(os.fspath(path))
        except pdfium.PdfiumError as exc:
            if exc.err_code in (pdfium_c.FPDF_ERR_PASSWORD, pdfium_c.FPDF_ERR_SECURITY):
                raise EncryptedFile("pdf needs a password")
            raise CorruptFile(f"pdfium: {exc}"[:200])
        try:
            if len(document) == 0:
                raise CorruptFile("no pages")
            page = document[0]
            try:
                width, height = page.get_size()
                if not (width > 0 and height > 0):
                    raise CorruptFile("page has no size")
                scale = size / max(width, height)
                return page.render(scale=scale).to_pil().convert("RGB")
            finally:
                page.close()
        except pdfium.PdfiumError as exc:
            raise CorruptFile(f"pdfium: {exc}"[:200])
        finally:
            document.close()
