"""Turning whatever name a browser, mail client or phone sends into one that is safe to store and show."""

from __future__ import annotations

import unicodedata

FALLBACK_STEM = "bestand"
MAX_NAME_CHARS = 200
# Many file systems (and the zip files a client downloads) stop at 255 bytes.
MAX_NAME_BYTES = 255
MAX_EXTENSION_CHARS = 10

_HTML_SIGNIFICANT = str.maketrans(dict.fromkeys("<>\"'&", "_"))
# Bidirectional controls let ``factuur\u202efdp.exe`` look like ``factuurexe.pdf``.
_BIDI_CONTROLS = frozenset({0x061C, 0x200E, 0x200F, 0xFEFF, *range(0x202A, 0x202F), *range(0x2066, 0x206A)})
# Left dangling at the end of a cut stem they join or restyle nothing.
_DANGLING = frozenset({"\u200d", "\ufe0e", "\ufe0f"})


def safe_filename(name: str) -> str:
    """A display and download name made from ``name``; never raises, never empty, never ``.``/``..``.

    Keeps the last path component only, drops control and bidi characters, replaces ``<>"'&`` by
    ``_``, normalises to NFC, collapses whitespace, and cuts the stem (not the extension) to
    200 characters and 255 UTF-8 bytes. Accents and emoji stay.
    """
    text = name if isinstance(name, str) else ""
    text = unicodedata.normalize("NFC", text)
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(_clean_char(char) for char in text)
    text = " ".join(text.split()).translate(_HTML_SIGNIFICANT)
    text = unicodedata.normalize("NFC", text)

    stem, extension = _split_extension(text)
    suffix = f".{extension}" if extension else ""
    stem = _cut(stem.strip(" ."), MAX_NAME_CHARS - len(suffix), MAX_NAME_BYTES - len(suffix.encode()))
    return f"{stem or FALLBACK_STEM}{suffix}"


def _clean_char(char: str) -> str:
    category = unicodedata.category(char)
    if category == "Cc":
        return " " if char.isspace() else ""
    if category == "Cs" or ord(char) in _BIDI_CONTROLS:
        return ""
    return char


def _split_extension(text: str) -> tuple[str, str]:
    stem, dot, extension = text.rpartition(".")
    if dot and 0 < len(extension) <= MAX_EXTENSION_CHARS and extension.isascii() and extension.isalnum():
        return stem, extension
    return text, ""


def _cut(stem: str, max_chars: int, max_bytes: int) -> str:
    stem = stem[:max_chars]
    while len(stem.encode("utf-8")) > max_bytes:
        stem = stem[:-1]
    while stem and (stem[-1] in _DANGLING or stem[-1] in " ."):
        stem = stem[:-1]
    return stem
