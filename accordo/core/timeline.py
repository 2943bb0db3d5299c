"""Reading the event log as a timeline, with human labels for the verbs."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accordo.clients.models import Organisation
from accordo.core.models import Event

VERB_LABELS = {
    "organisation.created": _("Organisation created"),
    "organisation.updated": _("Data changed by the firm"),
    "organisation.bsn_viewed": _("Full BSN viewed"),
    "client.data_changed": _("Data changed by the client"),
    "invitation.sent": _("Invitation sent"),
    "invitation.revoked": _("Invitation withdrawn"),
    "invitation.accepted": _("Invitation accepted"),
    "membership.created": _("Access given"),
    "membership.role_changed": _("Role changed"),
    "membership.removed": _("Access removed"),
    "user.created": _("Account created"),
    "user.language_changed": _("Language changed"),
    "user.profile_changed": _("Profile changed"),
    "firm.updated": _("Firm settings changed"),
    "staff.added": _("Staff member added"),
    "staff.role_changed": _("Staff role changed"),
    "staff.deactivated": _("Staff member blocked"),
    "staff.reactivated": _("Staff member allowed again"),
    "label.created": _("Label added"),
    "label.deleted": _("Label removed"),
}


def verb_label(verb: str) -> str:
    return str(VERB_LABELS.get(verb, verb))


def events_page(
    *, organisation: Organisation, before: int | None = None, limit: int = 50
) -> tuple[list[Event], int | None]:
    """One page of an organisation's events, newest first (keyset on the sequence number)."""
    qs = Event.objects.filter(organisation=organisation).select_related("actor")
    if before:
        qs = qs.filter(seq__lt=before)
    events = list(qs.order_by("-seq")[: limit + 1])
    next_before = events[limit - 1].seq if len(events) > limit else None
    return events[:limit], next_before
