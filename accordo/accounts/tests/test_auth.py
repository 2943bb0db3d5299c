"""Signing in: password, the 2FA stage and enrolment gate, lockout, idle expiry, language, profile."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.models import Authenticator
from django.core import mail
from django.urls import reverse

from accordo.accounts.middleware import LAST_SEEN
from accordo.clients.selectors import firm_get
from accordo.core.models import Event
from accordo.testing.factories import TEST_PASSWORD, StaffFactory, totp_now

pytestmark = pytest.mark.django_db

MFA_STAGE = "/accounts/2fa/authenticate/"


def sign_in(client, user, password: str = TEST_PASSWORD):
    return client.post(reverse("account_login"), {"login": user.email, "password": password})


def signed_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.fixture
def english(client):
    client.cookies["accordo_language"] = "en"
    return client


@pytest.fixture
def unenrolled_staff(db):
    return StaffFactory(email="new.staff@firm.test", staff_role="assistant")


# --- password and the second factor --------------------------------------------------------------


def test_it_signs_a_client_in_with_email_and_password(client, client_owner):
    response = sign_in(client, client_owner)
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert signed_in_as(client) == client_owner.pk
    assert client.get(reverse("home")).url == reverse("portal:home")


def test_it_accepts_the_email_in_any_case(client, client_owner):
    response = client.post(reverse("account_login"), {"login": "OWNER@Client.TEST", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert signed_in_as(client) == client_owner.pk


def test_it_refuses_a_wrong_password(client, client_owner):
    response = sign_in(client, client_owner, "wrong-password-123")
    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_as(client) is None


def test_it_asks_staff_for_the_totp_code_before_letting_them_in(client, accountant):
    response = sign_in(client, accountant)
    assert response.status_code == 302
    assert response.url.startswith(MFA_STAGE)
    assert signed_in_as(client) is None
    assert client.get(reverse("staff:home")).status_code == 302

    response = client.post(MFA_STAGE, {"code": totp_now()})

    assert response.status_code == 302
    assert signed_in_as(client) == accountant.pk
    assert client.get(response.url, follow=True).redirect_chain[-1][0] == reverse("staff:home")
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_refuses_a_wrong_totp_code(client, accountant):
    sign_in(client, accountant)
    wrong = "000000" if totp_now() != "000000" else "111111"
    response = client.post(MFA_STAGE, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert signed_in_as(client) is None


def test_it_marks_events_made_after_a_2fa_login(client, accountant):
    sign_in(client, accountant)
    client.post(MFA_STAGE, {"code": totp_now()})

    client.post(reverse("set_language"), {"language": "en", "next": "/staff/"})

    event = Event.objects.get(verb="user.language_changed")
    assert event.actor == accountant
    assert event.mfa_passed is True


def test_it_does_not_mark_events_made_after_a_password_only_login(client, client_owner):
    sign_in(client, client_owner)
    client.post(reverse("set_language"), {"language": "fr", "next": "/"})
    assert Event.objects.get(verb="user.language_changed").mfa_passed is False


# --- the 2FA enrolment gate ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "url_name",
    ["home", "staff:home", "staff:organisation_list", "staff:organisation_create", "portal:home", "profile"],
)
def test_it_sends_staff_without_totp_to_enrolment(client, unenrolled_staff, url_name):
    client.force_login(unenrolled_staff)
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response.url == reverse("mfa_activate_totp")


def test_it_sends_staff_without_totp_to_enrolment_from_an_organisation_page(client, unenrolled_staff, organisation):
    client.force_login(unenrolled_staff)
    for name in ("staff:organisation_detail", "staff:organisation_edit", "staff:invitation_create"):
        response = client.get(reverse(name, args=[organisation.public_id]))
        assert response.url == reverse("mfa_activate_totp"), name


def test_it_lets_staff_without_totp_enrol_and_then_reach_staff_pages(client, unenrolled_staff):
    response = sign_in(client, unenrolled_staff)
    assert client.get(response.url).url == reverse("mfa_activate_totp")

    page = client.get(reverse("mfa_activate_totp"))
    assert page.status_code == 200
    secret = page.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_now(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=unenrolled_staff, type=Authenticator.Type.TOTP).exists()
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_lets_staff_without_totp_reach_the_free_pages(client, unenrolled_staff):
    client.force_login(unenrolled_staff)
    assert client.get(reverse("healthz")).status_code == 200
    assert client.get(reverse("branding_css")).status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).url == "/"


def test_it_lets_staff_with_totp_through(client, accountant):
    client.force_login(accountant)
    assert client.get(reverse("staff:home")).status_code == 200


def test_it_does_not_require_totp_of_clients_by_default(client, client_owner, organisation):
    client.force_login(client_owner)
    assert client.get(reverse("portal:home")).status_code == 200
    assert client.get(reverse("portal:organisation_home", args=[organisation.public_id])).status_code == 200


def test_it_requires_totp_of_clients_when_the_firm_says_so(client, client_owner, organisation):
    firm = firm_get()
    firm.require_client_mfa = True
    firm.save()
    client.force_login(client_owner)
    for url in (reverse("portal:home"), reverse("portal:organisation_home", args=[organisation.public_id])):
        response = client.get(url)
        assert response.status_code == 302
        assert response.url == reverse("mfa_activate_totp")


# --- lockout -------------------------------------------------------------------------------------


def test_it_locks_an_address_out_after_five_failures(english, settings, client_owner):
    assert settings.AXES_FAILURE_LIMIT == 5
    for attempt in range(1, 6):
        response = sign_in(english, client_owner, "wrong-password-123")
        assert signed_in_as(english) is None
    assert attempt == 5
    assert response.status_code == 429
    assert "Too many failed attempts" in response.content.decode()

    response = sign_in(english, client_owner)

    assert signed_in_as(english) is None
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed attempts" in body
    assert reverse("account_reset_password") in body


def test_it_does_not_lock_out_before_the_limit(client, client_owner):
    for _attempt in range(4):
        sign_in(client, client_owner, "wrong-password-123")
    assert sign_in(client, client_owner).status_code == 302
    assert signed_in_as(client) == client_owner.pk


def test_it_locks_out_only_the_attacked_address(client, client_owner, client_viewer):
    for _attempt in range(5):
        sign_in(client, client_owner, "wrong-password-123")
    assert sign_in(client, client_viewer).status_code == 302
    assert signed_in_as(client) == client_viewer.pk


# --- idle sessions -------------------------------------------------------------------------------


def test_it_signs_out_an_idle_session(client, settings, client_owner):
    client.force_login(client_owner)
    assert client.get(reverse("portal:home")).status_code == 200
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 - 5
    session.save()

    response = client.get(reverse("portal:home"))

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    assert signed_in_as(client) is None
    assert client.get(reverse("portal:home")).url.startswith(reverse("account_login"))


def test_it_tells_why_the_idle_session_ended(english, client_owner):
    english.force_login(client_owner)
    english.get(reverse("portal:home"))
    session = english.session
    session[LAST_SEEN] = int(time.time()) - 24 * 3600
    session.save()

    response = english.get(reverse("portal:home"), follow=True)

    assert response.redirect_chain[0][0] == reverse("account_login")
    assert "signed out after a period of inactivity" in response.content.decode()


def test_it_keeps_an_active_session(client, settings, client_owner):
    client.force_login(client_owner)
    client.get(reverse("portal:home"))
    session = client.session
    session[LAST_SEEN] = int(time.time()) - settings.SESSION_IDLE_MINUTES * 60 + 60
    session.save()

    assert client.get(reverse("portal:home")).status_code == 200
    assert client.session[LAST_SEEN] >= int(time.time()) - 5


def test_it_uses_the_configured_idle_minutes(client, settings, client_owner):
    settings.SESSION_IDLE_MINUTES = 1
    client.force_login(client_owner)
    client.get(reverse("portal:home"))
    session = client.session
    session[LAST_SEEN] = int(time.time()) - 90
    session.save()
    assert client.get(reverse("portal:home")).url == reverse("account_login")


# --- language ------------------------------------------------------------------------------------


def test_it_speaks_dutch_by_default(client):
    response = client.get(reverse("account_login"))
    assert 'lang="nl"' in response.content.decode()
    assert response["Content-Language"] == "nl"


@pytest.mark.parametrize("language", ["en", "fr"])
def test_it_switches_language_with_a_cookie(client, language):
    response = client.post(reverse("set_language"), {"language": language, "next": reverse("account_login")})

    assert response.status_code == 302
    assert response.url == reverse("account_login")
    cookie = response.cookies["accordo_language"]
    assert cookie.value == language
    assert cookie["httponly"]
    page = client.get(reverse("account_login"))
    assert f'lang="{language}"' in page.content.decode()
    assert page["Content-Language"] == language


def test_it_saves_the_language_of_a_signed_in_user(client, client_owner):
    client.force_login(client_owner)
    client.post(reverse("set_language"), {"language": "fr", "next": "/portal/"})

    client_owner.refresh_from_db()
    assert client_owner.language == "fr"
    event = Event.objects.get(verb="user.language_changed")
    assert event.data == {"old": "nl", "new": "fr"}
    assert event.target_id == str(client_owner.public_id)


def test_it_records_nothing_when_the_language_stays_the_same(client, client_owner):
    client.force_login(client_owner)
    client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert not Event.objects.exists()


def test_it_uses_the_saved_language_without_a_cookie(client, client_owner):
    client_owner.language = "en"
    client_owner.save()
    client.force_login(client_owner)
    response = client.get(reverse("portal:home"))
    assert 'lang="en"' in response.content.decode()
    assert response["Content-Language"] == "en"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"])
def test_it_refuses_an_unsafe_next(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code == 302
    assert response.url == "/"


def test_it_refuses_an_unknown_language(client, client_owner):
    client.force_login(client_owner)
    response = client.post(reverse("set_language"), {"language": "de", "next": "/"})
    assert response.status_code == 400
    assert "accordo_language" not in response.cookies
    client_owner.refresh_from_db()
    assert client_owner.language == "nl"
    assert not Event.objects.exists()


def test_it_switches_language_only_by_post(client):
    assert client.get(reverse("set_language"), {"language": "en"}).status_code == 405


# --- profile -------------------------------------------------------------------------------------


def test_it_shows_the_profile(client, client_owner):
    client.force_login(client_owner)
    response = client.get(reverse("profile"))
    assert response.status_code == 200
    assert client_owner.email in response.content.decode()
    assert response.context["form"].initial == {"full_name": "Olga Owner", "language": "nl"}


def test_it_updates_name_and_language(client, client_owner):
    client.force_login(client_owner)
    client.cookies["accordo_language"] = "nl"

    response = client.post(reverse("profile"), {"full_name": "  Olga de Eigenaar ", "language": "en"})

    assert response.status_code == 302
    assert response.url == reverse("profile")
    assert response.cookies["accordo_language"].value == ""
    client_owner.refresh_from_db()
    assert (client_owner.full_name, client_owner.language) == ("Olga de Eigenaar", "en")
    event = Event.objects.get(verb="user.profile_changed")
    assert event.data["changes"]["full_name"] == {"old": "Olga Owner", "new": "Olga de Eigenaar"}
    assert event.data["changes"]["language"] == {"old": "nl", "new": "en"}


def test_it_refuses_a_bad_profile_language(client, client_owner):
    client.force_login(client_owner)
    response = client.post(reverse("profile"), {"full_name": "X", "language": "xx"})
    assert response.status_code == 400
    client_owner.refresh_from_db()
    assert client_owner.full_name == "Olga Owner"
    assert not Event.objects.exists()


def test_it_sends_anonymous_visitors_of_the_profile_to_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


# --- password reset ------------------------------------------------------------------------------


def test_it_mails_a_branded_password_reset_link(client, client_owner):
    firm = firm_get()
    firm.name = "Kantoor Van Dijk"
    firm.sender_email = "portal@vandijk.test"
    firm.save()

    response = client.post(reverse("account_reset_password"), {"email": client_owner.email})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [client_owner.email]
    assert message.from_email == "Kantoor Van Dijk <portal@vandijk.test>"
    assert "Kantoor Van Dijk" in message.subject
    assert "Kantoor Van Dijk" in message.body
    assert "/accounts/password/reset/key/" in message.body


def test_it_sends_no_reset_link_for_an_unknown_address(client, client_owner):
    response = client.post(reverse("account_reset_password"), {"email": "nobody@nowhere.test"})
    assert response.status_code == 302
    assert all("/accounts/password/reset/key/" not in m.body for m in mail.outbox)
    assert all(m.to == ["nobody@nowhere.test"] for m in mail.outbox)
