"""Streaming uploads: every file goes to a temporary file on disk, hashed and sniffed as it arrives.

Installed for the whole site (``FILE_UPLOAD_HANDLERS``): no upload is ever held in memory, each
file's SHA-256, size and content type (from its first bytes, never its name) are known when the
view sees it, and a file over the limit stops the parse — the rest of the body is read and thrown
away, nothing of it is kept, and the view answers 413 from ``request.upload_rejected``.
"""

from __future__ import annotations

import hashlib
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import magic
from django.core.files.uploadedfile import TemporaryUploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler

from accordo.dossier.models import MAX_FILE_BYTES

SNIFF_BYTES = 8192


class HashedUpload(TemporaryUploadedFile):
    sha256: str
    sniffed_mime: str


class HashingUploadHandler(TemporaryFileUploadHandler):
    """A temporary-file upload that computes SHA-256 and sniffs the type on the way in."""

    max_bytes = MAX_FILE_BYTES
    chunk_size = 1024 * 1024  # fewer, larger writes: the parser's per-chunk cost is in Python

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._hash = hashlib.sha256()
        self._head = b""
        self._received = 0
        # SHA-256 runs beside the parsing and writing (hashlib lets go of the GIL on large
        # chunks); one chunk in flight at most, so memory stays at two chunks.
        self._hasher = ThreadPoolExecutor(max_workers=1, thread_name_prefix="upload-sha256")
        self._hashing: Future[None] | None = None

    def _hashed(self) -> None:
        if self._hashing is not None:
            self._hashing.result()
            self._hashing = None

    def receive_data_chunk(self, raw_data: bytes, start: int) -> None:
        self._received += len(raw_data)
        if self._received > self.max_bytes:
            if self.request is not None:
                self.request.upload_rejected = self.file_name  # type: ignore[attr-defined]
            self.upload_interrupted()
            raise StopUpload(connection_reset=False)
        self._hashed()
        self._hashing = self._hasher.submit(self._hash.update, raw_data)
        if len(self._head) < SNIFF_BYTES:
            self._head += raw_data[: SNIFF_BYTES - len(self._head)]
        self.file.write(raw_data)
        return None

    def upload_interrupted(self) -> None:
        if hasattr(self, "_hasher"):
            self._hasher.shutdown(wait=True, cancel_futures=True)
        super().upload_interrupted()

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        upload: Any = super().file_complete(file_size)
        self._hashed()
        self._hasher.shutdown()
        upload.sha256 = self._hash.hexdigest()
        upload.sniffed_mime = magic.from_buffer(self._head, mime=True) if self._head else "application/x-empty"
        return upload  # type: ignore[no-any-return]
