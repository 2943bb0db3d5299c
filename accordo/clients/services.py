"""Writes about the firm and its client organisations; every one records an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accordo.accounts.models import User
from accordo.clients.models import (
    AssignmentRole,
    Firm,
    Label,
    MemberRole,
    Membership,
    Organisation,
    StaffAssignment,
    Tier,
)
from accordo.core.context import RequestContext
from accordo.core.crypto import mask
from accordo.core.events import event_record
from accordo.dossier.services import folders_from_template

SENSITIVE_FIELDS = {"bsn"}


def _display(field: str, value: Any) -> Any:
    if field in SENSITIVE_FIELDS:
        return mask(str(value or ""))
    return value


def _diff(instance: Any, changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    diff = {}
    for field, new in changes.items():
        old = getattr(instance, field)
        if (old or "") != (new or ""):
            diff[field] = {"old": _display(field, old), "new": _display(field, new)}
    return diff


@transaction.atomic
def organisation_create(
    *,
    actor: User,
    ctx: RequestContext,
    data: dict[str, Any],
    labels: Iterable[Label] = (),
    assignments: dict[str, User | None] | None = None,
) -> Organisation:
    """Create a client organisation (staff)."""
    organisation = Organisation(**data)
    organisation.search_text = organisation.build_search_text()
    organisation.save()
    organisation.labels.set(list(labels))
    _set_assignments(organisation, assignments or {})
    folders = folders_from_template(organisation)
    event_record(
        actor=actor,
        ctx=ctx,
        verb="organisation.created",
        target=organisation,
        organisation=organisation,
        data={"name": organisation.name, "tier": organisation.tier, "folders": [f.name for f in folders]},
    )
    return organisation


def _set_assignments(organisation: Organisation, assignments: dict[str, User | None]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    current = {a.role: a for a in organisation.assignments.select_related("user")}
    for role, user in assignments.items():
        if role not in AssignmentRole.values:
            continue
        existing = current.get(role)
        if existing and (user is None or existing.user_id != user.pk):
            existing.delete()
        if user is not None and (existing is None or existing.user_id != user.pk):
            StaffAssignment.objects.create(organisation=organisation, user=user, role=role)
        if (existing.user.email if existing else None) != (user.email if user else None):
            changed[role] = {
                "old": existing.user.email if existing else None,
                "new": user.email if user else None,
            }
    return changed


@transaction.atomic
def organisation_update(
    *,
    actor: User,
    ctx: RequestContext,
    organisation: Organisation,
    changes: dict[str, Any],
    labels: Iterable[Label] | None = None,
    assignments: dict[str, User | None] | None = None,
) -> dict[str, Any]:
    """Apply changed data at once and record old → new.

    A client user's change raises ``client.data_changed`` (SPEC §2 / §10) and may not touch the
    fields the firm locked; a staff change raises ``organisation.updated``. Returns the diff.
    """
    by_client = not actor.is_firm_staff
    if by_client:
        from accordo.clients.selectors import firm_get

        locked = set(firm_get().locked_fields) & set(changes)
        if locked:
            raise ValidationError(_("Some fields can only be changed by the firm: %s") % ", ".join(sorted(locked)))
    diff = _diff(organisation, changes)
    for field in changes:
        setattr(organisation, field, changes[field])
    if labels is not None:
        old_labels = sorted(organisation.labels.values_list("name", flat=True))
        new_labels = sorted(label.name for label in labels)
        if old_labels != new_labels:
            organisation.labels.set(list(labels))
            diff["labels"] = {"old": old_labels, "new": new_labels}
    if assignments is not None:
        diff.update(_set_assignments(organisation, assignments))
    if not diff:
        return diff
    organisation.search_text = organisation.build_search_text()
    organisation.save()
    event_record(
        actor=actor,
        ctx=ctx,
        verb="client.data_changed" if by_client else "organisation.updated",
        target=organisation,
        organisation=organisation,
        data={"changes": diff},
    )
    return diff


def _tier_checked(tier: str) -> str:
    if tier not in Tier.values:
        raise ValidationError(_("Choose a valid service tier."), code="tier")
    return tier


@transaction.atomic
def organisation_set_tier(*, actor: User, ctx: RequestContext, organisation: Organisation, tier: str) -> bool:
    """Move one organisation to another service tier (staff); False when it was on that tier already."""
    return (
        organisations_set_tier(
            actor=actor, ctx=ctx, organisations=Organisation.objects.filter(pk=organisation.pk), tier=tier
        )
        == 1
    )


@transaction.atomic
def organisations_set_tier(
    *, actor: User, ctx: RequestContext, organisations: QuerySet[Organisation], tier: str
) -> int:
    """Move organisations to a service tier at once (staff, SPEC §14), one event per organisation changed.

    The rows are locked first, so each event names the tier the organisation really came from.
    Organisations already on ``tier`` are left alone. Returns how many changed.
    """
    if not actor.is_firm_staff:
        raise PermissionError("only firm staff change service tiers")
    tier = _tier_checked(tier)
    changing = list(organisations.exclude(tier=tier).select_for_update().only("pk", "public_id", "tier").order_by("pk"))
    if not changing:
        return 0
    Organisation.objects.filter(pk__in=[o.pk for o in changing]).update(tier=tier, updated_at=timezone.now())
    for organisation in changing:
        event_record(
            actor=actor,
            ctx=ctx,
            verb="organisation.tier_changed",
            target=organisation,
            organisation=organisation,
            data={"changes": {"tier": {"old": organisation.tier, "new": tier}}},
        )
    return len(changing)


@transaction.atomic
def organisation_bsn_reveal(*, actor: User, ctx: RequestContext, organisation: Organisation) -> str:
    """Show a staff member the full BSN, leaving a trace of who looked."""
    if not actor.is_firm_staff:
        raise PermissionError("only staff may see a full BSN")
    event_record(actor=actor, ctx=ctx, verb="organisation.bsn_viewed", target=organisation, organisation=organisation)
    return organisation.bsn


@transaction.atomic
def membership_change_role(*, actor: User, ctx: RequestContext, membership: Membership, role: str) -> Membership:
    if role not in MemberRole.values:
        raise ValidationError(_("Choose a valid role."))
    old = membership.role
    if old == role:
        return membership
    Membership.objects.filter(pk=membership.pk).update(role=role)
    membership.role = role
    event_record(
        actor=actor,
        ctx=ctx,
        verb="membership.role_changed",
        target=membership,
        organisation=membership.organisation,
        data={"email": membership.user.email, "old": old, "new": role},
    )
    return membership


@transaction.atomic
def membership_remove(*, actor: User, ctx: RequestContext, membership: Membership) -> None:
    organisation = membership.organisation
    email = membership.user.email
    event_record(
        actor=actor,
        ctx=ctx,
        verb="membership.removed",
        target=membership,
        organisation=organisation,
        data={"email": email, "role": membership.role},
    )
    membership.delete()


FIRM_FIELDS = (
    "name",
    "primary_color",
    "accent_color",
    "welcome_text",
    "email_signature",
    "sender_email",
    "host_name",
    "require_client_mfa",
    "require_approval_mfa",
    "link_valid_days",
    "link_max_opens",
    "approval_expire_days",
    "locked_fields",
    "assessment_tolerance",
    "extension_scheme",
    "nl_yearly_vat_due_month",
    "nl_yearly_vat_due_day",
    "deadline_task_days_ahead",
    "deadline_task_role",
)


@transaction.atomic
def firm_update(
    *, actor: User, ctx: RequestContext, firm: Firm, changes: dict[str, Any], logo: UploadedFile | None = None
) -> dict[str, Any]:
    """Change the firm's settings and branding (staff admins)."""
    if not actor.is_firm_admin:
        raise PermissionError("only a staff administrator may change the firm")
    diff = _diff(firm, {k: v for k, v in changes.items() if k in FIRM_FIELDS})
    for field in diff:
        setattr(firm, field, changes[field])
    if logo is not None:
        old_name = firm.logo.name if firm.logo else ""
        firm.logo.save(logo.name or "logo", logo, save=False)
        diff["logo"] = {"old": old_name, "new": firm.logo.name}
    if not diff:
        return diff
    firm.save()
    event_record(actor=actor, ctx=ctx, verb="firm.updated", target=firm, data={"changes": diff})
    return diff


