"""THE ACCESS MATRIX: every URL of the project, who may reach it, and 404 for everybody else.

A new URL pattern fails ``test_it_registers_every_url_pattern`` until it is added to REGISTRY (and,
when it takes arguments, to OBJECT_KWARGS or PUBLIC_KWARGS) — so no page ships without a check.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from accordo.accounts import services as account_services
from accordo.accounts.models import Invitation, User
from accordo.approvals import links
from accordo.approvals.models import Approval, ApprovalDocument, Decider, LinkCode, Submission, TemporaryLink
from accordo.clients.models import Label, Membership, Organisation
from accordo.clients.selectors import firm_get
from accordo.core.context import RequestContext
from accordo.core.models import Event
from accordo.deadlines.models import CalendarFeed, PayrollDate
from accordo.deadlines.selectors import feed_token
from accordo.deliveries.models import Delivery, QuarantinedMail, Tray
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.filings.tests import matrix as matrix_filings
from accordo.testing.factories import LabelFactory, StaffFactory, enrol_totp
from accordo.work.tests import matrix_board, matrix_reminders, matrix_rules

PUBLIC, PERSONAL, STAFF, ADMIN, PORTAL = "public", "personal", "staff", "admin", "portal"

REGISTRY: dict[str, str] = {
    # Anonymous may open these (or is sent on by allauth itself); they must never fail.
    "home": PUBLIC,
    "healthz": PUBLIC,
    "branding_css": PUBLIC,
    "branding_logo": PUBLIC,
    "set_language": PUBLIC,
    "invitation_accept": PUBLIC,
    "account_login": PUBLIC,
    "account_logout": PUBLIC,
    "account_inactive": PUBLIC,
    "account_signup": PUBLIC,
    "account_reauthenticate": PUBLIC,
    "account_email": PUBLIC,
    "account_email_verification_sent": PUBLIC,
    "account_change_password": PUBLIC,
    "account_set_password": PUBLIC,
    "account_reset_password": PUBLIC,
    "account_confirm_login_code": PUBLIC,
    "account_confirm_email": PUBLIC,
    "account_reset_password_from_key_done": PUBLIC,
    "account_reset_password_from_key": PUBLIC,
    "account_reset_password_done": PUBLIC,
    "mfa_index": PUBLIC,
    "mfa_authenticate": PUBLIC,
    "mfa_reauthenticate": PUBLIC,
    "mfa_activate_totp": PUBLIC,
    "mfa_deactivate_totp": PUBLIC,
    "mfa_view_recovery_codes": PUBLIC,
    "mfa_generate_recovery_codes": PUBLIC,
    "mfa_download_recovery_codes": PUBLIC,
    "mfa_list_webauthn": PUBLIC,
    "mfa_add_webauthn": PUBLIC,
    "mfa_reauthenticate_webauthn": PUBLIC,
    "mfa_remove_webauthn": PUBLIC,
    "mfa_edit_webauthn": PUBLIC,
    # Any signed-in person, about themselves only.
    "profile": PERSONAL,
    # Firm staff only.
    "staff:home": STAFF,
    "staff:organisation_list": STAFF,
    "staff:organisation_create": STAFF,
    "staff:organisation_bulk_tier": STAFF,
    "staff:organisation_detail": STAFF,
    "staff:organisation_edit": STAFF,
    "staff:organisation_bsn": STAFF,
    "staff:organisation_timeline": STAFF,
    "staff:invitation_create": STAFF,
    "staff:invitation_resend": STAFF,
    "staff:invitation_revoke": STAFF,
    "staff:membership_role": STAFF,
    "staff:membership_remove": STAFF,
    # Staff administrators only.
    "staff:firm_settings": ADMIN,
    "staff:label_create": ADMIN,
    "staff:label_delete": ADMIN,
    "staff:team": ADMIN,
    "staff:team_role": ADMIN,
    "staff:team_active": ADMIN,
    # Client users, scoped by membership.
    "portal:home": PORTAL,
    "portal:organisation_home": PORTAL,
    "portal:company_data": PORTAL,
    "portal:company_edit": PORTAL,
    # The dossier.
    "dossier:staff_root": STAFF,
    "dossier:staff_bin": STAFF,
    "dossier:staff_folder_create": STAFF,
    "dossier:staff_folder": STAFF,
    "dossier:staff_folder_edit": STAFF,
    "dossier:staff_folder_delete": STAFF,
    "dossier:staff_folder_restore": STAFF,
    "dossier:staff_folder_upload": STAFF,
    "dossier:staff_document": STAFF,
    "dossier:staff_document_edit": STAFF,
    "dossier:staff_document_delete": STAFF,
    "dossier:staff_document_restore": STAFF,
    "dossier:staff_document_link": STAFF,
    "dossier:staff_version_download": STAFF,
    "dossier:staff_version_preview": STAFF,
    "dossier:staff_version_thumbnail": STAFF,
    "dossier:staff_version_status": STAFF,
    "dossier:staff_search": STAFF,
    "dossier:template": ADMIN,
    "dossier:client_root": PORTAL,
    "dossier:client_folder": PORTAL,
    "dossier:client_document": PORTAL,
    "dossier:client_preview": PORTAL,
    "dossier:client_download": PORTAL,
    "dossier:client_search": PERSONAL,
    # Deliveries.
    "deliveries:staff_queue": STAFF,
    "deliveries:staff_trays": ADMIN,
    "deliveries:staff_bulk_process": STAFF,
    "deliveries:staff_delivery": STAFF,
    "deliveries:staff_delivery_file": STAFF,
    "deliveries:staff_delivery_confirm": STAFF,
    "deliveries:staff_delivery_process": STAFF,
    "deliveries:staff_delivery_return": STAFF,
    "deliveries:client_deliveries": PORTAL,
    "deliveries:client_deliver": PORTAL,
    "deliveries:client_delivery": PORTAL,
    "deliveries:client_delivery_answer": PORTAL,
    "deliveries:client_delivery_file": PORTAL,
    "mailin:quarantine_list": STAFF,
    "mailin:quarantine_detail": STAFF,
    "mailin:quarantine_release": STAFF,
    "mailin:quarantine_discard": STAFF,
    "mailin:quarantine_message": STAFF,
    # Approvals (staff side).
    "approvals_staff:overview": STAFF,
    "approvals_staff:export": STAFF,
    "approvals_staff:bulk": STAFF,
    "approvals_staff:offer": STAFF,
    "approvals_staff:outbox": STAFF,
    "approvals_staff:submission_advance": STAFF,
    "approvals_staff:document": STAFF,
    "approvals_staff:link_revoke": STAFF,
    "approvals_staff:approval": STAFF,
    "approvals_staff:remind": STAFF,
    "approvals_staff:withdraw": STAFF,
    "approvals_staff:reoffer": STAFF,
    # Approvals (client side): scoped by portal membership.
    "approvals_portal:list": PORTAL,
    "approvals_portal:approval": PORTAL,
    "approvals_portal:approve": PORTAL,
    "approvals_portal:reject": PORTAL,
    "approvals_portal:document": PORTAL,
    "approvals_portal:document_download": PORTAL,
    # Temporary links: no login, the signed token is the key (tested on their own below).
    "links:open": PUBLIC,
    "links:code": PUBLIC,
    "links:approve": PUBLIC,
    "links:reject": PUBLIC,
    "links:download": PUBLIC,
    "links:document": PUBLIC,
    "links:document_download": PUBLIC,
    # The deadline calendar; its .ics feed has no login, the signed token is the key (tested in deadlines).
    "deadlines:staff_calendar": STAFF,
    "deadlines:client_calendar": PORTAL,
    "deadlines:profile_calendar": PERSONAL,
    "deadlines:feed": PUBLIC,
    "deadlines:payroll_dates": ADMIN,
    "deadlines:payroll_date_delete": ADMIN,
    # Work: planning board, tasks, staff home.
    "work:board": STAFF,
    "work:board_column": STAFF,
    "work:task_new": STAFF,
    "work:task": STAFF,
    "work:task_move": STAFF,
    "work:task_assign": STAFF,
    "work_portal:tasks": PORTAL,
    "work_portal:task_done": PORTAL,
    # Work: signal rules, e-mail templates, workflows.
    "work_admin:rule_list": ADMIN,
    "work_admin:rule_create": ADMIN,
    "work_admin:rule_edit": ADMIN,
    "work_admin:rule_delete": ADMIN,
    "work_admin:rule_active": ADMIN,
    "work_admin:mail_template_list": ADMIN,
    "work_admin:mail_template_create": ADMIN,
    "work_admin:mail_template_edit": ADMIN,
    "work_admin:mail_template_delete": ADMIN,
    "work_admin:template_list": ADMIN,
    "work_admin:template_create": ADMIN,
    "work_admin:template_edit": ADMIN,
    "work_admin:template_delete": ADMIN,
    "work_admin:step_add": ADMIN,
    "work_admin:step_move": ADMIN,
    "work_admin:step_remove": ADMIN,
    "work_admin:workflow_list": STAFF,
    "work_admin:bulk_start": STAFF,
    "work_admin:batch_detail": STAFF,
    "work_admin:workflow_detail": STAFF,
    "work_admin:workflow_cancel": STAFF,
    "work_admin:organisation_workflows": STAFF,
    "work_admin:workflow_start": STAFF,
    # Work: reminder schedules and digests.
    "reminders:schedules": ADMIN,
    "reminders:schedule": ADMIN,
    # Filings: tax returns and assessments.
    "filings_staff:register": STAFF,
    "filings_staff:import": STAFF,
    "filings_staff:progress": STAFF,
    "filings_staff:organisation": STAFF,
    "filings_staff:return_create": STAFF,
    "filings_staff:return": STAFF,
    "filings_staff:return_edit": STAFF,
    "filings_staff:return_move": STAFF,
    "filings_staff:assessment_create": STAFF,
    "filings_portal:organisation": PORTAL,
}
LINK_URLS = sorted(name for name in REGISTRY if name.startswith("links:"))


@dataclass
class World:
    organisation: Organisation
    membership: Membership
    invitation: Invitation
    label: Label
    staff_member: User
    folder: Folder
    document: Document
    delivery: Delivery
    mail: QuarantinedMail
    approval: Approval  # waiting, client_owner decides
    submission: Submission  # of a second, approved approval
    link: TemporaryLink  # to the waiting approval, for client_owner
    extra: dict[str, Any] = field(default_factory=dict)  # each app's objects, from its tests/matrix.py


def _org(w: World) -> dict[str, Any]:
    return {"public_id": w.organisation.public_id}


def _folder(w: World) -> dict[str, Any]:
    return {"public_id": w.folder.public_id}


def _document(w: World) -> dict[str, Any]:
    return {"public_id": w.document.public_id}


def _delivery(w: World) -> dict[str, Any]:
    return {"public_id": w.delivery.public_id}


def _mail(w: World) -> dict[str, Any]:
    return {"public_id": w.mail.public_id}


def _version(w: World) -> dict[str, Any]:
    assert w.document.current is not None
    return {"public_id": w.document.current.public_id}


def _approval(w: World) -> dict[str, Any]:
    return {"public_id": w.approval.public_id}


def _link_kwargs(name: str, link: TemporaryLink, token: str | None = None) -> dict[str, Any]:
    """A link URL's arguments: its id, a token (its own unless given), the approval's document."""
    kwargs: dict[str, Any] = {"public_id": link.public_id, "token": token or links.link_token(link)}
    if name.startswith("links:document"):
        assert link.approval is not None
        kwargs["document_id"] = link.approval.documents.get().public_id
    return kwargs


def _feed_kwargs(user: User) -> dict[str, Any]:
    feed = CalendarFeed.objects.filter(user=user, revoked_at=None).first() or CalendarFeed.objects.create(
        user=user, nonce="f" * 32
    )
    return {"public_id": feed.public_id, "token": feed_token(feed)}


def _link_builder(name: str) -> Callable[[World], dict[str, Any]]:
    return lambda w: _link_kwargs(name, w.link)


OBJECT_KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "staff:organisation_detail": _org,
    "staff:organisation_edit": _org,
    "staff:organisation_bsn": _org,
    "staff:organisation_timeline": _org,
    "staff:invitation_create": _org,
    "staff:invitation_resend": lambda w: {"public_id": w.invitation.public_id},
    "staff:invitation_revoke": lambda w: {"public_id": w.invitation.public_id},
    "staff:membership_role": lambda w: {"public_id": w.membership.public_id},
    "staff:membership_remove": lambda w: {"public_id": w.membership.public_id},
    "staff:label_delete": lambda w: {"public_id": w.label.public_id},
    "staff:team_role": lambda w: {"public_id": w.staff_member.public_id},
    "staff:team_active": lambda w: {"public_id": w.staff_member.public_id},
    "portal:organisation_home": _org,
    "portal:company_data": _org,
    "portal:company_edit": _org,
    "dossier:staff_root": _org,
    "dossier:staff_bin": _org,
    "dossier:staff_folder_create": _org,
    "dossier:staff_folder": _folder,
    "dossier:staff_folder_edit": _folder,
    "dossier:staff_folder_delete": _folder,
    "dossier:staff_folder_restore": _folder,
    "dossier:staff_folder_upload": _folder,
    "dossier:staff_document": _document,
    "dossier:staff_document_edit": _document,
    "dossier:staff_document_delete": _document,
    "dossier:staff_document_restore": _document,
    "dossier:staff_document_link": _document,
    "dossier:staff_version_download": _version,
    "dossier:staff_version_preview": _version,
    "dossier:staff_version_thumbnail": _version,
    "dossier:staff_version_status": _version,
    "dossier:client_root": _org,
    "dossier:client_folder": _folder,
    "dossier:client_document": _document,
    "dossier:client_preview": _document,
    "dossier:client_download": _document,
    "deliveries:staff_delivery": _delivery,
    "deliveries:staff_delivery_file": _delivery,
    "deliveries:staff_delivery_confirm": _delivery,
    "deliveries:staff_delivery_process": _delivery,
    "deliveries:staff_delivery_return": _delivery,
    "deliveries:client_deliveries": _org,
    "deliveries:client_deliver": _org,
    "deliveries:client_delivery": _delivery,
    "deliveries:client_delivery_answer": _delivery,
    "deliveries:client_delivery_file": _delivery,
    "mailin:quarantine_detail": _mail,
    "mailin:quarantine_release": _mail,
    "mailin:quarantine_discard": _mail,
    "mailin:quarantine_message": _mail,
    "approvals_staff:offer": _org,
    "approvals_staff:submission_advance": lambda w: {"public_id": w.submission.public_id},
    "approvals_staff:document": lambda w: {"public_id": w.approval.documents.get().public_id},
    "approvals_staff:link_revoke": lambda w: {"public_id": w.link.public_id},
    "approvals_staff:approval": _approval,
    "approvals_staff:remind": _approval,
    "approvals_staff:withdraw": _approval,
    "approvals_staff:reoffer": _approval,
    "approvals_portal:list": _org,
    "approvals_portal:approval": _approval,
    "approvals_portal:approve": _approval,
    "approvals_portal:reject": _approval,
    "approvals_portal:document": lambda w: {"public_id": w.approval.documents.get().public_id},
    "approvals_portal:document_download": lambda w: {"public_id": w.approval.documents.get().public_id},
    "deadlines:staff_calendar": _org,
    "deadlines:client_calendar": _org,
    "deadlines:payroll_date_delete": lambda w: {"public_id": w.extra["payroll_date"].public_id},
    # Work: planning board, tasks, staff home.
    "work:task": lambda w: {"public_id": w.extra["board_task"].public_id},
    "work:task_move": lambda w: {"public_id": w.extra["board_task"].public_id},
    "work:task_assign": lambda w: {"public_id": w.extra["board_task"].public_id},
    "work_portal:tasks": _org,
    "work_portal:task_done": lambda w: {"public_id": w.extra["client_task"].public_id},
    # Work: signal rules, e-mail templates, workflows.
    "work_admin:rule_edit": lambda w: {"public_id": w.extra["rule"].public_id},
    "work_admin:rule_delete": lambda w: {"public_id": w.extra["rule"].public_id},
    "work_admin:rule_active": lambda w: {"public_id": w.extra["rule"].public_id},
    "work_admin:mail_template_edit": lambda w: {"public_id": w.extra["mail_template"].public_id},
    "work_admin:mail_template_delete": lambda w: {"public_id": w.extra["mail_template"].public_id},
    "work_admin:template_edit": lambda w: {"public_id": w.extra["workflow_template"].public_id},
    "work_admin:template_delete": lambda w: {"public_id": w.extra["workflow_template"].public_id},
    "work_admin:step_add": lambda w: {"public_id": w.extra["workflow_template"].public_id},
    "work_admin:step_move": lambda w: {"public_id": w.extra["workflow_step"].public_id},
    "work_admin:step_remove": lambda w: {"public_id": w.extra["workflow_step"].public_id},
    "work_admin:batch_detail": lambda w: {"public_id": w.extra["workflow_batch"].public_id},
    "work_admin:workflow_detail": lambda w: {"public_id": w.extra["workflow"].public_id},
    "work_admin:workflow_cancel": lambda w: {"public_id": w.extra["workflow"].public_id},
    "work_admin:organisation_workflows": _org,
    "work_admin:workflow_start": _org,
    # Work: reminder schedules and digests.
    "reminders:schedule": lambda w: {"public_id": w.extra["reminder_schedule"].public_id},
    # Filings: tax returns and assessments.
    "filings_staff:organisation": _org,
    "filings_staff:return_create": _org,
    "filings_staff:return": lambda w: {"public_id": w.extra["tax_return"].public_id},
    "filings_staff:return_edit": lambda w: {"public_id": w.extra["tax_return"].public_id},
    "filings_staff:return_move": lambda w: {"public_id": w.extra["tax_return"].public_id},
    "filings_staff:assessment_create": lambda w: {"public_id": w.extra["tax_return"].public_id},
    "filings_portal:organisation": _org,
}
PUBLIC_KWARGS: dict[str, Callable[[World], dict[str, Any]]] = {
    "invitation_accept": lambda w: {
        "public_id": w.invitation.public_id,
        "token": account_services.invitation_token(w.invitation),
    },
    "account_confirm_email": lambda w: {"key": "not-a-real-key"},
    "account_reset_password_from_key": lambda w: {"uidb36": "1", "key": "set-password"},
    "mfa_remove_webauthn": lambda w: {"pk": 1},
    "mfa_edit_webauthn": lambda w: {"pk": 1},
    **{name: _link_builder(name) for name in LINK_URLS},
    "deadlines:feed": lambda w: _feed_kwargs(w.membership.user),
}

DENIED = {
    STAFF: ["outsider", "client_owner", "client_viewer", "other_member"],
    ADMIN: ["outsider", "client_owner", "client_viewer", "other_member", "accountant"],
    PORTAL: ["outsider", "other_member", "accountant", "firm_admin"],
}
ALLOWED = {STAFF: "accountant", ADMIN: "firm_admin", PORTAL: "client_owner", PERSONAL: "client_viewer"}


def _walk(patterns: list[Any], prefix: str = "", namespace: str = "", params: frozenset[str] = frozenset()) -> Iterator:
    for entry in patterns:
        groups = params | frozenset(entry.pattern.regex.groupindex)
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(filter(None, [namespace, entry.namespace]))
            yield from _walk(entry.url_patterns, route, inner, groups)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or f"<unnamed {route}>")
            yield name, route, groups


def _names(category: str, *, objects: bool | None = None) -> list[str]:
    return sorted(
        name
        for name, cat in REGISTRY.items()
        if cat == category and (objects is None or (name in OBJECT_KWARGS) == objects)
    )


def _approval_rows(
    organisation: Organisation, decider: User, staff: User
) -> tuple[Approval, Submission, TemporaryLink]:
    """Rows only (no events): a waiting approval with a link, and an approved one in the outbox."""
    waiting, approved = (
        Approval.objects.create(
            organisation=organisation, type=kind, period="2025", title=f"Aangifte {kind}", statement="Ik keur goed.",
            offered_by=staff, status=status,
        )
        for kind, status in (("ib", Approval.Status.OFFERED), ("vpb", Approval.Status.APPROVED))
    )  # fmt: skip
    for approval in (waiting, approved):
        document = ApprovalDocument(approval=approval, position=0, name="aangifte.pdf", size=9,
                                    mime="application/pdf", sha256="2" * 64)  # fmt: skip
        document.file.save("aangifte.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        document.save()
        Decider.objects.create(approval=approval, user=decider)
    submission = Submission.objects.create(
        approval=approved, organisation=organisation, channel=Submission.Channel.TAX_OFFICE
    )
    link = TemporaryLink.objects.create(
        organisation=organisation, recipient=decider, approval=waiting, nonce="n" * 32,
        expires_at=timezone.now() + datetime.timedelta(days=14), max_opens=10, created_by=staff,
    )  # fmt: skip
    return waiting, submission, link


@pytest.fixture
def world(organisation, client_viewer, client_owner, accountant) -> World:
    label = LabelFactory(name="Matrix")
    organisation.labels.add(label)
    invitation = account_services.invitation_create(
        actor=accountant, ctx=RequestContext(), organisation=organisation, email="invitee@client.test", role="viewer"
    )
    folder = Folder.objects.create(organisation=organisation, name="Jaarrapporten", open_to_client=True)
    document = Document.objects.create(organisation=organisation, folder=folder, name="jaarrekening.pdf")
    version = DocumentVersion(
        document=document, number=1, original_name="jaarrekening.pdf", size=9, mime="application/pdf", sha256="0" * 64
    )
    version.file.save("jaarrekening.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    version.thumbnail.save("thumb.png", ContentFile(b"\x89PNG\r\n\x1a\n"), save=False)
    version.status = DocumentVersion.Status.DONE
    version.save()
    document.current = version
    document.save()
    delivery = Delivery(
        organisation=organisation,
        tray=Tray.objects.get(slug="inkoop"),
        original_name="factuur.pdf",
        size=9,
        mime="application/pdf",
        sha256="1" * 64,
        status=Delivery.Status.RETURNED,
        question="Welke kostenpost?",
    )
    delivery.file.save("factuur.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    delivery.save()
    mail = QuarantinedMail(
        organisation=organisation,
        tray=delivery.tray,
        recipient="abc@in.localhost",
        sender="vreemde@example.test",
        subject="Factuur",
        reason="not_member",
        size=20,
        attachments=[],
    )
    mail.message.save("mail.eml", ContentFile(b"Subject: Factuur\r\n\r\nHoi\r\n"), save=False)
    mail.save()
    approval, submission, link = _approval_rows(organisation, client_owner, accountant)
    extra: dict[str, Any] = {
        "payroll_date": PayrollDate.objects.create(
            period_start=datetime.date(2026, 1, 1), due_date=datetime.date(2026, 2, 28)
        )
    }
    for build in (matrix_board.objects, matrix_rules.objects, matrix_reminders.objects, matrix_filings.objects):
        extra.update(build(organisation=organisation, client_owner=client_owner, accountant=accountant))
    return World(
        organisation,
        Membership.objects.get(user=client_viewer),
        invitation,
        label,
        accountant,
        folder,
        document,
        delivery,
        mail,
        approval,
        submission,
        link,
        extra,
    )


def _url(name: str, w: World) -> str:
    builder = OBJECT_KWARGS.get(name) or PUBLIC_KWARGS.get(name)
    return reverse(name, kwargs=builder(w) if builder else None)


def _random_url(name: str, w: World) -> str:
    return reverse(name, kwargs={key: uuid.uuid4() for key in OBJECT_KWARGS[name](w)})


def _untouched(w: World, events_before: int) -> None:
    """A refused request leaves no trace: no event, every object as it was."""
    assert Event.objects.count() == events_before
    assert Membership.objects.filter(pk=w.membership.pk, role="viewer").exists()
    assert Invitation.objects.filter(pk=w.invitation.pk, status="pending", nonce=w.invitation.nonce).exists()
    assert Label.objects.filter(pk=w.label.pk).exists()
    assert User.objects.filter(pk=w.staff_member.pk, staff_role="accountant", is_active=True).exists()
    assert Organisation.objects.filter(pk=w.organisation.pk, name=w.organisation.name).exists()
    assert firm_get().name == "Accordo"
    assert Folder.objects.filter(pk=w.folder.pk, name="Jaarrapporten", deleted_at=None, open_to_client=True).exists()
    assert Document.objects.filter(pk=w.document.pk, name="jaarrekening.pdf", deleted_at=None).exists()
    assert DocumentVersion.objects.filter(document=w.document).count() == 1
    assert Delivery.objects.filter(pk=w.delivery.pk, status="returned", answer="").exists()
    assert Delivery.objects.count() == 1
    assert QuarantinedMail.objects.filter(pk=w.mail.pk, status="held").exists()
    assert Approval.objects.filter(pk=w.approval.pk, status="offered").exists()
    assert Approval.objects.count() == 2 and ApprovalDocument.objects.count() == 2
    assert Submission.objects.filter(pk=w.submission.pk, status="ready", reference="").exists()
    assert TemporaryLink.objects.filter(pk=w.link.pk, revoked_at=None).exists()


def test_it_registers_every_url_pattern():
    seen = {name: (route, groups) for name, route, groups in _walk(get_resolver().url_patterns)}
    unregistered = sorted(f"{name} ({route})" for name, (route, _g) in seen.items() if name not in REGISTRY)
    assert not unregistered, f"URL patterns missing from the access matrix: {unregistered}"
    stale = sorted(set(REGISTRY) - set(seen))
    assert not stale, f"access matrix lists URL names that no longer exist: {stale}"
    for name, (route, groups) in seen.items():
        builder = OBJECT_KWARGS.get(name) or PUBLIC_KWARGS.get(name)
        if groups:
            assert builder is not None, f"{name} ({route}) takes {sorted(groups)}: add a kwargs builder"
        if REGISTRY[name] != PUBLIC:
            assert (name in OBJECT_KWARGS) == bool(groups), f"{name}: OBJECT_KWARGS out of step with the route"


def test_it_routes_every_object_url_by_uuid(world):
    for name, builder in OBJECT_KWARGS.items():
        assert all(isinstance(value, uuid.UUID) for value in builder(world).values()), name


@pytest.mark.parametrize(
    ("name", "who"),
    # The portal home itself is personal (each person sees only their own organisations): not in here.
    [
        (n, who)
        for cat in (STAFF, ADMIN, PORTAL)
        for n in _names(cat, objects=cat == PORTAL or None)
        for who in DENIED[cat]
    ],
)
def test_it_answers_404_to_everybody_not_allowed(client, request, world, name, who):
    client.force_login(request.getfixturevalue(who))
    events_before = Event.objects.count()
    url = _url(name, world)
    statuses = {client.get(url).status_code, client.post(url, {"name": "Gekaapt", "role": "owner"}).status_code}
    assert statuses <= {404, 405}, f"{who} on {name}: {statuses}"
    assert 404 in statuses, f"{who} on {name}: the allowed method must answer 404, got {statuses}"
    _untouched(world, events_before)


@pytest.mark.parametrize("name", _names(STAFF) + _names(ADMIN) + _names(PORTAL) + _names(PERSONAL))
def test_it_sends_anonymous_visitors_to_the_login(client, world, name):
    url = _url(name, world)
    responses = [client.get(url), client.post(url)]
    statuses = {r.status_code for r in responses}
    assert statuses <= {302, 405}, f"anonymous on {name}: {statuses}"
    redirects = [r for r in responses if r.status_code == 302]
    assert redirects, f"anonymous on {name}: no redirect to the login"
    login = reverse("account_login")
    assert all(r["Location"].startswith(f"{login}?next=") for r in redirects), name


@pytest.mark.parametrize("name", _names(STAFF) + _names(ADMIN) + _names(PORTAL) + _names(PERSONAL))
def test_it_serves_the_allowed_people(client, request, world, name):
    client.force_login(request.getfixturevalue(ALLOWED[REGISTRY[name]]))
    status = client.get(_url(name, world)).status_code
    assert status in (200, 405), f"{ALLOWED[REGISTRY[name]]} on {name}: {status}"


@pytest.mark.parametrize("name", sorted(OBJECT_KWARGS))
def test_it_answers_404_for_a_random_uuid_to_allowed_people(client, request, world, name):
    client.force_login(request.getfixturevalue(ALLOWED[REGISTRY[name]]))
    url = _random_url(name, world)
    statuses = {client.get(url).status_code, client.post(url, {"role": "owner"}).status_code}
    assert statuses <= {404, 405}, f"{name}: {statuses}"
    assert 404 in statuses, f"{name}: missing must look like forbidden, got {statuses}"


@pytest.mark.parametrize("name", _names(STAFF))
def test_it_lets_a_tax_advisor_and_assistant_in_like_any_staff(client, world, name):
    for role in ("tax_advisor", "assistant"):
        user = StaffFactory(email=f"{role}@firm.test", staff_role=role)
        enrol_totp(user)
        client.force_login(user)
        assert client.get(_url(name, world)).status_code in (200, 405), (role, name)


@pytest.mark.parametrize("who", [None, "client_owner", "accountant"])
@pytest.mark.parametrize("name", _names(PUBLIC))
def test_it_never_fails_on_a_public_page(client, request, world, name, who):
    if who:
        client.force_login(request.getfixturevalue(who))
    assert client.get(_url(name, world)).status_code < 500, (name, who)


def test_it_opens_a_valid_invitation_link_for_anybody(client, world):
    assert client.get(_url("invitation_accept", world)).status_code == 200


def test_it_hides_an_invitation_behind_a_wrong_token(client, world):
    url = reverse("invitation_accept", kwargs={"public_id": world.invitation.public_id, "token": "forged"})
    assert client.get(url).status_code == 404


def test_it_links_no_staff_page_for_a_client(client, client_owner, world):
    client.force_login(client_owner)
    body = client.get(reverse("portal:home")).content.decode()
    assert "/staff/" not in body


def _foreign_link(accountant: User) -> TemporaryLink:
    """A link of another organisation's approval, for its own member."""
    other = Organisation.objects.create(name="Andere Klant B.V.")
    member = User.objects.create_user(email="member@other.test", password=None)
    Membership.objects.create(user=member, organisation=other, role="owner")
    _waiting, _submission, link = _approval_rows(other, member, accountant)
    return link


