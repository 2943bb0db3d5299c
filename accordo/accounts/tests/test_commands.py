import re
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation
from accordo.core.models import Event


def test_it_creates_a_staff_admin_who_can_choose_a_password(db, client):
    out = StringIO()
    call_command("create_staff", "Boss@Firm.NL", "--name", "Baas", stdout=out)
    user = User.objects.get(email="boss@firm.nl")
    assert user.is_firm_admin and not user.has_usable_password()
    link = re.search(r"https?://\S+", out.getvalue()).group(0)
    path = link.split("8000", 1)[-1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    assert 'name="password1"' in response.content.decode()
    assert Event.objects.filter(verb="user.created", target_id=str(user.public_id)).exists()


def test_it_refuses_a_second_account_for_the_same_address(db):
    call_command("create_staff", "boss@firm.nl", stdout=StringIO())
    with translation.override("en"), pytest.raises(CommandError, match="exists already"):
        call_command("create_staff", "BOSS@firm.nl", stdout=StringIO())


def test_it_seeds_the_demo_once_and_changes_nothing_the_second_time(db):
    call_command("seed_demo", stdout=StringIO())
    counts = (User.objects.count(), Organisation.objects.count(), Membership.objects.count(), Event.objects.count())
    call_command("seed_demo", stdout=StringIO())
    assert counts == (
        User.objects.count(),
        Organisation.objects.count(),
        Membership.objects.count(),
        Event.objects.count(),
    )
    klant = User.objects.get(email="klant@demo.accordo.nl")
    roles = sorted(klant.memberships.values_list("role", flat=True))
    assert roles == ["owner", "owner", "viewer"]
    assert klant.check_password("accordo-demo")
    call_command("verify_events", stdout=StringIO())


def test_it_prints_the_current_totp_code_of_a_demo_account(db):
    from allauth.mfa.totp.internal.auth import validate_totp_code

    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_totp", "beheer@demo.accordo.nl", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    assert validate_totp_code("JBSWY3DPEHPK3PXPACCORDOADMIN2345", code)
