"""Strict parsing of ACCORDO_* variables, and a bad value stopping the start with a clear message."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from accordo.core.env import Env, email_settings


def env_of(**values: str) -> Env:
    return Env({f"ACCORDO_{name}": value for name, value in values.items()})


# --- bool ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "On", " true "])
def test_it_reads_true_spellings(raw):
    assert env_of(FLAG=raw).bool("FLAG") is True


@pytest.mark.parametrize("raw", ["0", "false", "No", "off", ""])
def test_it_reads_false_spellings(raw):
    assert env_of(FLAG=raw).bool("FLAG", default=True) is False


def test_it_uses_the_bool_default_when_unset():
    assert env_of().bool("FLAG", default=True) is True
    assert env_of().bool("FLAG") is False


def test_it_rejects_an_unclear_bool_naming_the_variable():
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_FLAG: expected true or false, got 'maybe'"):
        env_of(FLAG="maybe").bool("FLAG")


# --- int -----------------------------------------------------------------------------------------


def test_it_reads_a_whole_number():
    assert env_of(N=" 42 ").int("N", 1) == 42


def test_it_uses_the_int_default_when_unset_or_blank():
    assert env_of().int("N", 7) == 7
    assert env_of(N="  ").int("N", 7) == 7


def test_it_rejects_a_non_number():
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_N: expected a whole number, got 'abc'"):
        env_of(N="abc").int("N", 1)


def test_it_rejects_a_fraction():
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_N"):
        env_of(N="1.5").int("N", 1)


def test_it_enforces_the_minimum_and_maximum():
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_N: must be at least 1, got 0"):
        env_of(N="0").int("N", 5, minimum=1)
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_N: must be at most 10, got 11"):
        env_of(N="11").int("N", 5, maximum=10)
    assert env_of(N="1").int("N", 5, minimum=1, maximum=10) == 1
    assert env_of(N="10").int("N", 5, minimum=1, maximum=10) == 10


# --- list, choice, str ---------------------------------------------------------------------------


def test_it_splits_a_list_and_drops_empty_items():
    assert env_of(HOSTS=" a.nl , b.nl,, ").list("HOSTS", []) == ["a.nl", "b.nl"]


def test_it_uses_the_list_default_when_unset():
    assert env_of().list("HOSTS", ["localhost"]) == ["localhost"]


def test_it_gives_an_empty_list_for_an_empty_value():
    assert env_of(HOSTS="").list("HOSTS", ["localhost"]) == []


def test_it_accepts_a_listed_choice():
    assert env_of(LEVEL="DEBUG").choice("LEVEL", "INFO", ("DEBUG", "INFO")) == "DEBUG"
    assert env_of().choice("LEVEL", "INFO", ("DEBUG", "INFO")) == "INFO"


def test_it_rejects_an_unlisted_choice_naming_the_options():
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_LEVEL: expected one of DEBUG, INFO, got 'LOUD'"):
        env_of(LEVEL="LOUD").choice("LEVEL", "INFO", ("DEBUG", "INFO"))


def test_it_strips_a_string():
    assert env_of(NAME="  Accordo ").str("NAME") == "Accordo"
    assert env_of().str("NAME", "fallback") == "fallback"


# --- url -----------------------------------------------------------------------------------------


def test_it_accepts_a_url_with_an_allowed_scheme():
    value = env_of(DB="postgres://u:p@db:5432/accordo").url("DB", "", ("sqlite", "postgres"))
    assert value == "postgres://u:p@db:5432/accordo"


def test_it_allows_an_empty_url_when_the_default_is_empty():
    assert env_of().url("REDIS", "", ("redis",)) == ""


def test_it_rejects_a_url_with_another_scheme():
    with pytest.raises(
        ImproperlyConfigured, match=r"ACCORDO_DB: expected a URL starting with sqlite:// or postgres://"
    ):
        env_of(DB="mysql://x").url("DB", "", ("sqlite", "postgres"))


def test_it_rejects_a_url_without_a_scheme():
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_SITE"):
        env_of(SITE="portal.example.nl").url("SITE", "", ("http", "https"))


# --- secret --------------------------------------------------------------------------------------


def test_it_reads_a_secret_directly():
    assert env_of(KEY=" s3cret ").secret("KEY") == "s3cret"
    assert env_of().secret("KEY", "default") == "default"


def test_it_reads_a_secret_from_a_file(tmp_path: Path):
    secret_file = tmp_path / "key"
    secret_file.write_text("from-the-file\n", encoding="utf-8")
    assert env_of(KEY_FILE=str(secret_file)).secret("KEY") == "from-the-file"


def test_it_refuses_a_secret_set_both_ways(tmp_path: Path):
    secret_file = tmp_path / "key"
    secret_file.write_text("x", encoding="utf-8")
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_KEY: set either ACCORDO_KEY or ACCORDO_KEY_FILE"):
        env_of(KEY="direct", KEY_FILE=str(secret_file)).secret("KEY")


def test_it_names_the_file_variable_when_the_file_is_unreadable(tmp_path: Path):
    missing = tmp_path / "missing"
    with pytest.raises(ImproperlyConfigured, match=r"ACCORDO_KEY_FILE: cannot read"):
        env_of(KEY_FILE=str(missing)).secret("KEY")


def test_it_reads_os_environ_by_default(monkeypatch):
    monkeypatch.setenv("ACCORDO_UNIT_TEST_FLAG", "yes")
    assert Env().bool("UNIT_TEST_FLAG") is True


# --- e-mail URL ----------------------------------------------------------------------------------


def test_it_configures_console_mail():
    assert email_settings("console://") == {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}


def test_it_configures_memory_mail():
    assert email_settings("memory://")["EMAIL_BACKEND"] == "django.core.mail.backends.locmem.EmailBackend"


def test_it_configures_file_mail_with_the_folder():
    result = email_settings("file:///var/mail/accordo%20box")
    assert result["EMAIL_BACKEND"] == "django.core.mail.backends.filebased.EmailBackend"
    assert result["EMAIL_FILE_PATH"] == "/var/mail/accordo box"


def test_it_refuses_file_mail_without_a_folder():
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_EMAIL_URL: file:// needs a folder"):
        email_settings("file://")


def test_it_configures_plain_smtp_with_credentials():
    result = email_settings("smtp://mailer%40firm.nl:p%40ss@mail.firm.nl:2525")
    assert result["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"
    assert result["EMAIL_HOST"] == "mail.firm.nl"
    assert result["EMAIL_PORT"] == 2525
    assert result["EMAIL_HOST_USER"] == "mailer@firm.nl"
    assert result["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert result["EMAIL_USE_TLS"] is False
    assert result["EMAIL_USE_SSL"] is False


def test_it_defaults_plain_smtp_to_port_25_without_credentials():
    result = email_settings("smtp://mail.firm.nl")
    assert result["EMAIL_PORT"] == 25
    assert result["EMAIL_HOST_USER"] == ""
    assert result["EMAIL_HOST_PASSWORD"] == ""


def test_it_configures_starttls():
    result = email_settings("smtp+tls://mail.firm.nl:587")
    assert result["EMAIL_PORT"] == 587
    assert result["EMAIL_USE_TLS"] is True
    assert result["EMAIL_USE_SSL"] is False


def test_it_configures_implicit_tls_on_port_465():
    result = email_settings("smtps://mail.firm.nl")
    assert result["EMAIL_PORT"] == 465
    assert result["EMAIL_USE_SSL"] is True
    assert result["EMAIL_USE_TLS"] is False


def test_it_refuses_smtp_without_a_host():
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_EMAIL_URL: an SMTP URL needs a host"):
        email_settings("smtp://")


def test_it_refuses_a_non_numeric_smtp_port():
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_EMAIL_URL: the port must be a number"):
        email_settings("smtp://mail.firm.nl:abc")


@pytest.mark.parametrize("url", ["ftp://x", "mail.firm.nl", "", "https://mail.firm.nl"])
def test_it_refuses_an_unknown_mail_scheme(url):
    with pytest.raises(ImproperlyConfigured, match="ACCORDO_EMAIL_URL: expected console://"):
        email_settings(url)


# --- the settings module -------------------------------------------------------------------------


def _start_django(tmp_path: Path, **overrides: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDO_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="accordo.settings",
        ACCORDO_TESTING="true",
        ACCORDO_DATA_DIR=str(tmp_path / "data"),
    )
    environ.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_it_starts_with_the_defaults(tmp_path):
    result = _start_django(tmp_path)
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("ACCORDO_DEBUG", "maybe"),
        ("ACCORDO_DATABASE_URL", "mysql://x"),
        ("ACCORDO_SECRET_KEY", "short"),
        ("ACCORDO_EMAIL_URL", "ftp://x"),
        ("ACCORDO_SESSION_IDLE_MINUTES", "abc"),
        ("ACCORDO_SESSION_IDLE_MINUTES", "0"),
        ("ACCORDO_LOG_LEVEL", "LOUD"),
        ("ACCORDO_SITE_URL", "portal.example.nl"),
    ],
)
def test_it_refuses_to_start_with_a_bad_value(tmp_path, variable, value):
    result = _start_django(tmp_path, **{variable: value})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable}:" in result.stderr


def test_it_refuses_to_start_with_a_secret_key_given_twice(tmp_path):
    key_file = tmp_path / "secret"
    key_file.write_text("k" * 60, encoding="utf-8")
    result = _start_django(tmp_path, ACCORDO_SECRET_KEY="k" * 60, ACCORDO_SECRET_KEY_FILE=str(key_file))
    assert result.returncode != 0
    assert "ACCORDO_SECRET_KEY_FILE" in result.stderr
