"""Writes of deliveries: receive, read, process (archive into the dossier), return, answer, replace."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import Membership, Organisation
from accordo.core.context import RequestContext
from accordo.core.events import event_record
from accordo.deliveries.extraction import JSON_KEYS
from accordo.deliveries.models import Delivery, DeliveryAddress, Tray
from accordo.dossier.fileproc import safe_filename
from accordo.dossier.services import document_add_stored, folder_path_ensure

CONFIRMABLE = tuple(key for key in JSON_KEYS if key != "is_credit_note")  # the invoice data staff correct


class DeliveryStateError(ValidationError):
    """The delivery is not in a state that allows this (someone else acted first)."""


def address_of(organisation: Organisation) -> DeliveryAddress:
    """The organisation's e-mail-in address, made on first use."""
    address, _created = DeliveryAddress.objects.get_or_create(organisation=organisation)
    return address


def _member_may_deliver(user: User, organisation: Organisation) -> None:
    membership = Membership.objects.filter(user=user, organisation=organisation).first()
    if not user.is_firm_staff and (membership is None or not membership.can_deliver):
        raise PermissionError("this person may not deliver for this organisation")


def already_delivered(organisation: Organisation, sha256: str) -> Delivery | None:
    """An earlier delivery of exactly this file to this organisation that still counts."""
    return (
        Delivery.objects.filter(organisation=organisation, sha256=sha256)
        .exclude(status=Delivery.Status.REPLACED)
        .order_by("-created_at")
        .first()
    )


def delivery_receive(
    *,
    actor: User | None,
    ctx: RequestContext,
    organisation: Organisation,
    tray: Tray,
    file: File[bytes],
    name: str,
    size: int,
    mime: str,
    sha256: str,
    channel: str = Delivery.Channel.UPLOAD,
    note: str = "",
    amount: Decimal | None = None,
    due_date: datetime.date | None = None,
    email_from: str = "",
    email_subject: str = "",
    replaces: Delivery | None = None,
) -> Delivery:
    """Take in one delivered file: stored first, then the row and ``delivery.received`` in one go.

    If writing the rows fails the stored file is removed again: nothing is half-written. The
    worker reads it afterwards (UBL exactly, other files as suggestions).
    """
    if actor is not None:
        _member_may_deliver(actor, organisation)
    if not tray.active:
        raise ValidationError(_("This tray is not in use."), code="tray")
    if size == 0:
        raise ValidationError(_("The file “%(name)s” is empty.") % {"name": safe_filename(name)}, code="empty")
    display = safe_filename(name)
    if channel == Delivery.Channel.UPLOAD and (earlier := already_delivered(organisation, sha256)) is not None:
        raise ValidationError(
            _("“%(name)s” was already delivered on %(date)s (as “%(earlier)s”).")
            % {
                "name": display,
                "date": date_format(timezone.localtime(earlier.created_at), "SHORT_DATE_FORMAT"),
                "earlier": earlier.original_name,
            },
            code="duplicate",
        )
    delivery = Delivery(
        organisation=organisation,
        tray=tray,
        channel=channel,
        delivered_by=actor,
        email_from=email_from[:254],
        email_subject=email_subject[:300],
        original_name=display,
        size=size,
        mime=mime,
        sha256=sha256,
        note=note.strip()[:4000],
        client_amount=amount,
        client_due_date=due_date,
    )
    delivery.file.save(display, file, save=False)
    try:
        with transaction.atomic():
            delivery.save()
            if replaces is not None:
                updated = Delivery.objects.filter(pk=replaces.pk, status=Delivery.Status.RETURNED).update(
                    status=Delivery.Status.REPLACED, replaced_by=delivery, updated_at=timezone.now()
                )
                if not updated:
                    raise DeliveryStateError(_("This delivery can no longer be replaced."), code="state")
            event_record(
                actor=actor,
                ctx=ctx,
                verb="delivery.received",
                target=delivery,
                organisation=organisation,
                data={
                    "tray": tray.slug,
                    "tray_name": tray.name,
                    "name": display,
                    "size": size,
                    "mime": mime,
                    "sha256": sha256,
                    "channel": channel,
                    "replaces": str(replaces.public_id) if replaces else None,
                },
            )
            transaction.on_commit(lambda: _enqueue_extract(delivery.pk))
    except BaseException:
        delivery.file.delete(save=False)
        raise
    return delivery


