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
    "folder.created": _("Folder created"),
    "folder.changed": _("Folder changed"),
    "folder.deleted": _("Folder moved to the bin"),
    "folder.restored": _("Folder restored"),
    "document.uploaded": _("Document added"),
    "document.version_added": _("New version added"),
    "document.archived": _("Document filed"),
    "document.changed": _("Document changed"),
    "document.deleted": _("Document moved to the bin"),
    "document.restored": _("Document restored"),
    "document.viewed": _("Document viewed by the client"),
    "document.downloaded": _("Document downloaded by the client"),
    "document.processed": _("Document read (text and search)"),
    "document.processing_failed": _("Document could not be read"),
    "dossier.template_changed": _("Folder template changed"),
    "delivery.received": _("Delivery received"),
    "delivery.read": _("Delivery read"),
    "delivery.processing": _("Delivery in processing"),
    "delivery.data_confirmed": _("Invoice data confirmed"),
    "delivery.processed": _("Delivery processed"),
    "delivery.returned": _("Delivery returned with a question"),
    "delivery.answered": _("Question answered by the client"),
    "mail.quarantined": _("Mail held in quarantine"),
    "mail.released": _("Mail released from quarantine"),
    "mail.discarded": _("Mail discarded"),
    "approval.offered": _("Offered for approval"),
    "approval.emailed": _("E-mailed"),
    "approval.opened": _("Opened"),
    "approval.document_viewed": _("Document viewed"),
    "approval.approved": _("Approved"),
    "approval.rejected": _("Rejected"),
    "approval.reminded": _("Reminder sent"),
    "approval.withdrawn": _("Withdrawn"),
    "approval.expired": _("Expired"),
    "approval.superseded": _("Replaced by a new version"),
    "approval.filed": _("Filed in the dossier with its certificate"),
    "link.created": _("Temporary link made"),
    "link.opened": _("Opened through a temporary link"),
    "link.revoked": _("Temporary link withdrawn"),
    "link.code_sent": _("One-time code e-mailed"),
    "submission.ready": _("Ready for submission"),
    "submission.submitted": _("Submitted"),
    "submission.accepted": _("Accepted"),
    "submission.rejected": _("Rejected by the authority"),
    "organisation.tier_changed": _("Service tier changed"),
    "calendar.generated": _("Deadline calendar updated"),
    # Work: planning board, tasks, staff home.
    "task.created": _("Task created"),
    "task.moved": _("Task moved"),
    "task.assigned": _("Task assigned"),
    # Work: signal rules, e-mail templates, workflows.
    "rule.created": _("Signal rule added"),
    "rule.updated": _("Signal rule changed"),
    "rule.deleted": _("Signal rule removed"),
    "rule.mail_sent": _("E-mail sent by a signal rule"),
    "rule.mail_skipped": _("E-mail of a signal rule not sent: no address"),
    "mailtemplate.created": _("E-mail template added"),
    "mailtemplate.updated": _("E-mail template changed"),
    "mailtemplate.deleted": _("E-mail template removed"),
    "workflow.template_created": _("Workflow template added"),
    "workflow.template_changed": _("Workflow template changed"),
    "workflow.template_deleted": _("Workflow template removed"),
    "workflow.started": _("Workflow started"),
    "workflow.bulk_started": _("Workflows started in bulk"),
    "workflow.batch_queued": _("Bulk workflow start queued"),
    "workflow.batch_done": _("Bulk workflow start finished"),
    "workflow.completed": _("Workflow completed"),
    "workflow.reopened": _("Workflow reopened"),
    "workflow.cancelled": _("Workflow cancelled"),
    # Work: reminder schedules and digests.
    "reminder_schedule.updated": _("Reminder schedule changed"),
    "task.reminded": _("Reminder sent"),
    "digest.sent": _("Daily digest e-mailed"),
    # Filings: tax returns and assessments.
    "return.created": _("Tax return added"),
    "return.updated": _("Tax return amount changed"),
    "return.linked": _("Tax return linked to its approval"),
    "return.status_changed": _("Tax return status changed"),
    "assessment.recorded": _("Assessment recorded"),
    "assessment.conform": _("Assessment conform the return"),
    "assessment.not_conform": _("Assessment not conform the return"),
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
