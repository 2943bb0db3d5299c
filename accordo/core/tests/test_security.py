"""Security headers, the production deploy check, the health check and the branding assets."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.urls import reverse

from accordo.clients.selectors import firm_get
from accordo.testing.factories import TEST_PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    directives = {}
    for part in response["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


# --- headers -------------------------------------------------------------------------------------


def test_it_sends_a_strict_content_security_policy(client):
    response = client.get(reverse("account_login"))
    csp = csp_directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]


def test_it_forbids_framing_sniffing_and_leaking_referrers(client):
    response = client.get(reverse("account_login"))
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert "geolocation=()" in response["Permissions-Policy"]
    assert "microphone=()" in response["Permissions-Policy"]


def test_it_sends_the_headers_on_errors_too(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_it_keeps_the_session_and_csrf_cookies_away_from_scripts():
    assert settings.SESSION_COOKIE_HTTPONLY is True
    assert settings.CSRF_COOKIE_HTTPONLY is True
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


@pytest.mark.parametrize("who", ["anonymous", "accountant", "client_owner"])
def test_it_renders_pages_without_inline_script_or_style(client, request, organisation, who):
    """The CSP forbids inline code; a page that relied on it would silently break in browsers."""
    if who == "anonymous":
        urls = [reverse("account_login"), reverse("account_reset_password")]
    else:
        client.force_login(request.getfixturevalue(who))
        urls = [reverse("profile")]
        if who == "accountant":
            urls += [
                reverse("staff:home"),
                reverse("staff:organisation_list"),
                reverse("staff:organisation_detail", args=[organisation.public_id]),
            ]
        else:
            urls += [reverse("portal:home"), reverse("portal:organisation_home", args=[organisation.public_id])]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), url
        assert not INLINE_STYLE.search(html), url


def test_it_renders_the_2fa_pages_without_inline_script_or_style(client):
    staff = StaffFactory(email="new.staff@firm.test", staff_role="assistant")
    client.post(reverse("account_login"), {"login": staff.email, "password": TEST_PASSWORD})
    for name in ("mfa_activate_totp", "mfa_index", "account_change_password"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), name
        assert not INLINE_STYLE.search(html), name


# --- production settings -------------------------------------------------------------------------


def _production_env(tmp_path) -> dict[str, str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("ACCORDO_")}
    environ.update(
        DJANGO_SETTINGS_MODULE="accordo.settings",
        ACCORDO_HTTPS="true",
        ACCORDO_DEBUG="false",
        ACCORDO_SECRET_KEY=secrets.token_urlsafe(60)[:60],
        ACCORDO_TESTING="false",
        ACCORDO_DATA_DIR=str(tmp_path / "data"),
        ACCORDO_ALLOWED_HOSTS="portal.example.nl",
    )
    return environ


def test_it_passes_the_deploy_check_in_production(tmp_path):
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy"],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues" in output
    assert "WARNINGS" not in output


def test_it_secures_cookies_and_transport_in_production(tmp_path):
    script = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.LANGUAGE_COOKIE_SECURE, s.SESSION_COOKIE_NAME, s.DEBUG]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=_production_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == '[true, true, true, 31536000, true, "__Host-sessionid", false]'


# --- health and branding -------------------------------------------------------------------------


def test_it_reports_health(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_health_only_to_get(client):
    assert client.post(reverse("healthz")).status_code == 405


def test_it_serves_the_firms_colours_as_css(client):
    firm = firm_get()
    firm.primary_color = "#123abc"
    firm.accent_color = "#fe9876"
    firm.save()

    response = client.get(reverse("branding_css"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/css")
    css = response.content.decode()
    assert "--brand-primary: #123abc;" in css
    assert "--brand-accent: #fe9876;" in css
    assert "immutable" in response["Cache-Control"]


def test_it_answers_404_for_the_logo_without_a_logo(client):
    firm_get()
    assert client.get(reverse("branding_logo")).status_code == 404


def test_it_streams_the_logo(client):
    firm = firm_get()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    firm.logo.save("logo.png", ContentFile(png), save=True)

    response = client.get(reverse("branding_logo"))

    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == png
    firm.logo.delete(save=False)


def test_it_answers_404_when_the_logo_file_is_gone(client):
    firm = firm_get()
    firm.logo.save("gone.png", ContentFile(b"x"), save=True)
    firm.logo.storage.delete(firm.logo.name)
    assert client.get(reverse("branding_logo")).status_code == 404
