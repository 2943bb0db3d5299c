"""Tax returns and assessments in the browser (SPEC §6, §11): staff record an assessment that differs
from the return, the client is mailed what happens next, and the objection deadline is on the
client's calendar page and in their iCalendar feed."""

from __future__ import annotations

import datetime
import urllib.request
from decimal import Decimal

import pytest
from django.utils import timezone, translation
from django.utils.formats import date_format

from accordo.accounts.models import User
from accordo.clients.models import Organisation
from accordo.core.context import RequestContext
from accordo.deadlines.selectors import feed_url
from accordo.deadlines.services import calendar_feed_create
from accordo.e2e.flows import follow, log_in, log_in_staff, path_of, submit, visit
from accordo.filings.models import Assessment, ReturnStatus, TaxReturn
from accordo.filings.terms import nl_objection_due

pytestmark = pytest.mark.browser


def test_staff_record_a_not_conform_assessment_and_the_client_sees_the_objection_deadline(
    browse, live_server, settings, smtp_server, accountant: User, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN a submitted IB return of € 1.000 of a client on the extended tier
    WHEN staff record a final assessment of € 1.500 on the return's page
    THEN the client owner receives a mail in Dutch saying the firm reviews it and may object before
         the deadline, which is on the client's calendar page and in their iCalendar feed.
    """
    settings.SITE_URL = base = live_server.url
    tax_return = TaxReturn.objects.create(
        organisation=organisation, type="ib", period="2025", period_start=datetime.date(2025, 1, 1),
        period_end=datetime.date(2025, 12, 31), status=ReturnStatus.SUBMITTED, amount=Decimal("1000.00"),
    )  # fmt: skip
    dagtekening = timezone.localdate() - datetime.timedelta(days=5)
    due = nl_objection_due(dagtekening)
    with translation.override("nl"):
        due_nl = date_format(due, "DATE_FORMAT")

    staff = browse()
    log_in_staff(staff, base, accountant)
    visit(staff, f"{base}/staff/organisations/{organisation.public_id}/")
    follow(staff, f"/staff/filings/organisations/{organisation.public_id}/")
    follow(staff, f"/staff/filings/returns/{tax_return.public_id}/")
    follow(staff, f"/staff/filings/returns/{tax_return.public_id}/assessments/new/")
    staff.select_option("select[name=kind]", "final")
    staff.fill("input[name=number]", "1234.56.789.H.56")
    staff.fill("input[name=amount]", "1500.00")
    staff.fill("input[name=dagtekening]", dagtekening.isoformat())
    submit(staff)
    assert path_of(staff) == f"/staff/filings/returns/{tax_return.public_id}/"
    assessment = Assessment.objects.get()
    assert assessment.outcome == "not_conform" and assessment.objection_due == due

    mail = smtp_server.wait_for(to=client_owner.email)
    assert due_nl in mail.text(), mail.text()
    assert f"{base}/portal/filings/{organisation.public_id}/" in mail.text()

    person = browse()
    log_in(person, base, client_owner.email)
    visit(person, f"{base}/portal/filings/{organisation.public_id}/")
    assert due_nl in person.locator("main").inner_text()
    visit(person, f"{base}/portal/{organisation.public_id}/calendar/")
    assert due_nl in person.locator("main").inner_text()

    feed = calendar_feed_create(actor=client_owner, ctx=RequestContext())
    with urllib.request.urlopen(feed_url(feed), timeout=10) as response:  # noqa: S310 (the live server)
        ics = response.read().decode()
    assert f"DTSTART;VALUE=DATE:{due:%Y%m%d}" in ics
