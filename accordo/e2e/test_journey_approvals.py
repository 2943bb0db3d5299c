"""Approvals in the browser (SPEC §5, §14, §15): offer → mail → approve with TOTP → certificate in the
dossier → outbox; a Collaborate client deciding through a temporary link with an e-mailed code; and a
rejection with its reason reaching the firm."""

from __future__ import annotations

import datetime
import hashlib
import io
import re
import time

import pytest
from django.utils import timezone
from fpdf import FPDF
from playwright.sync_api import Page
from pypdf import PdfReader

from accordo.accounts.models import User
from accordo.approvals import services
from accordo.approvals.models import Approval, Submission, TemporaryLink
from accordo.approvals.services import OfferedFile
from accordo.clients.models import Organisation, Tier
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.dossier.services import folders_from_template
from accordo.e2e.axe import checked
from accordo.e2e.flows import follow, log_in, log_in_staff, path_of, submit, visit
from accordo.testing.factories import AssignmentFactory, enrol_totp, totp_now

pytestmark = pytest.mark.browser
SLOW = 30.0  # seconds: the worker renders the certificate after the decision


def return_pdf(title: str) -> bytes:
    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=14)
    for line in (title, "Belastbaar bedrag: EUR 101.820", "Verschuldigd: EUR 18.642"):
        pdf.cell(text=line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _link_in(text: str, base_url: str, path_prefix: str) -> str:
    match = re.search(re.escape(base_url + path_prefix) + r"[^\s<>\"]*", text)
    assert match, f"no {path_prefix} link to {base_url} in:\n{text}"
    return match.group(0)


def _until(check, timeout: float = SLOW):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


def _documents_shown(page: Page, approval: Approval) -> None:
    """Every document of the approval is in a frame on the page and has been loaded (evidence)."""
    frames = page.locator("main iframe.preview")
    assert frames.count() == approval.documents.count()
    _until(lambda: Event.objects.filter(verb="approval.document_viewed", target_id=str(approval.public_id)).count()
           >= approval.documents.count())  # fmt: skip


def test_staff_offer_a_vpb_return_the_client_approves_with_totp_and_it_is_filed_and_submitted(
    browse, live_server, settings, smtp_server, accountant: User, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN a client owner with an authenticator app, of an organisation on the extended tier
    WHEN staff offer a VPB return (uploaded PDF) for approval, the client opens the mailed link,
         views the document and approves with a fresh TOTP code, and staff mark it submitted
    THEN the certificate PDF lies in Aangiften/2025 beside the return and lists its SHA-256, the
         decision is evidence with 2FA passed, and the outbox shows the return submitted.
    """
    settings.SITE_URL = base = live_server.url
    folders_from_template(organisation)
    enrol_totp(client_owner)
    data = return_pdf("Aangifte vennootschapsbelasting 2025")
    sha = hashlib.sha256(data).hexdigest()
    detail = f"/staff/organisations/{organisation.public_id}/"

    staff = browse()
    log_in_staff(staff, base, accountant)
    follow(staff, "/staff/organisations/")
    follow(staff, detail)
    follow(staff, f"/staff/approvals/offer/{organisation.public_id}/")
    staff.select_option("select[name=type]", "vpb")
    staff.fill("input[name=period]", "2025")
    staff.fill("input[name=title]", "Aangifte VPB 2025")
    staff.fill("input[name=amount]", "18642.00")
    staff.fill("input[name=due_date]", (timezone.localdate() + datetime.timedelta(days=14)).isoformat())
    staff.check(f"input[name=deciders][value='{client_owner.public_id}']")
    staff.set_input_files("#id_files", {"name": "aangifte-vpb-2025.pdf", "mimeType": "application/pdf", "buffer": data})
    submit(staff, "main form[enctype] button[type=submit]")
    approval = Approval.objects.get()
    assert path_of(staff) == f"/staff/approvals/{approval.public_id}/"
    assert approval.documents.get().sha256 == sha

    mail = smtp_server.wait_for(to=client_owner.email)
    link = _link_in(mail.text(), base, "/portal/approvals/")
    assert link == f"{base}/portal/approvals/{approval.public_id}/"

    person = browse()
    log_in(person, base, client_owner.email)
    assert path_of(person) == "/accounts/2fa/authenticate/"
    person.fill("input[name=code]", totp_now())
    submit(person)
    assert person.locator(f'main a[href="/portal/approvals/{approval.public_id}/"]').count() >= 1  # waiting for you
    visit(person, link)
    _documents_shown(person, approval)
    assert approval.statement in person.locator("main").inner_text()
    person.check("input[name=agree]")
    person.fill("input[name=code]", totp_now(offset=1))  # a fresh code, not the login's
    submit(person, f'form[action="/portal/approvals/{approval.public_id}/approve/"] button[type=submit]')
    assert path_of(person) == f"/portal/approvals/{approval.public_id}/"
    approval.refresh_from_db()
    assert approval.status == Approval.Status.APPROVED
    decided = Event.objects.get(verb="approval.approved")
    assert decided.mfa_passed and decided.actor == client_owner and decided.data["statement"] == approval.statement

    _until(lambda: Approval.objects.get(pk=approval.pk).certificate_id)
    approval.refresh_from_db()
    certificate = approval.certificate
    assert certificate is not None and certificate.current is not None and certificate.folder.parent is not None
    assert [certificate.folder.parent.name, certificate.folder.name] == ["Aangiften", "2025"]
    assert sorted(certificate.folder.documents.values_list("name", flat=True)) == sorted(
        ["aangifte-vpb-2025.pdf", certificate.name]
    )
    with certificate.current.file.open("rb") as handle:
        text = "".join("".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(handle.read())).pages)
    assert sha in text

    follow(staff, "/staff/approvals/outbox/")
    submission = Submission.objects.get(approval=approval)
    assert submission.status == Submission.Status.READY
    row = staff.locator("main tbody tr").filter(has=staff.locator(f'a[href="/staff/approvals/{approval.public_id}/"]'))
    row.locator("input[name=reference]").fill("VPB-2025-0001")
    submit(staff, f'form[action="/staff/approvals/outbox/{submission.public_id}/advance/"] button[type=submit]')
    submission.refresh_from_db()
    assert (submission.status, submission.reference) == (Submission.Status.SUBMITTED, "VPB-2025-0001")
    assert "VPB-2025-0001" in staff.locator("main").inner_text()


def _offer(accountant: User, organisation: Organisation, decider: User, title: str) -> Approval:
    data = return_pdf(title)
    return services.approval_offer(
        actor=accountant,
        ctx=RequestContext(ip="127.0.0.1"),
        organisation=organisation,
        type="ib",
        period="2025",
        title=title,
        documents=[OfferedFile(io.BytesIO(data), "aangifte.pdf", len(data), "application/pdf",  # type: ignore[arg-type]
                               hashlib.sha256(data).hexdigest())],
        deciders=[decider],
    )  # fmt: skip


def test_a_collaborate_client_approves_through_a_temporary_link_with_the_emailed_code(
    browse, live_server, settings, smtp_server, accountant: User, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN an organisation on the Collaborate tier (no portal)
    WHEN staff offer a return, and the contact opens the mailed personal link, asks for a code,
         first types a wrong one and then the mailed one
    THEN the wrong code is refused with the attempts left, the right one approves as that contact,
         and the link no longer works (410).
    """
    settings.SITE_URL = base = live_server.url
    organisation.tier = Tier.COLLABORATE
    organisation.save(update_fields=["tier"])
    approval = _offer(accountant, organisation, client_owner, "Aangifte IB 2025")
    mail = smtp_server.wait_for(to=client_owner.email)
    link = _link_in(mail.text(), base, "/l/")
    assert TemporaryLink.objects.get().approval == approval

    person = browse()
    visit(person, link)
    _documents_shown(person, approval)
    submit(person, "main form[action$='/code/'] button[type=submit]")
    code_mail = _until(
        lambda: next((m for m in smtp_server.received if client_owner.email in m.rcpt_tos and m is not mail), None)
    )
    found = re.search(r"\b(\d{6})\b", code_mail.text())
    assert found is not None
    code = found.group(1)
    person.check("input[name=agree]")
    person.fill("input[name=code]", "000000" if code != "000000" else "111111")
    submit(person, "main form[action$='/approve/'] button[type=submit]")
    assert "4" in person.locator("main .has-error, main [role=alert]").first.inner_text()
    assert Approval.objects.get(pk=approval.pk).status == Approval.Status.OFFERED
    person.check("input[name=agree]")
    person.fill("input[name=code]", code)
    submit(person, "main form[action$='/approve/'] button[type=submit]")
    approval.refresh_from_db()
    assert approval.status == Approval.Status.APPROVED
    decided = Event.objects.get(verb="approval.approved")
    assert decided.actor == client_owner and decided.data["email_code"] is True

    response = person.goto(link)
    assert response is not None and response.status == 410
    checked(person)  # the dead-link page itself passes axe


def test_a_rejection_with_its_reason_reaches_the_firm(
    browse, live_server, settings, smtp_server, accountant: User, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN an offer waiting for a client owner
    WHEN the owner rejects it in the portal, first without a reason, then with one
    THEN the first try is refused and nothing changes; the second rejects it, the accountant is
         mailed the reason, and the staff approval page and overview show it rejected.
    """
    settings.SITE_URL = base = live_server.url
    AssignmentFactory(organisation=organisation, user=accountant, role="accountant")
    approval = _offer(accountant, organisation, client_owner, "Aangifte IB 2025")
    reason = "De giften aan de kerk ontbreken nog."

    person = browse()
    log_in(person, base, client_owner.email)
    visit(person, f"{base}/portal/approvals/{approval.public_id}/")
    person.locator("main details summary").first.click()
    reject = f'form[action="/portal/approvals/{approval.public_id}/reject/"]'
    person.locator(f"{reject} textarea[name=reason]").evaluate("(el) => el.removeAttribute('required')")
    submit(person, f"{reject} button[type=submit]")
    assert Approval.objects.get(pk=approval.pk).status == Approval.Status.OFFERED
    person.locator(f"{reject} textarea[name=reason]").fill(reason)
    submit(person, f"{reject} button[type=submit]")
    assert Approval.objects.get(pk=approval.pk).status == Approval.Status.REJECTED

    mail = smtp_server.wait_for(to=accountant.email)
    assert reason in mail.text()
    page = _link_in(mail.text(), base, "/staff/approvals/")
    staff = browse()
    log_in_staff(staff, base, accountant)
    visit(staff, page)
    assert reason in staff.locator("main").inner_text()
    follow(staff, "/staff/approvals/")
    assert staff.locator(f'main a[href="/staff/approvals/{approval.public_id}/"]').count() == 1


def test_an_offer_with_files_goes_up_with_a_progress_bar_and_comes_back_with_its_errors(
    browse, live_server, accountant: User, client_owner: User, organisation: Organisation
) -> None:
    """
    GIVEN the offer form with a PDF chosen but nobody to decide
    WHEN staff submit it
    THEN the upload shows a progress bar, the form comes back with the error, and nothing is stored.
    """
    base = live_server.url
    staff = browse()
    log_in_staff(staff, base, accountant)
    visit(staff, f"{base}/staff/approvals/offer/{organisation.public_id}/")
    bar = staff.locator("main progress[data-progress]")
    assert bar.is_hidden()
    staff.fill("input[name=period]", "2025")
    staff.fill("input[name=title]", "Aangifte VPB 2025")
    staff.set_input_files("#id_files", {"name": "a.pdf", "mimeType": "application/pdf", "buffer": return_pdf("x")})
    with staff.expect_response(lambda r: r.request.method == "POST") as answer:
        staff.locator("main form[enctype] button[type=submit]").click()
    assert answer.value.status == 400
    assert answer.value.request.resource_type == "xhr"  # sent by the progress-bar script, not a plain submit
    staff.wait_for_function("() => !document.querySelector('progress[data-progress]') || "
                            "document.querySelector('.has-error, .errorlist, [role=alert]:not([hidden])')")  # fmt: skip
    checked(staff)
    assert path_of(staff) == f"/staff/approvals/offer/{organisation.public_id}/"
    assert staff.locator("main .has-error, main .errorlist").count() >= 1
    assert not Approval.objects.exists()
