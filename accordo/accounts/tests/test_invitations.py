"""Invitations: sending, the link for new and existing people, and the staff actions."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accordo.accounts import services
from accordo.accounts.models import Invitation, User
from accordo.clients.models import Firm, Membership
from accordo.core.context import RequestContext
from accordo.core.models import Event

pytestmark = pytest.mark.django_db

NEW_EMAIL = "nina.nieuw@client.test"
GOOD_PASSWORD = "Zonnebloem-Kade-77"
CTX = RequestContext.system("test")


@pytest.fixture
def firm(db):
    return Firm.objects.create(name="Kantoor Van Dijk", sender_email="portal@vandijk.test")


@pytest.fixture
def english(client):
    """Read pages in English so the assertions do not depend on the Dutch catalogue."""
    client.cookies["accordo_language"] = "en"
    return client


def invite(actor, organisation, email: str = NEW_EMAIL, role: str = "owner") -> Invitation:
    return services.invitation_create(
        actor=actor, ctx=CTX, organisation=organisation, email=email, role=role, full_name="Nina Nieuw"
    )


def link(invitation: Invitation, token: str | None = None) -> str:
    return reverse("invitation_accept", args=[invitation.public_id, token or services.invitation_token(invitation)])


def verbs() -> list[str]:
    return list(Event.objects.order_by("seq").values_list("verb", flat=True))


def new_person_form(password1: str = GOOD_PASSWORD, password2: str | None = None) -> dict[str, str]:
    return {"full_name": "Nina Nieuw", "password1": password1, "password2": password2 or password1}


# --- a new person --------------------------------------------------------------------------------


def test_it_shows_the_password_form_to_a_new_person(english, firm, firm_admin, organisation):
    response = english.get(link(invite(firm_admin, organisation)))
    assert response.status_code == 200
    body = response.content.decode()
    assert organisation.name in body
    assert NEW_EMAIL in body
    assert 'name="password1"' in body


def test_it_creates_the_account_and_membership_and_logs_in(client, firm_admin, organisation):
    invitation = invite(firm_admin, organisation, role="approver")

    response = client.post(link(invitation), new_person_form())

    assert response.status_code == 302
    assert response.url == reverse("portal:organisation_home", args=[organisation.public_id])
    user = User.objects.get(email=NEW_EMAIL)
    assert user.full_name == "Nina Nieuw"
    assert user.check_password(GOOD_PASSWORD)
    assert Membership.objects.get(user=user, organisation=organisation).role == "approver"
    assert int(client.session["_auth_user_id"]) == user.pk
    assert client.get(response.url).status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user
    assert verbs()[-2:] == ["user.created", "invitation.accepted"]
    accepted = Event.objects.get(verb="invitation.accepted")
    assert accepted.organisation == organisation
    assert accepted.data["new_account"] is True


@pytest.mark.parametrize(
    ("password1", "password2"),
    [("1234567890", None), ("short", None), ("password123", None), (GOOD_PASSWORD, GOOD_PASSWORD + "x")],
)
def test_it_refuses_a_weak_or_mismatched_password(client, firm_admin, organisation, password1, password2):
    invitation = invite(firm_admin, organisation)
    events_before = Event.objects.count()

    response = client.post(link(invitation), new_person_form(password1, password2))

    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()
    assert not Membership.objects.filter(organisation=organisation, user__email=NEW_EMAIL).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING
    assert Event.objects.count() == events_before
    assert "_auth_user_id" not in client.session


def test_it_answers_404_to_a_tampered_token(client, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    token = services.invitation_token(invitation)
    tampered = token[:-1] + ("0" if token[-1] != "0" else "1")
    assert client.get(link(invitation, tampered)).status_code == 404
    assert client.post(link(invitation, tampered), new_person_form()).status_code == 404
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_it_answers_404_to_an_unknown_invitation(client, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    url = reverse("invitation_accept", args=["00000000-0000-4000-8000-000000000000", "x" * 64])
    assert client.get(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_it_says_an_expired_invitation_expired(english, firm, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = english.post(link(invitation), new_person_form())

    assert response.status_code == 410
    assert "expired" in response.content.decode()
    assert firm.name in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_it_says_a_used_invitation_was_already_used(english, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    assert english.post(link(invitation), new_person_form()).status_code == 302
    english.logout()
    english.cookies["accordo_language"] = "en"  # logout() drops every cookie

    response = english.get(link(invitation))

    assert response.status_code == 410
    assert "already used" in response.content.decode()
    assert User.objects.filter(email=NEW_EMAIL).count() == 1


def test_it_says_a_revoked_invitation_was_withdrawn(english, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    services.invitation_revoke(actor=firm_admin, ctx=CTX, invitation=invitation)

    response = english.post(link(invitation), new_person_form())

    assert response.status_code == 410
    assert "withdrawn" in response.content.decode()
    assert not User.objects.filter(email=NEW_EMAIL).exists()


def test_it_kills_the_old_link_on_resend(client, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    old_link = link(invitation)
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() + timedelta(hours=1))

    resent = services.invitation_resend(actor=firm_admin, ctx=CTX, invitation=invitation)

    assert client.get(old_link).status_code == 404
    assert link(resent) != old_link
    assert resent.expires_at > timezone.now() + timedelta(days=1)
    assert client.get(link(resent)).status_code == 200


def test_it_lets_a_new_invitation_replace_an_open_one(client, firm_admin, organisation):
    first = invite(firm_admin, organisation)
    second = invite(firm_admin, organisation)
    assert Invitation.objects.get(pk=first.pk).status == Invitation.Status.REVOKED
    assert client.get(link(first)).status_code == 410
    assert client.get(link(second)).status_code == 200
    assert verbs() == ["invitation.sent", "invitation.revoked", "invitation.sent"]


# --- an existing person --------------------------------------------------------------------------


def test_it_asks_an_existing_user_to_sign_in(english, firm_admin, client_owner, other_organisation):
    invitation = invite(firm_admin, other_organisation, email=client_owner.email)

    response = english.get(link(invitation))

    assert response.status_code == 200
    body = response.content.decode()
    assert "Sign in to accept" in body
    assert f"{reverse('account_login')}?next={link(invitation)}" in body
    assert 'name="password1"' not in body
    assert english.post(link(invitation)).status_code == 200
    assert not Membership.objects.filter(user=client_owner, organisation=other_organisation).exists()


def test_it_gives_a_signed_in_existing_user_the_membership(client, firm_admin, client_owner, other_organisation):
    invitation = invite(firm_admin, other_organisation, email=client_owner.email, role="viewer")
    users_before = User.objects.count()
    client.force_login(client_owner)

    assert client.get(link(invitation)).status_code == 200
    response = client.post(link(invitation))

    assert response.status_code == 302
    assert response.url == reverse("portal:organisation_home", args=[other_organisation.public_id])
    assert User.objects.count() == users_before
    assert Membership.objects.get(user=client_owner, organisation=other_organisation).role == "viewer"
    assert Membership.objects.filter(user=client_owner).count() == 2
    accepted = Event.objects.get(verb="invitation.accepted")
    assert accepted.actor == client_owner
    assert accepted.data["new_account"] is False
    assert "user.created" not in verbs()


def test_it_forbids_accepting_as_somebody_else(client, firm_admin, client_owner, other_member, organisation):
    invitation = invite(firm_admin, organisation, email=other_member.email)
    client.force_login(client_owner)

    assert client.get(link(invitation)).status_code == 403
    assert client.post(link(invitation)).status_code == 403
    assert not Membership.objects.filter(user=other_member, organisation=organisation).exists()
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


def test_it_refuses_to_invite_an_existing_member(client, firm_admin, client_owner, organisation):
    client.force_login(firm_admin)
    url = reverse("staff:invitation_create", args=[organisation.public_id])
    data = {"email": client_owner.email.upper(), "role": "viewer", "language": "nl"}

    response = client.post(url, data)

    assert response.status_code == 400
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()
    assert not Event.objects.exists()


# --- staff actions -------------------------------------------------------------------------------


def test_it_lets_staff_invite(client, accountant, organisation):
    client.force_login(accountant)
    url = reverse("staff:invitation_create", args=[organisation.public_id])
    assert client.get(url).status_code == 200

    response = client.post(url, {"email": " Nina.Nieuw@Client.test ", "role": "viewer", "language": "en"})

    assert response.status_code == 302
    assert response.url == reverse("staff:organisation_detail", args=[organisation.public_id])
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.role, invitation.language) == (NEW_EMAIL, "viewer", "en")
    assert invitation.invited_by == accountant
    event = Event.objects.get(verb="invitation.sent")
    assert event.actor == accountant
    assert event.organisation == organisation
    assert event.target_id == str(invitation.public_id)


def test_it_refuses_a_bad_invitation_form(client, accountant, organisation):
    client.force_login(accountant)
    url = reverse("staff:invitation_create", args=[organisation.public_id])
    response = client.post(url, {"email": "not-an-address", "role": "king", "language": "nl"})
    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"email", "role"}
    assert not Invitation.objects.exists()


def test_it_lets_staff_resend(client, accountant, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    old_link = link(invitation)
    client.force_login(accountant)

    response = client.post(reverse("staff:invitation_resend", args=[invitation.public_id]))

    assert response.status_code == 302
    assert client.get(old_link).status_code == 404
    resent = Event.objects.order_by("-seq").first()
    assert (resent.verb, resent.actor, resent.data["resent"]) == ("invitation.sent", accountant, True)


def test_it_lets_staff_revoke(client, accountant, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    client.force_login(accountant)

    response = client.post(reverse("staff:invitation_revoke", args=[invitation.public_id]))

    assert response.status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.REVOKED
    revoked = Event.objects.order_by("-seq").first()
    assert (revoked.verb, revoked.actor) == ("invitation.revoked", accountant)


def test_it_does_not_revoke_or_resend_a_used_invitation(client, accountant, firm_admin, organisation):
    invitation = invite(firm_admin, organisation)
    services.invitation_accept(invitation=invitation, ctx=CTX, password=GOOD_PASSWORD)
    events_before = Event.objects.count()
    client.force_login(accountant)

    for name in ("staff:invitation_revoke", "staff:invitation_resend"):
        assert client.post(reverse(name, args=[invitation.public_id])).status_code == 302

    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.ACCEPTED
    assert Event.objects.count() == events_before


@pytest.mark.parametrize("name", ["staff:invitation_resend", "staff:invitation_revoke"])
def test_it_hides_the_staff_invitation_actions_from_clients(client, client_owner, firm_admin, organisation, name):
    invitation = invite(firm_admin, organisation)
    client.force_login(client_owner)
    assert client.post(reverse(name, args=[invitation.public_id])).status_code == 404
    assert client.post(reverse("staff:invitation_create", args=[organisation.public_id])).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).status == Invitation.Status.PENDING


@pytest.mark.parametrize("name", ["staff:invitation_resend", "staff:invitation_revoke"])
def test_it_allows_only_post_for_staff_invitation_actions(client, accountant, firm_admin, organisation, name):
    invitation = invite(firm_admin, organisation)
    client.force_login(accountant)
    assert client.get(reverse(name, args=[invitation.public_id])).status_code == 405


def test_it_answers_404_for_an_unknown_invitation_to_staff(client, accountant):
    client.force_login(accountant)
    url = reverse("staff:invitation_revoke", args=["00000000-0000-4000-8000-000000000000"])
    assert client.post(url).status_code == 404


# --- the mail ------------------------------------------------------------------------------------


def test_it_mails_the_invitation_over_smtp(transactional_db, smtp_server, client, accountant, organisation):
    firm = Firm.objects.create(name="Kantoor Van Dijk", sender_email="portal@vandijk.test")
    client.force_login(accountant)
    url = reverse("staff:invitation_create", args=[organisation.public_id])

    response = client.post(url, {"email": NEW_EMAIL, "full_name": "Nina", "role": "owner", "language": "en"})

    assert response.status_code == 302
    mail = smtp_server.wait_for(to=NEW_EMAIL)
    invitation = Invitation.objects.get()
    assert firm.name in mail.subject
    assert organisation.name in mail.subject
    assert "portal@vandijk.test" in mail.mail_from
    assert link(invitation) in mail.text()
    assert link(invitation) in mail.html()
    assert firm.name in mail.text()


def test_it_mails_the_new_link_on_resend(transactional_db, smtp_server, firm_admin, organisation):
    with transaction.atomic():
        invitation = invite(firm_admin, organisation)
    old_link = link(invitation)
    assert old_link in smtp_server.wait_for(to=NEW_EMAIL).text()

    with transaction.atomic():
        services.invitation_resend(actor=firm_admin, ctx=CTX, invitation=invitation)

    deadline = time.monotonic() + 10
    while len(smtp_server.received) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(smtp_server.received) == 2
    second = smtp_server.received[1].text()
    assert link(invitation) != old_link
    assert link(invitation) in second
    assert old_link not in second
