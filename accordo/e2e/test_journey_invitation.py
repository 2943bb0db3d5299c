"""From the staff's invitation, over a real SMTP server, to the client's own change in the timeline."""

from __future__ import annotations

import re
import time

import pytest

from accordo.e2e.flows import follow, log_in_staff, path_of, submit, visit
from accordo.testing.factories import AssignmentFactory

pytestmark = pytest.mark.browser

INVITEE = "nina.nieuw@client.test"
NEW_PASSWORD = "Zonnige-Dinsdag-Appeltaart"


def _link_in(text: str, base_url: str, path_prefix: str) -> str:
    match = re.search(re.escape(base_url + path_prefix) + r"[^\s<>\"]*", text)
    assert match, f"no {path_prefix} link to {base_url} in:\n{text}"
    return match.group(0)


def _wait_for_mail(smtp_server, *, to: str, containing: str, timeout: float = 10.0) -> str:
    """The text of the first mail to ``to`` that contains ``containing`` (others may arrive too)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for mail in list(smtp_server.received):
            if to in mail.rcpt_tos and containing in mail.text():
                return mail.text()
        time.sleep(0.05)
    raise AssertionError(f"no mail to {to} containing {containing}; got {[m.subject for m in smtp_server.received]}")


def test_it_takes_an_invited_client_from_the_mail_to_a_change_the_staff_sees(
    browse, live_server, settings, smtp_server, accountant, organisation
):
    """
    GIVEN an accountant assigned to an organisation
    WHEN they invite a new person, who opens the mailed link, creates an account and changes
         the visiting address
    THEN the accountant is mailed about it and the timeline shows old → new.
    """
    settings.SITE_URL = base = live_server.url
    AssignmentFactory(organisation=organisation, user=accountant)
    detail = f"/staff/organisations/{organisation.public_id}/"

    staff = browse()
    log_in_staff(staff, base, accountant)
    follow(staff, "/staff/organisations/")
    follow(staff, detail)
    follow(staff, f"{detail}invite/")
    staff.fill("input[name=email]", INVITEE)
    staff.fill("input[name=full_name]", "Nina Nieuw")
    staff.select_option("select[name=role]", "owner")
    submit(staff)
    assert path_of(staff) == detail
    assert staff.locator("main table").filter(has_text=INVITEE).count() == 1

    mail = smtp_server.wait_for(to=INVITEE)
    assert organisation.name in mail.subject
    link = _link_in(mail.text(), base, "/invitation/")
    assert link in mail.html()

    person = browse()
    visit(person, link)
    assert organisation.name in person.locator("h1").inner_text()
    person.fill("input[name=full_name]", "Nina Nieuw")
    person.fill("input[name=password1]", NEW_PASSWORD)
    person.fill("input[name=password2]", NEW_PASSWORD + "?")
    submit(person)
    assert person.locator(".field.has-error input[name=password2]").count() == 1
    person.fill("input[name=password1]", NEW_PASSWORD)
    person.fill("input[name=password2]", NEW_PASSWORD)
    submit(person)
    home = f"/portal/{organisation.public_id}/"
    assert path_of(person) == home
    assert person.locator("h1").inner_text() == organisation.name

    follow(person, f"{home}company/")
    follow(person, f"{home}company/edit/")
    person.fill("input[name=visit_street]", "Oudegracht 12")
    person.fill("input[name=visit_postcode]", "3511az")
    person.fill("input[name=visit_city]", "Amersfoort")
    submit(person)
    assert path_of(person) == f"{home}company/"
    data = person.locator("main dl").inner_text()
    assert "Oudegracht 12" in data and "3511 AZ" in data and "Amersfoort" in data

    notice = _wait_for_mail(smtp_server, to=accountant.email, containing=f"{detail}timeline/")
    timeline = _link_in(notice, base, f"{detail}timeline/")
    visit(staff, timeline)
    assert path_of(staff) == f"{detail}timeline/"
    changes = staff.locator("ol.timeline .changes").filter(has_text="Oudegracht 12").inner_text()
    assert "Straatweg 1 → Oudegracht 12" in changes
    assert "3511 AB → 3511 AZ" in changes
    assert "Utrecht → Amersfoort" in changes
