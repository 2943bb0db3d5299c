"""Errors of the file-processing library: one base class, a user-facing message per kind.

``str(error)`` is the short technical reason for logs and the processing-step row; ``error.message``
is the translated sentence a user may see.
"""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class FileProcessingError(Exception):
    """A file could not be processed; ``message`` is safe to show, ``reason`` is for the log."""

    message: Promise = _("The file could not be processed.")

    def __init__(self, reason: str = "") -> None:
        super().__init__(reason)
        self.reason = reason

    def __str__(self) -> str:
        return self.reason or str(self.message)


class EncryptedFile(FileProcessingError):
    message = _("The file is protected with a password, so it cannot be read.")


class CorruptFile(FileProcessingError):
    message = _("The file is damaged and cannot be read.")


class TooLarge(FileProcessingError):
    message = _("The file is too large to process.")


class UnsupportedFile(FileProcessingError):
    message = _("This type of file cannot be processed.")


class OcrFailed(FileProcessingError):
    message = _("Text recognition failed for this file.")
