"""How much our OCR path costs over bare Tesseract, for the bench: the ratio shows OCRmyPDF's overhead."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from os import PathLike
from pathlib import Path

import pypdfium2 as pdfium
from pypdf import PdfReader

from accordo.dossier.fileproc import DEFAULT_LANGUAGES, needs_ocr, ocr_pdf, pdf_info
from accordo.dossier.fileproc.images import PDFIUM_LOCK

logger = logging.getLogger(__name__)

BARE_TIMEOUT_SECONDS = 300


def ocr_seconds_per_page(
    path: str | PathLike[str], *, languages: Sequence[str] = DEFAULT_LANGUAGES, repeat: int = 1
) -> tuple[float, float]:
    """Seconds for :func:`ocr_pdf` on the one-page scanned PDF at ``path``, and for bare
    ``tesseract IMAGE stdout -l nld+eng+fra`` on that page's image; the best of ``repeat`` runs each.

    Raises ``ValueError`` for a PDF that is not a single scanned page, ``RuntimeError`` without Tesseract.
    """
    info = pdf_info(path)
    info.check()
    if info.pages != 1 or not needs_ocr(info):
        raise ValueError("the OCR bench needs a one-page scanned PDF")
    tesseract = shutil.which("tesseract")
    if tesseract is None:
        raise RuntimeError("tesseract is not on PATH")
    command_tail = ["stdout", "-l", "+".join(languages)]
    with tempfile.TemporaryDirectory(prefix="accordo-ocrbench-") as tmp:
        image = Path(tmp) / "page.png"
        _page_image(path, image)
        ours = _best_of(repeat, lambda: ocr_pdf(path, languages))
        bare = _best_of(
            repeat,
            lambda: subprocess.run(  # noqa: S603 - fixed argument list, no shell
                [tesseract, str(image), *command_tail],
                check=True,
                capture_output=True,
                timeout=BARE_TIMEOUT_SECONDS,
            ),
        )
    return ours, bare


def _best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(max(repeat, 1)):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def _page_image(path: str | PathLike[str], target: Path) -> None:
    """The page's scanned image exactly as embedded; a 300 dpi rendering if it cannot be taken out."""
    try:
        images = PdfReader(os.fspath(path)).pages[0].images
        if len(images) == 1 and images[0].image is not None:
            images[0].image.save(target, "PNG")
            return
    except Exception:  # an unusual image encoding: fall back to rendering
        logger.info("Rendering %s for the OCR bench: its image cannot be taken out", path)
    with PDFIUM_LOCK:
        document = pdfium.PdfDocument(os.fspath(path))
        try:
            document[0].render(scale=300 / 72).to_pil().save(target, "PNG")
        finally:
            document.close()
