"""What a file is, judged from its bytes (libmagic on the first 8 KB), never from its name."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from enum import StrEnum
from os import PathLike

import magic

SNIFF_BYTES = 8192

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
ODF_PREFIX = "application/vnd.oasis.opendocument."
OLE = frozenset({"application/CDFV2", "application/x-ole-storage"})

IMAGE_MIMES = frozenset(
    {"image/jpeg", "image/png", "image/tiff", "image/webp", "image/gif", "image/bmp", "image/x-ms-bmp"}
    | {"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence", "image/avif"}
)
XML_MIMES = frozenset({"text/xml", "application/xml"})
OFFICE_MIMES = frozenset(
    {DOCX, XLSX, PPTX, "application/msword", "application/vnd.ms-excel", "application/vnd.ms-powerpoint"}
)
EXECUTABLE_MIMES = frozenset(
    {
        "application/x-dosexec",
        "application/x-msdownload",
        "application/vnd.microsoft.portable-executable",
        "application/x-msi",
        "application/x-executable",
        "application/x-pie-executable",
        "application/x-sharedlib",
        "application/x-mach-binary",
        "application/x-elf",
    }
)
# Text-ish types that a browser would run or render as a page: never "text".
ACTIVE_MIMES = frozenset({"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript"})

_XML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*<[?!A-Za-z_]")


class Kind(StrEnum):
    PDF = "pdf"
    IMAGE = "image"
    XML = "xml"
    OFFICE = "office"
    ZIP = "zip"
    TEXT = "text"
    OTHER = "other"


@dataclass(frozen=True)
class Sniffed:
    """``mime`` is libmagic's answer, refined for ZIP-based office files and XML without a declaration."""

    mime: str
    kind: Kind


def sniff(path: str | PathLike[str]) -> Sniffed:
    """Classify the file at ``path`` from its first 8 KB (plus a ZIP's central directory)."""
    with open(path, "rb") as fh:
        head = fh.read(SNIFF_BYTES)
    mime = magic.from_buffer(head, mime=True) or "application/octet-stream"
    if mime == "application/zip":
        mime = _zip_mime(path)
    elif mime == "text/plain" and _XML_START.match(head):
        mime = "text/xml"
    return Sniffed(mime=mime, kind=_kind(mime))


def _kind(mime: str) -> Kind:
    if mime == "application/pdf":
        return Kind.PDF
    if mime in IMAGE_MIMES:
        return Kind.IMAGE
    if mime in ACTIVE_MIMES:
        return Kind.OTHER
    if mime in XML_MIMES or mime.endswith("+xml"):
        return Kind.XML
    if mime in OFFICE_MIMES or mime.startswith(ODF_PREFIX):
        return Kind.OFFICE
    if mime == "application/zip":
        return Kind.ZIP
    if mime.startswith("text/") or mime in {"application/json", "application/csv"}:
        return Kind.TEXT
    return Kind.OTHER


def _zip_mime(path: str | PathLike[str]) -> str:
    """libmagic only sees the first entry; an office file whose first entry is not the telling one reads
    as a plain ZIP. The central directory (names only, nothing is decompressed but ODF's tiny
    ``mimetype`` entry) settles it."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "[Content_Types].xml" in names:
                for prefix, mime in (("word/", DOCX), ("xl/", XLSX), ("ppt/", PPTX)):
                    if any(name.startswith(prefix) for name in names):
                        return mime
            mimetype = next((i for i in infos if i.filename == "mimetype" and i.file_size < 100), None)
            if mimetype is not None:
                declared = archive.read(mimetype).decode("ascii", "replace").strip()
                if declared.startswith(ODF_PREFIX) and declared.isprintable():
                    return declared
    except (zipfile.BadZipFile, OSError, ValueError, RuntimeError):  # RuntimeError: also unsupported compression
        pass
    return "application/zip"


_TEXT = frozenset({"text/plain", "text/csv", "application/csv"})
_EXTENSIONS: dict[str, frozenset[str]] = {
    "pdf": frozenset({"application/pdf"}),
    "jpg": frozenset({"image/jpeg"}),
    "png": frozenset({"image/png"}),
    "tif": frozenset({"image/tiff"}),
    "webp": frozenset({"image/webp"}),
    "heic": frozenset({"image/heic", "image/heif", "image/heic-sequence", "image/heif-sequence"}),
    "avif": frozenset({"image/avif", "image/heif"}),
    "gif": frozenset({"image/gif"}),
    "bmp": frozenset({"image/bmp", "image/x-ms-bmp"}),
    "xml": XML_MIMES,
    "txt": _TEXT,
    "json": frozenset({"application/json", "text/plain"}),
    "eml": frozenset({"message/rfc822", "text/plain"}),
    "msg": OLE | {"application/vnd.ms-outlook"},
    "html": frozenset({"text/html"}),
    "rtf": frozenset({"text/rtf", "application/rtf"}),
    "docx": frozenset({DOCX}),
    "xlsx": frozenset({XLSX}),
    "pptx": frozenset({PPTX}),
    "odt": frozenset({ODF_PREFIX + "text"}),
    "ods": frozenset({ODF_PREFIX + "spreadsheet"}),
    "odp": frozenset({ODF_PREFIX + "presentation"}),
    "doc": OLE | {"application/msword"},
    "xls": OLE | {"application/vnd.ms-excel"},
    "ppt": OLE | {"application/vnd.ms-powerpoint"},
    "zip": frozenset({"application/zip"}),
    "exe": EXECUTABLE_MIMES,
}
_ALIASES = {"jpeg": "jpg", "jpe": "jpg", "jfif": "jpg", "tiff": "tif", "heif": "heic", "htm": "html"}
_ALIASES |= {"xaf": "xml", "csv": "txt", "tsv": "txt", "sta": "txt", "mt940": "txt", "940": "txt"}
_ALIASES |= {"dll": "exe", "msi": "exe", "com": "exe", "scr": "exe"}


def extension_matches(name: str, mime: str) -> bool:
    """Whether ``name``'s extension fits the sniffed ``mime``.

    A known extension must match its types (``factuur.pdf`` holding PNG bytes does not). An unknown
    or missing extension matches anything except an executable, which only ``.exe`` and friends may be.
    """
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    stem, dot, ext = base.rpartition(".")
    ext = ext.lower() if dot and stem.strip(". ") else ""
    allowed = _EXTENSIONS.get(_ALIASES.get(ext, ext))
    if allowed is None:
        return mime not in EXECUTABLE_MIMES
    return mime in allowed
