"""Content hashes, streamed."""

from __future__ import annotations

import hashlib
from typing import IO

CHUNK_BYTES = 1024 * 1024


def sha256_of(fileobj: IO[bytes]) -> tuple[str, int]:
    """SHA-256 hex digest and size in bytes of what remains of ``fileobj``, read 1 MB at a time.

    Reads from the current position to the end and does not rewind, so it also works on streams
    that cannot seek.
    """
    digest = hashlib.sha256()
    size = 0
    while chunk := fileobj.read(CHUNK_BYTES):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size
