"""Reading a PDF's page count, encryption and text layer without trusting it to be well formed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BufferedReader
from os import PathLike
from typing import Any

from pypdf import PageObject, PasswordType, PdfReader

from accordo.dossier.fileproc.errors import CorruptFile, EncryptedFile, TooLarge

MAX_PDF_PAGES = 500
# A page tree declaring more pages than this is not walked at all (pypdf flattens it in memory).
MAX_DECLARED_PAGES = 20_000
MAX_TEXT_CHARS = 2_000_000
MIN_CHARS_PER_PAGE = 32
PAGE_SEPARATOR = "\f"

_UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")


@dataclass(frozen=True)
class PdfInfo:
    """What :func:`pdf_info` learned. ``pages`` is the page count (0 when it cannot be known).

    ``chars_per_page`` holds the letters and digits of each page read (``pages_read`` of them, at
    most :data:`MAX_PDF_PAGES`); ``image_pages`` the 0-based indices of read pages that draw images or
    forms, the only pages OCR can add anything to. ``reason`` is short and technical, for the log.
    """

    pages: int = 0
    pages_read: int = 0
    encrypted: bool = False
    opens_without_password: bool = True
    corrupt: bool = False
    too_large: bool = False
    reason: str = ""
    text: str = ""
    text_truncated: bool = False
    chars_per_page: tuple[int, ...] = ()
    image_pages: tuple[int, ...] = ()

    @property
    def readable(self) -> bool:
        return not (self.corrupt or self.too_large or (self.encrypted and not self.opens_without_password))

    def check(self) -> None:
        """Raise the :class:`FileProcessingError` that explains why the PDF is not readable, if it is not."""
        if self.encrypted and not self.opens_without_password:
            raise EncryptedFile("pdf needs a password")
        if self.corrupt:
            raise CorruptFile(self.reason or "corrupt pdf")
        if self.too_large:
            raise TooLarge(self.reason or "too many pages")


def pdf_info(path: str | PathLike[str], *, max_pages: int = MAX_PDF_PAGES, max_chars: int = MAX_TEXT_CHARS) -> PdfInfo:
    """Inspect the PDF at ``path``: never raises for a broken, encrypted or hostile PDF, says so instead.

    Text comes from pypdf, or from pdfminer.six when pypdf finds (almost) nothing; reading stops after
    ``max_pages`` pages or ``max_chars`` characters.
    """
    with open(path, "rb") as fh:
        try:
            return _inspect(fh, max_pages=max_pages, max_chars=max_chars)
        except Exception as exc:  # pypdf raises far more than PyPdfError on hostile input
            return PdfInfo(corrupt=True, reason=_short(exc))


def needs_ocr(info: PdfInfo, *, min_chars_per_page: int = MIN_CHARS_PER_PAGE) -> bool:
    """Whether OCR could add text: a readable PDF with a page that shows images but has little text."""
    return info.readable and bool(pages_needing_ocr(info, min_chars_per_page=min_chars_per_page))


def pages_needing_ocr(info: PdfInfo, *, min_chars_per_page: int = MIN_CHARS_PER_PAGE) -> list[int]:
    """0-based indices of the pages read that draw images and carry fewer than ``min_chars_per_page``."""
    return [index for index in info.image_pages if info.chars_per_page[index] < min_chars_per_page]


def meaningful_chars(text: str) -> int:
    return sum(1 for char in text if char.isalnum())


def _inspect(fh: BufferedReader, *, max_pages: int, max_chars: int) -> PdfInfo:
    reader = PdfReader(fh, strict=False)
    encrypted = reader.is_encrypted
    if encrypted and not _opens_with_empty_password(reader):
        return PdfInfo(pages=_declared_pages(reader), encrypted=True, opens_without_password=False)
    declared = _declared_pages(reader)
    if declared > MAX_DECLARED_PAGES:
        return PdfInfo(pages=declared, encrypted=encrypted, too_large=True, reason=f"{declared} pages declared")
    pages = len(reader.pages)
    if pages == 0:
        return PdfInfo(encrypted=encrypted, corrupt=True, reason="no pages")
    texts, image_pages, truncated = _pypdf_texts(reader, min(pages, max_pages), max_chars)
    if sum(map(meaningful_chars, texts)) < MIN_CHARS_PER_PAGE * len(texts):
        texts = _better_of(texts, _pdfminer_texts(fh, len(texts), max_chars))
    return PdfInfo(
        pages=pages,
        pages_read=len(texts),
        encrypted=encrypted,
        text=PAGE_SEPARATOR.join(texts),
        text_truncated=truncated,
        chars_per_page=tuple(map(meaningful_chars, texts)),
        image_pages=tuple(index for index in image_pages if index < len(texts)),
    )


def _opens_with_empty_password(reader: PdfReader) -> bool:
    try:
        return reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except Exception:  # unsupported algorithm or missing crypto backend: treat as locked
        return False


def _declared_pages(reader: PdfReader) -> int:
    try:
        root: Any = reader.trailer["/Root"]
        count = root["/Pages"]["/Count"]
        return max(int(count), 0)
    except Exception:
        return 0


def _pypdf_texts(reader: PdfReader, pages: int, max_chars: int) -> tuple[list[str], list[int], bool]:
    texts: list[str] = []
    image_pages: list[int] = []
    budget = max_chars
    for index in range(pages):
        try:
            page = reader.pages[index]
        except IndexError:  # /Count promised more pages than the tree holds
            break
        if _draws_objects(page):
            image_pages.append(index)
        text = _page_text(page)
        texts.append(text[:budget])
        budget -= len(text)
        if budget <= 0:
            return texts, image_pages, True
    return texts, image_pages, False


def _page_text(page: PageObject) -> str:
    try:
        return _clean(page.extract_text() or "")
    except Exception:  # one broken content stream should not hide the other pages
        return ""


def _draws_objects(page: PageObject) -> bool:
    try:
        resources: Any = page.get("/Resources")
        resources = resources.get_object() if resources is not None else None
        xobjects = resources.get("/XObject") if resources is not None else None
        return bool(xobjects.get_object()) if xobjects is not None else False
    except Exception:
        return True  # unknown: let OCR look at it


def _pdfminer_texts(fh: BufferedReader, pages: int, max_chars: int) -> list[str]:
    from pdfminer.high_level import extract_pages
    from pdfminer.layout import LTTextContainer

    texts: list[str] = []
    budget = max_chars
    try:
        fh.seek(0)
        for layout in extract_pages(fh, maxpages=pages):
            text = _clean("".join(el.get_text() for el in layout if isinstance(el, LTTextContainer)))
            texts.append(text[:budget])
            budget -= len(text)
            if budget <= 0:
                break
    except Exception:
        return []
    return texts


def _better_of(pypdf_texts: list[str], pdfminer_texts: list[str]) -> list[str]:
    """pdfminer's pages, if it read as many and found more; page indices must keep lining up."""
    if len(pdfminer_texts) != len(pypdf_texts):
        return pypdf_texts
    ours = sum(map(meaningful_chars, pypdf_texts))
    return pdfminer_texts if sum(map(meaningful_chars, pdfminer_texts)) > ours else pypdf_texts


def _clean(text: str) -> str:
    return _UNMAPPED_GLYPH.sub("", text).replace("\x00", "").strip()


def _short(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:200]
