"""Every UI string is translated: Dutch (the default) and French completely, English plurals filled.

The catalogues under locale/ are the source of truth; the .mo files are build output (`make messages`),
so these tests read and compile the .po files themselves.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[3]
LOCALE = ROOT / "locale"
TRANSLATED = ["nl", "fr"]
PLURAL_FORMS = {
    "nl": "nplurals=2; plural=(n != 1);",
    "en": "nplurals=2; plural=(n != 1);",
    "fr": "nplurals=2; plural=(n > 1);",
}
# The same command as in the README, minus the paths a copy of the project does not have.
MAKEMESSAGES_IGNORE = ["--ignore=.venv", "--ignore=node_modules", "--ignore=staticfiles", "--ignore=*/tests/*"]


def _po(language: str, locale_dir: Path = LOCALE) -> Path:
    return locale_dir / language / "LC_MESSAGES" / "django.po"


def _read(path: Path) -> Catalog:
    with path.open("rb") as fh:
        return read_po(fh, domain="django")


def _msgid(message: Message) -> str:
    return message.id[0] if isinstance(message.id, (list, tuple)) else message.id


def _untranslated(catalog: Catalog) -> list[str]:
    """Messages (not the header) with an empty translation in any plural form."""
    missing = []
    for message in catalog:
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not strings or not all(strings):
            missing.append(_msgid(message))
    return missing


def _fuzzy(catalog: Catalog) -> list[str]:
    return [_msgid(m) if m.id else "(header)" for m in catalog if m.fuzzy]


def _problems(catalog: Catalog) -> str:
    lines = [f"  untranslated: {m!r}" for m in _untranslated(catalog)]
    lines += [f"  fuzzy: {m!r}" for m in _fuzzy(catalog)]
    return "\n".join(lines)


def _plural_forms(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith('"Plural-Forms:'):
            return line.removeprefix('"Plural-Forms:').removesuffix('\\n"').strip()
    return ""


@pytest.mark.parametrize("language", TRANSLATED)
def test_it_translates_every_message(language):
    catalog = _read(_po(language))
    assert len(catalog) > 100, f"locale/{language} looks empty"
    problems = _problems(catalog)
    assert not problems, f"locale/{language}/LC_MESSAGES/django.po is incomplete:\n{problems}"


def test_it_fills_the_english_plurals_without_fuzzy_entries():
    # English is the source language: plain messages may stay empty, plural ones may not.
    catalog = _read(_po("en"))
    empty_plurals = [_msgid(m) for m in catalog if m.pluralizable and not all(m.string)]
    assert not empty_plurals, f"English plural messages without translation: {empty_plurals}"
    assert not _fuzzy(catalog), f"English fuzzy messages: {_fuzzy(catalog)}"


@pytest.mark.parametrize("language", ["nl", "en", "fr"])
def test_it_keeps_the_plural_rule_and_the_placeholders(language):
    path = _po(language)
    assert _plural_forms(path) == PLURAL_FORMS[language]
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail("GNU gettext (msgfmt) is missing; `make install-dev` installs it")
    # --check compares every python-format placeholder of msgid and msgstr.
    result = subprocess.run(
        [msgfmt, "--check", "-o", os.devnull, str(path)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def _copy_project(target: Path) -> None:
    skip = shutil.ignore_patterns("tests", "e2e", "__pycache__", "*.pyc", "*.mo")
    shutil.copytree(ROOT / "accordo", target / "accordo", ignore=skip)
    shutil.copytree(ROOT / "locale", target / "locale", ignore=skip)
    shutil.copy2(ROOT / "manage.py", target / "manage.py")


def test_it_has_a_translation_for_every_string_in_the_source(tmp_path):
    """makemessages over a copy of the code finds nothing the committed catalogues lack."""
    if shutil.which("xgettext") is None or shutil.which("msgmerge") is None:
        pytest.fail("GNU gettext (xgettext, msgmerge) is missing; `make install-dev` installs it")
    project = tmp_path / "project"
    _copy_project(project)
    env = {**os.environ, "ACCORDO_TESTING": "true", "ACCORDO_DATA_DIR": str(tmp_path / "data")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    args = ["makemessages", *(f"-l{lang}" for lang in TRANSLATED), *MAKEMESSAGES_IGNORE]
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    for language in TRANSLATED:
        problems = _problems(_read(_po(language, project / "locale")))
        assert not problems, (
            f"The source has strings that locale/{language} lacks or that changed. Run makemessages "
            f"(see README), translate them and remove the fuzzy flags:\n{problems}"
        )


@pytest.fixture
def compiled_catalogues(tmp_path, settings):
    """Serve the translations of the committed .po files, whether or not `make messages` ran."""
    for language in PLURAL_FORMS:
        target = tmp_path / language / "LC_MESSAGES" / "django.mo"
        target.parent.mkdir(parents=True)
        with target.open("wb") as fh:
            write_mo(fh, _read(_po(language)))
    settings.LOCALE_PATHS = [tmp_path]  # the setting_changed signal empties Django's translation cache


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected", "foreign"),
    [
        ("nl", "Inloggen", ["Sign in", "Se connecter"]),
        ("en", "Sign in", ["Inloggen", "Se connecter"]),
        ("fr", "Se connecter", ["Inloggen", "Sign in"]),
    ],
)
def test_it_serves_the_login_page_in_the_chosen_language(client, compiled_catalogues, language, expected, foreign):
    client.cookies["accordo_language"] = language
    response = client.get(reverse("account_login"))
    assert response.status_code == 200
    page = response.content.decode()
    assert f'<html lang="{language}">' in page
    assert f'<button type="submit" class="primary">{expected}</button>' in page
    for other in foreign:
        assert other not in page, f"{other!r} on the {language} login page"
