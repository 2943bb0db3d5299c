import re

import pytest
from django.urls import reverse

from accordo.accounts.models import User
from accordo.core.models import Event
from accordo.testing.factories import StaffFactory


@pytest.fixture
def admin_client(client, firm_admin):
    client.force_login(firm_admin)
    return client


def test_it_adds_a_staff_member_who_gets_a_password_link_by_mail(transactional_db, smtp_server, client, firm_admin):
    client.force_login(firm_admin)
    response = client.post(
        reverse("staff:team"),
        {"email": "Nieuw@Firm.test", "full_name": "Nora Nieuw", "role": "tax_advisor", "language": "nl"},
    )
    assert response.status_code == 302
    user = User.objects.get(email="nieuw@firm.test")
    assert user.staff_role == "tax_advisor" and not user.has_usable_password()
    mail = smtp_server.wait_for(to="nieuw@firm.test")
    link = re.search(r"http://\S+/accounts/password/reset/key/\S+/", mail.text()).group(0)
    anonymous = client.__class__()
    page = anonymous.get(link.split("8000", 1)[-1], follow=True)
    assert 'name="password1"' in page.content.decode()
    assert Event.objects.filter(verb="staff.added", target_id=str(user.public_id)).exists()


def test_it_refuses_an_address_that_has_an_account(admin_client, accountant):
    response = admin_client.post(
        reverse("staff:team"), {"email": accountant.email, "full_name": "X", "role": "assistant", "language": "nl"}
    )
    assert response.status_code == 400
    assert User.objects.filter(email=accountant.email).count() == 1


def test_it_changes_a_role_and_records_it(admin_client, accountant):
    response = admin_client.post(reverse("staff:team_role", args=[accountant.public_id]), {"role": "assistant"})
    assert response.status_code == 302
    accountant.refresh_from_db()
    assert accountant.staff_role == "assistant"
    event = Event.objects.get(verb="staff.role_changed")
    assert event.data["old"] == "accountant" and event.data["new"] == "assistant"


def test_it_keeps_the_admin_from_demoting_or_blocking_themselves(admin_client, firm_admin):
    admin_client.post(reverse("staff:team_role", args=[firm_admin.public_id]), {"role": "assistant"})
    admin_client.post(reverse("staff:team_active", args=[firm_admin.public_id]), {"active": "0"})
    firm_admin.refresh_from_db()
    assert firm_admin.staff_role == "admin" and firm_admin.is_active
    assert not Event.objects.filter(verb__in=["staff.role_changed", "staff.deactivated"]).exists()


def test_it_blocks_and_allows_sign_in(admin_client, accountant, client):
    admin_client.post(reverse("staff:team_active", args=[accountant.public_id]), {"active": "0"})
    accountant.refresh_from_db()
    assert not accountant.is_active
    other = client.__class__()
    response = other.post(
        reverse("account_login"), {"login": accountant.email, "password": "correct-horse-battery-staple"}
    )
    assert response.status_code != 302 or "/staff/" not in response.get("Location", "")
    admin_client.post(reverse("staff:team_active", args=[accountant.public_id]), {"active": "1"})
    accountant.refresh_from_db()
    assert accountant.is_active
    assert [e.verb for e in Event.objects.filter(verb__startswith="staff.")] == [
        "staff.deactivated",
        "staff.reactivated",
    ]


@pytest.mark.parametrize("name", ["staff:team_role", "staff:team_active"])
def test_it_answers_404_to_non_admins_and_for_client_users(client, accountant, client_owner, name):
    target = StaffFactory(email="target@firm.test")
    for user in (accountant, client_owner):
        client.force_login(user)
        assert client.post(reverse(name, args=[target.public_id]), {"role": "admin", "active": "0"}).status_code == 404
        assert client.get(reverse("staff:team")).status_code == 404
    target.refresh_from_db()
    assert target.staff_role == "accountant" and target.is_active


def test_it_answers_404_for_a_client_user_id(admin_client, client_owner):
    response = admin_client.post(reverse("staff:team_active", args=[client_owner.public_id]), {"active": "0"})
    assert response.status_code == 404
    client_owner.refresh_from_db()
    assert client_owner.is_active


def test_it_refuses_get_on_post_only_endpoints(admin_client, accountant):
    assert admin_client.get(reverse("staff:team_role", args=[accountant.public_id])).status_code == 405