@pytest.mark.parametrize("name", LINK_URLS)
def test_it_hides_every_link_url_behind_a_forged_or_foreign_token(client, world, accountant, name):
    """Tampered tokens, and a link opened with another link's (valid) token, are simply not found."""
    foreign = _foreign_link(accountant)
    events_before = Event.objects.count()
    forged = links.link_token(world.link)[:-4] + "beef"
    attempts = [
        _link_kwargs(name, world.link, token=forged),
        _link_kwargs(name, world.link, token=links.link_token(foreign)),
        _link_kwargs(name, foreign, token=links.link_token(world.link)),
        {**_link_kwargs(name, world.link), "public_id": uuid.uuid4()},
    ]
    for kwargs in attempts:
        url = reverse(name, kwargs=kwargs)
        statuses = {client.get(url).status_code, client.post(url, {"code": "123456", "reason": "x"}).status_code}
        assert statuses <= {404, 405} and 404 in statuses, (name, kwargs, statuses)
    assert Event.objects.count() == events_before
    assert TemporaryLink.objects.filter(opens=0).count() == 2 and not LinkCode.objects.exists()
    assert set(Approval.objects.values_list("status", flat=True)) == {"offered", "approved"}
    assert not Decider.objects.exclude(decision="pending").exists()


def test_it_shows_a_links_own_documents_only(client, world, accountant):
    """Another approval's document — of the same organisation or another — is not found under a link."""
    foreign = _foreign_link(accountant)
    assert foreign.approval is not None
    others = ApprovalDocument.objects.exclude(approval=world.approval)
    assert others.count() == 3  # the approved one of the World, and the foreign organisation's two
    for document in others:
        for name in ("links:document", "links:document_download"):
            kwargs = {**_link_kwargs(name, world.link), "document_id": document.public_id}
            assert client.get(reverse(name, kwargs=kwargs)).status_code == 404
    assert not Event.objects.filter(verb="approval.document_viewed").exists()


def test_it_opens_a_valid_link_for_anybody(client, world):
    assert client.get(_url("links:open", world)).status_code == 200