def _enqueue_extract(delivery_id: int) -> None:
    from accordo.deliveries.tasks import extract_delivery

    extract_delivery(delivery_id)


@transaction.atomic
def delivery_read(delivery: Delivery, *, extracted: dict[str, Any], source: str, text: str, error: str) -> None:
    """Keep what the worker read from the file (``delivery.read``); safe to run twice."""
    updated = (
        Delivery.objects.filter(pk=delivery.pk)
        .exclude(extraction=Delivery.Extraction.DONE)
        .update(
            extraction=Delivery.Extraction.FAILED if error else Delivery.Extraction.DONE,
            extraction_error=error[:300],
            extracted=extracted,
            extracted_source=source,
            text=text[: 2 * 1024 * 1024],
            updated_at=timezone.now(),
        )
    )
    if updated:
        event_record(
            actor=None,
            ctx=RequestContext.system("worker"),
            verb="delivery.read",
            target=delivery,
            organisation=delivery.organisation,
            data={
                "source": source,
                "fields": sorted(k for k, v in extracted.items() if v not in (None, "")),
                "error": error,
            },
        )


def _move(delivery: Delivery, old: tuple[str, ...], new: str, **fields: Any) -> None:
    """The state machine's one step: only from ``old``; a second click or worker loses."""
    updated = Delivery.objects.filter(pk=delivery.pk, status__in=old).update(
        status=new, updated_at=timezone.now(), **fields
    )
    if updated != 1:
        raise DeliveryStateError(_("This delivery was changed in the meantime; reload the page."), code="state")
    delivery.status = new
    for key, value in fields.items():
        setattr(delivery, key, value)


@transaction.atomic
def delivery_start(*, actor: User, ctx: RequestContext, delivery: Delivery) -> None:
    """Staff take a received delivery into processing."""
    _move(delivery, (Delivery.Status.RECEIVED,), Delivery.Status.PROCESSING)
    event_record(actor=actor, ctx=ctx, verb="delivery.processing", target=delivery, organisation=delivery.organisation)


@transaction.atomic
def delivery_confirm(*, actor: User, ctx: RequestContext, delivery: Delivery, data: dict[str, Any]) -> dict[str, Any]:
    """Staff correct and confirm the invoice data; returns the changed fields."""
    if delivery.status in (Delivery.Status.PROCESSED, Delivery.Status.REPLACED):
        raise DeliveryStateError(_("A processed delivery cannot be changed."), code="state")
    before = {**delivery.extracted, **delivery.confirmed}
    clean = {k: ("" if data.get(k) is None else str(data.get(k))) for k in CONFIRMABLE}
    changes = {k: {"old": before.get(k), "new": v} for k, v in clean.items() if str(before.get(k) or "") != v}
    if not changes:
        return {}
    Delivery.objects.filter(pk=delivery.pk).update(confirmed=clean, updated_at=timezone.now())
    delivery.confirmed = clean
    event_record(
        actor=actor, ctx=ctx, verb="delivery.data_confirmed", target=delivery, organisation=delivery.organisation,
        data={"changes": changes},
    )  # fmt: skip
    return changes


def archive_folder_path(delivery: Delivery) -> str:
    """The tray's archive folder with {year}: the invoice's year if known, else the year received."""
    data = {**delivery.extracted, **delivery.confirmed}
    year = timezone.localtime(delivery.created_at).year
    issue = data.get("issue_date")
    if issue and len(str(issue)) >= 4 and str(issue)[:4].isdigit():
        year = int(str(issue)[:4])
    return delivery.tray.archive_pattern.replace("{year}", str(year))


