"""The dossier's file-processing library: pure functions on a local file path, no models.

Sniffing (what a file really is), safe names, PDF inspection, OCR, image guards and thumbnails,
hashes. The caller copies a stored file to a temporary path first; OCR belongs in a background job.
"""

from accordo.dossier.fileproc.errors import (
    CorruptFile,
    EncryptedFile,
    FileProcessingError,
    OcrFailed,
    TooLarge,
    UnsupportedFile,
)
from accordo.dossier.fileproc.hashing import sha256_of
from accordo.dossier.fileproc.images import THUMBNAIL_MIME, ImageInfo, image_guard, thumbnail
from accordo.dossier.fileproc.names import safe_filename
from accordo.dossier.fileproc.ocr import DEFAULT_LANGUAGES, ocr_image, ocr_pdf
from accordo.dossier.fileproc.pdf import PdfInfo, needs_ocr, pages_needing_ocr, pdf_info
from accordo.dossier.fileproc.sniffing import Kind, Sniffed, extension_matches, sniff

__all__ = [
    "DEFAULT_LANGUAGES",
    "THUMBNAIL_MIME",
    "CorruptFile",
    "EncryptedFile",
    "FileProcessingError",
    "ImageInfo",
    "Kind",
    "OcrFailed",
    "PdfInfo",
    "Sniffed",
    "TooLarge",
    "UnsupportedFile",
    "extension_matches",
    "image_guard",
    "needs_ocr",
    "ocr_image",
    "ocr_pdf",
    "pages_needing_ocr",
    "pdf_info",
    "safe_filename",
    "sha256_of",
    "sniff",
    "thumbnail",
]
