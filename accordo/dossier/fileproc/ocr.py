"""OCR of scanned PDFs and photos through OCRmyPDF and Tesseract. Slow: call it from a background job."""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from os import PathLike
from pathlib import Path

import img2pdf
import ocrmypdf
from ocrmypdf import exceptions as ocr_errors
from PIL import ImageOps

from accordo.dossier.fileproc.errors import (
    CorruptFile,
    EncryptedFile,
    FileProcessingError,
    OcrFailed,
    UnsupportedFile,
)
from accordo.dossier.fileproc.images import check_pixels, flatten, image_guard, open_image
from accordo.dossier.fileproc.pdf import pages_needing_ocr, pdf_info

logger = logging.getLogger(__name__)

# OCRmyPDF and fontTools log every page and font subset at INFO (some forty lines an OCR run). Quiet
# them unless the LOGGING setting has given them a level of their own.
for _chatty in ("ocrmypdf", "fontTools", "pikepdf"):
    if logging.getLogger(_chatty).level == logging.NOTSET:
        logging.getLogger(_chatty).setLevel(logging.WARNING)

DEFAULT_LANGUAGES = ("nld", "eng", "fra")
OCR_MAX_PAGES = 100
OCR_MAX_FRAMES = 20
PAGE_TIMEOUT_SECONDS = 120.0
DEFAULT_IMAGE_DPI = 300

_LANGUAGE = re.compile(r"^[a-z]{3}(?:_[a-z]+)?$")


def ocr_pdf(
    path: str | PathLike[str],
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    *,
    force: bool = False,
    max_pages: int = OCR_MAX_PAGES,
    page_timeout: float = PAGE_TIMEOUT_SECONDS,
) -> str:
    """The text of the PDF at ``path`` with its scanned pages recognised, pages separated by ``\\f``.

    Only pages that show images but carry little text are OCR'd (OCRmyPDF's *redo* mode keeps their
    real text and reads the images); ``force`` rasterises and OCRs every page instead, for PDFs whose
    text layer is garbage. At most ``max_pages`` pages are OCR'd; Tesseract gets ``page_timeout``
    seconds a page and leaves a page blank when it runs out. Raises :class:`EncryptedFile`,
    :class:`CorruptFile`, :class:`TooLarge` or :class:`OcrFailed`.
    """
    info = pdf_info(path)
    info.check()
    pages = list(range(min(info.pages, max_pages))) if force else pages_needing_ocr(info)[:max_pages]
    if not pages:
        return info.text
    with tempfile.TemporaryDirectory(prefix="accordo-ocr-") as tmp:
        output = Path(tmp) / "ocr.pdf"
        _ocrmypdf(path, output, languages, pages=pages, mode="force" if force else "redo", timeout=page_timeout)
        result = pdf_info(output)
    if not result.readable:
        raise OcrFailed(f"ocr output unreadable: {result.reason}")
    return result.text


def ocr_image(
    path: str | PathLike[str],
    languages: Sequence[str] = DEFAULT_LANGUAGES,
    *,
    max_frames: int = OCR_MAX_FRAMES,
    page_timeout: float = PAGE_TIMEOUT_SECONDS,
) -> str:
    """The text in the image at ``path`` (a photo or scan; each frame of a multi-page TIFF a page).

    The image is guarded (:func:`image_guard`), turned upright by its EXIF orientation, flattened
    and wrapped losslessly in a PDF that OCRmyPDF reads. Raises :class:`UnsupportedFile`,
    :class:`TooLarge`, :class:`CorruptFile` or :class:`OcrFailed`.
    """
    image_guard(path)
    with tempfile.TemporaryDirectory(prefix="accordo-ocr-") as tmp:
        scan = Path(tmp) / "scan.pdf"
        frames = _image_to_pdf(path, scan, max_frames=max_frames)
        output = Path(tmp) / "ocr.pdf"
        _ocrmypdf(scan, output, languages, pages=list(range(frames)), mode="force", timeout=page_timeout)
        result = pdf_info(output)
    if not result.readable:
        raise OcrFailed(f"ocr output unreadable: {result.reason}")
    return result.text


def _image_to_pdf(source: str | PathLike[str], target: Path, *, max_frames: int) -> int:
    """Write up to ``max_frames`` frames of the image as lossless PNG pages of a PDF; return the count."""
    pngs: list[Path] = []
    with open_image(source) as image:
        dpi = _plausible_dpi(image.info.get("dpi"))
        try:
            for index in range(min(getattr(image, "n_frames", 1), max_frames)):
                image.seek(index)
                check_pixels(image)
                page = flatten(ImageOps.exif_transpose(image))
                png = target.with_name(f"page-{index:03d}.png")
                page.save(png, "PNG", compress_level=1)
                pngs.append(png)
        except FileProcessingError:
            raise
        except Exception as exc:  # truncated data, bad EXIF, decoder errors
            raise CorruptFile(f"image data: {exc}"[:200])
    layout = img2pdf.get_fixed_dpi_layout_fun((dpi, dpi))
    target.write_bytes(img2pdf.convert([str(png) for png in pngs], layout_fun=layout))
    return len(pngs)


def _plausible_dpi(value: object) -> int:
    try:
        dpi = round(float(value[0]))  # type: ignore[index]
    except (TypeError, ValueError, IndexError):
        return DEFAULT_IMAGE_DPI
    return dpi if 100 <= dpi <= 1200 else DEFAULT_IMAGE_DPI


def _ocrmypdf(
    source: str | PathLike[str],
    target: Path,
    languages: Sequence[str],
    *,
    pages: list[int],
    mode: str,
    timeout: float,
) -> None:
    if not languages or not all(_LANGUAGE.match(language) for language in languages):
        raise ValueError(f"Tesseract language codes expected, got {languages!r}")
    try:
        exit_code = ocrmypdf.ocr(
            Path(source),
            target,
            language=list(languages),
            mode=mode,
            pages=",".join(str(index + 1) for index in pages),
            output_type="pdf",
            optimize=0,
            fast_web_view=1_000_000,  # megabytes: never linearise a scratch file
            invalidate_digital_signatures=True,  # the output is scratch; the original stays signed
            tagged_pdf_mode="ignore",
            tesseract_timeout=timeout,
            jobs=1,
            use_threads=True,  # a huey worker process may be daemonic and cannot fork a pool
            progress_bar=False,
        )
    except ocr_errors.EncryptedPdfError:
        raise EncryptedFile("pdf needs a password")
    except (ocr_errors.UnsupportedImageFormatError, ocr_errors.DpiError) as exc:
        raise UnsupportedFile(_short(exc))
    except ocr_errors.InputFileError as exc:
        raise CorruptFile(_short(exc))
    except Exception as exc:  # missing Tesseract language, subprocess failure, pikepdf error
        logger.warning("OCRmyPDF failed on %s", source, exc_info=True)
        raise OcrFailed(_short(exc))
    if exit_code != ocrmypdf.ExitCode.ok:
        raise OcrFailed(f"ocrmypdf exit code {exit_code}")


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