@transaction.atomic
def delivery_process(*, actor: User | None, ctx: RequestContext, delivery: Delivery) -> Delivery:
    """Mark processed and archive the file into the tray's dossier folder (no copy of the bytes).

    ``actor`` None is the system filing a delivery of a tray that needs no processing.
    """
    if actor is not None and not actor.is_firm_staff:
        raise PermissionError("only firm staff process deliveries")
    delivery = Delivery.objects.select_related("tray", "organisation", "delivered_by").get(pk=delivery.pk)
    path = archive_folder_path(delivery)
    # Made open where missing: the client delivered it and finds it back; a folder the firm closed stays closed.
    folder = folder_path_ensure(organisation=delivery.organisation, path=path, open_to_client=True)
    version = document_add_stored(
        actor=actor,
        ctx=ctx,
        folder=folder,
        name=delivery.original_name,
        stored_name=delivery.file.name,
        size=delivery.size,
        mime=delivery.mime,
        sha256=delivery.sha256,
        uploaded_by=delivery.delivered_by,
        text=delivery.text,
        text_source="ocr" if delivery.text and delivery.mime.startswith("image/") else ("pdf" if delivery.text else ""),
        data={"delivery": str(delivery.public_id)},
    )
    _move(
        delivery,
        (Delivery.Status.RECEIVED, Delivery.Status.PROCESSING),
        Delivery.Status.PROCESSED,
        processed_by=actor,
        processed_at=timezone.now(),
        archived=version.document,
    )
    event_record(
        actor=actor, ctx=ctx, verb="delivery.processed", target=delivery, organisation=delivery.organisation,
        data={"name": delivery.original_name, "tray": delivery.tray.slug, "archived_in": path},
    )  # fmt: skip
    return delivery


@transaction.atomic
def delivery_return(*, actor: User, ctx: RequestContext, delivery: Delivery, question: str) -> None:
    """Send a delivery back to the client with a question (the client is told by e-mail)."""
    question = question.strip()
    if not question:
        raise ValidationError(_("Write the question for the client."), code="required")
    _move(
        delivery,
        (Delivery.Status.RECEIVED, Delivery.Status.PROCESSING),
        Delivery.Status.RETURNED,
        question=question[:4000],
        answer="",
    )
    event_record(
        actor=actor, ctx=ctx, verb="delivery.returned", target=delivery, organisation=delivery.organisation,
        data={"question": question[:4000], "name": delivery.original_name},
    )  # fmt: skip


@transaction.atomic
def delivery_answer(*, actor: User, ctx: RequestContext, delivery: Delivery, answer: str) -> None:
    """The client answers the question; the delivery goes back to the firm as received."""
    _member_may_deliver(actor, delivery.organisation)
    answer = answer.strip()
    if not answer:
        raise ValidationError(_("Write your answer."), code="required")
    _move(delivery, (Delivery.Status.RETURNED,), Delivery.Status.RECEIVED, answer=answer[:4000])
    event_record(
        actor=actor, ctx=ctx, verb="delivery.answered", target=delivery, organisation=delivery.organisation,
        data={"answer": answer[:4000], "question": delivery.question},
    )  # fmt: skip


TRAY_FIELDS = ("name", "slug", "archive_pattern", "needs_processing", "invoice_data", "position", "active")


@transaction.atomic
def tray_save(*, actor: User, ctx: RequestContext, tray: Tray | None, data: dict[str, Any]) -> Tray:
    """Add a tray or change one (staff admins); trays are never deleted, only taken out of use."""
    if not actor.is_firm_admin:
        raise PermissionError("only a staff administrator may change the trays")
    clash = Tray.objects.filter(slug=data["slug"])
    if tray is not None:
        clash = clash.exclude(pk=tray.pk)
    if clash.exists():
        raise ValidationError(_("Another tray already uses this short name."), code="slug")
    if tray is None:
        tray = Tray.objects.create(**{k: data[k] for k in TRAY_FIELDS})
        event_record(actor=actor, ctx=ctx, verb="tray.created", target=tray, data={"name": tray.name})
        return tray
    tray = Tray.objects.select_for_update().get(pk=tray.pk)
    changes = {k: {"old": getattr(tray, k), "new": data[k]} for k in TRAY_FIELDS if getattr(tray, k) != data[k]}
    if changes:
        Tray.objects.filter(pk=tray.pk).update(updated_at=timezone.now(), **{k: data[k] for k in changes})
        tray.refresh_from_db()
        event_record(actor=actor, ctx=ctx, verb="tray.changed", target=tray, data={"changes": changes})
    return tray