@transaction.atomic
def label_create(*, actor: User, ctx: RequestContext, name: str) -> Label:
    name = name.strip()
    if not name:
        raise ValidationError(_("Give the label a name."))
    if Label.objects.filter(name__iexact=name).exists():
        raise ValidationError(_("This label exists already."))
    label = Label.objects.create(name=name)
    event_record(actor=actor, ctx=ctx, verb="label.created", target=label, data={"name": name})
    return label


@transaction.atomic
def label_delete(*, actor: User, ctx: RequestContext, label: Label) -> None:
    event_record(actor=actor, ctx=ctx, verb="label.deleted", target=label, data={"name": label.name})
    label.delete()


@transaction.atomic
def membership_add(
    *, actor: User | None, ctx: RequestContext, organisation: Organisation, user: User, role: str
) -> Membership:
    """Give an existing client user access to an organisation (staff, imports, the demo seed)."""
    if role not in MemberRole.values:
        raise ValidationError(_("Choose a valid role."))
    if user.is_firm_staff:
        raise ValidationError(_("Staff see every client already; they cannot be members."))
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, defaults={"role": role}
    )
    if not created:
        raise ValidationError(_("This person is already a member of this organisation."))
    event_record(
        actor=actor,
        ctx=ctx,
        verb="membership.created",
        target=membership,
        organisation=organisation,
        data={"email": user.email, "role": role},
    )
    return membership
