"""Encryption at rest for the few fields that need it (the BSN)."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache
from typing import Any

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.db import models


@lru_cache(maxsize=4)
def _fernet(key_material: str) -> Fernet:
    digest = hashlib.sha256(("accordo-field-encryption:" + key_material).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def _key() -> Fernet:
    return _fernet(settings.FIELD_ENCRYPTION_KEY or settings.SECRET_KEY)


def encrypt(value: str) -> str:
    return _key().encrypt(value.encode("utf-8")).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _key().decrypt(token.encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: the field encryption key changed") from exc


class EncryptedCharField(models.TextField):
    """Stores Fernet ciphertext; Python code sees the plain value. Not searchable by design."""

    def from_db_value(self, value: str | None, expression: Any, connection: Any) -> str:
        if not value:
            return ""
        return decrypt(value)

    def get_prep_value(self, value: Any) -> str:
        if value in (None, ""):
            return ""
        return encrypt(str(value))


def mask(value: str, visible: int = 3) -> str:
    """Show only the last ``visible`` characters: ``******789``."""
    if not value:
        return ""
    return "•" * max(len(value) - visible, 0) + value[-visible:]
