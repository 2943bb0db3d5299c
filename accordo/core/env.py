"""Strict parsing of ACCORDO_* environment variables.

Every knob of the installation is an environment variable. A bad value stops the start with a
message that names the variable and what it expects, never a silent fallback.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.core.exceptions import ImproperlyConfigured

Text = str  # inside Env, ``str`` and ``int`` name the methods below
Whole = int
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*")


class Env:
    """Reads ACCORDO_* variables from a mapping (os.environ by default)."""

    def __init__(self, environ: Mapping[Text, Text] | None = None, prefix: Text = "ACCORDO_") -> None:
        self.environ = os.environ if environ is None else environ
        self.prefix = prefix

    def _raw(self, name: Text) -> Text | None:
        return self.environ.get(self.prefix + name)

    def fail(self, name: Text, message: Text) -> ImproperlyConfigured:
        return ImproperlyConfigured(f"{self.prefix}{name}: {message}")

    def str(self, name: Text, default: Text = "") -> Text:
        value = self._raw(name)
        return default if value is None else value.strip()

    def secret(self, name: Text, default: Text = "") -> Text:
        """A secret from NAME, or from the file named by NAME_FILE (not both)."""
        direct = self._raw(name)
        file_name = self._raw(name + "_FILE")
        if direct is not None and file_name is not None:
            raise self.fail(name, f"set either {self.prefix}{name} or {self.prefix}{name}_FILE, not both")
        if file_name is not None:
            try:
                return Path(file_name).read_text(encoding="utf-8").strip()
            except OSError as exc:
                raise self.fail(name + "_FILE", f"cannot read {file_name!r}: {exc.strerror}") from exc
        return default if direct is None else direct.strip()

    def bool(self, name: Text, default: bool = False) -> bool:
        value = self._raw(name)
        if value is None:
            return default
        lowered = value.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self.fail(name, f"expected true or false, got {value!r}")

    def int(self, name: Text, default: int, *, minimum: int | None = None, maximum: int | None = None) -> int:
        value = self._raw(name)
        if value is None or value.strip() == "":
            return default
        try:
            number = int(value.strip())
        except ValueError as exc:
            raise self.fail(name, f"expected a whole number, got {value!r}") from exc
        if minimum is not None and number < minimum:
            raise self.fail(name, f"must be at least {minimum}, got {number}")
        if maximum is not None and number > maximum:
            raise self.fail(name, f"must be at most {maximum}, got {number}")
        return number

    def list(self, name: Text, default: list[Text]) -> list[Text]:
        value = self._raw(name)
        if value is None:
            return default
        return [item.strip() for item in value.split(",") if item.strip()]

    def choice(self, name: Text, default: Text, choices: tuple[Text, ...]) -> Text:
        value = self.str(name, default)
        if value not in choices:
            raise self.fail(name, f"expected one of {', '.join(choices)}, got {value!r}")
        return value

    def url(self, name: Text, default: Text, schemes: tuple[Text, ...]) -> Text:
        value = self.str(name, default)
        if not value:
            return value
        parsed = urlparse(value)
        if parsed.scheme not in schemes:
            raise self.fail(name, f"expected a URL starting with {' or '.join(s + '://' for s in schemes)}")
        return value

    def domain(self, name: Text, default: Text) -> Text:
        """A mail domain such as ``in.kantoor.nl``, lower-cased."""
        value = self.str(name, default).lower().rstrip(".")
        if not _DOMAIN.fullmatch(value):
            raise self.fail(name, f"expected a domain name such as in.kantoor.nl, got {value!r}")
        return value

    def host_port(self, name: Text, default: Text = "") -> tuple[Text, Whole] | None:
        """``host:port`` (``[::1]:2525`` for IPv6) to listen on; empty means none."""
        value = self.str(name, default)
        if not value:
            return None
        host, colon, port = value.rpartition(":")
        if host.startswith("[") and host.endswith("]"):
            host = host[1:-1]
        elif ":" in host:
            host = ""
        if not colon or not host or not port.isdigit() or not 0 < int(port) < 65536:
            raise self.fail(name, f"expected host:port such as 127.0.0.1:2525, got {value!r}")
        return host, int(port)


@dataclass(frozen=True)
class ImapMailbox:
    """Where ``poll_mail_in`` fetches mail: one mailbox on an IMAP server (the password is not shown)."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    mailbox: str = "INBOX"
    ssl: bool = True


def imap_mailbox(url: Text, *, name: Text = "ACCORDO_MAIL_IN_IMAP") -> ImapMailbox | None:
    """The mailbox of ``imaps://user:password@host[:port]/MAILBOX`` (``imap://`` without TLS); empty → None."""
    if not url:
        return None
    parsed = urlparse(url)
    if parsed.scheme not in {"imap", "imaps"}:
        raise ImproperlyConfigured(f"{name}: expected imaps://user:password@host/INBOX (or imap:// without TLS)")
    try:
        port = parsed.port or (993 if parsed.scheme == "imaps" else 143)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}: the port must be a number") from exc
    if not parsed.hostname or not parsed.username or parsed.password is None:
        raise ImproperlyConfigured(
            f"{name}: needs a user, a password and a host, e.g. imaps://user:pw@imap.example.nl/INBOX"
        )
    mailbox = unquote(parsed.path.strip("/")) or "INBOX"
    if not mailbox.isascii() or not mailbox.isprintable():
        raise ImproperlyConfigured(f"{name}: the mailbox name must be plain ASCII, got {mailbox!r}")
    return ImapMailbox(
        host=parsed.hostname,
        port=port,
        user=unquote(parsed.username),
        password=unquote(parsed.password),
        mailbox=mailbox,
        ssl=parsed.scheme == "imaps",
    )


def email_settings(url: Text) -> dict[str, object]:
    """Django e-mail settings from ACCORDO_EMAIL_URL.

    console://            print mails on the terminal (default)
    file:///path          write each mail as a file into that folder
    smtp://user:pw@host:port      plain SMTP (STARTTLS with smtp+tls://, TLS with smtps://)
    memory://             keep mails in memory (tests)
    """
    parsed = urlparse(url)
    scheme = parsed.scheme
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "memory":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        if not parsed.path:
            raise ImproperlyConfigured("ACCORDO_EMAIL_URL: file:// needs a folder, e.g. file:///var/mail/accordo")
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": unquote(parsed.path),
        }
    if scheme in {"smtp", "smtp+tls", "smtps"}:
        if not parsed.hostname:
            raise ImproperlyConfigured("ACCORDO_EMAIL_URL: an SMTP URL needs a host, e.g. smtp://mail.example.nl:25")
        try:
            port = parsed.port or (465 if scheme == "smtps" else 25)
        except ValueError as exc:
            raise ImproperlyConfigured("ACCORDO_EMAIL_URL: the port must be a number") from exc
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parsed.hostname,
            "EMAIL_PORT": port,
            "EMAIL_HOST_USER": unquote(parsed.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
            "EMAIL_USE_TLS": scheme == "smtp+tls",
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_TIMEOUT": 30,
        }
    raise ImproperlyConfigured(
        "ACCORDO_EMAIL_URL: expected console://, file:///folder, memory://, smtp://, smtp+tls:// or smtps://"
    )
