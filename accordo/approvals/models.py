"""Approvals (accorderen, SPEC §5): an offer of fixed documents, who decides, and each decision.

An approval's documents are fixed when it is offered: their bytes, names and SHA-256 are kept in
rows that nothing changes afterwards. A new version of a document means a new offer that
supersedes the old one (kept, marked superseded). Statuses move only through the services, each
step checked against the current state (STYLE.md rule 3) and recorded as an event.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import Organisation
from accordo.core.models import BaseModel


class ApprovalType(models.TextChoices):
    IB = "ib", _("Income tax return (IB)")
    VPB = "vpb", _("Corporate tax return (VPB)")
    OB = "ob", _("VAT return (OB/BTW)")
    ICP = "icp", _("ICP return")
    LH = "lh", _("Payroll tax return (LH)")
    ANNUAL_ACCOUNTS = "annual_accounts", _("Annual accounts")
    PUBLICATION = "publication", _("Publication documents")
    QUOTATION = "quotation", _("Quotation")
    ENGAGEMENT = "engagement", _("Engagement letter")
    OTHER = "other", _("Other")


TAX_RETURNS = frozenset({ApprovalType.IB, ApprovalType.VPB, ApprovalType.OB, ApprovalType.ICP, ApprovalType.LH})
PUBLICATION_TYPES = frozenset({ApprovalType.PUBLICATION})


class Approval(BaseModel):
    class Status(models.TextChoices):
        OFFERED = "offered", _("Waiting for a decision")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")
        EXPIRED = "expired", _("Expired")
        SUPERSEDED = "superseded", _("Superseded by a new version")

    class Mode(models.TextChoices):
        APPROVE = "approve", _("Approve")
        READ = "read", _("Read confirmation")

    class Rule(models.TextChoices):
        ANY = "any", _("Any one of them")
        ALL = "all", _("All of them")

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="approvals")
    type = models.CharField(_("type"), max_length=20, choices=ApprovalType.choices)
    period = models.CharField(_("period or year"), max_length=20)
    title = models.CharField(_("title"), max_length=200)
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("To pay; negative to receive.")
    )
    notes = models.TextField(_("notes"), blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    mode = models.CharField(_("mode"), max_length=10, choices=Mode.choices, default=Mode.APPROVE)
    rule = models.CharField(_("who decides"), max_length=5, choices=Rule.choices, default=Rule.ANY)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OFFERED)
    statement = models.TextField()  # exactly what a decider agrees to, fixed at the offer
    offered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    certificate = models.ForeignKey(
        "dossier.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "due_date"]),
            models.Index(fields=["organisation", "status"]),
            models.Index(fields=["created_at"]),
            # The overview's newest-first pages within one client or one type ("my clients", IB only).
            models.Index(fields=["organisation", "created_at"]),
            models.Index(fields=["type", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.period}"

    @property
    def is_tax_return(self) -> bool:
        return self.type in TAX_RETURNS


def document_path(instance: ApprovalDocument, filename: str) -> str:
    return f"approvals/{instance.approval.organisation.public_id}/{uuid.uuid4().hex}"


class ApprovalDocument(models.Model):
    """One document of an offer, exactly as shown: never changed after the offer."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="documents")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=255)
    file = models.FileField(upload_to=document_path, max_length=300)
    size = models.BigIntegerField()
    mime = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["approval", "position"], name="approval_document_position")]

    def __str__(self) -> str:
        return self.name


class Decider(models.Model):
    """A client user who may (or must) decide, and their decision."""

    class Decision(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="deciders")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["approval", "user"], name="approval_decider_unique")]

    def __str__(self) -> str:
        return f"{self.user_id}: {self.decision}"


class Reminder(models.Model):
    """One reminder of one approval, by its place in the schedule: never the same one twice."""

    approval = models.ForeignKey(Approval, on_delete=models.PROTECT, related_name="reminders")
    key = models.CharField(max_length=20)  # e.g. "before-3", "after-1", "after-8", "manual-<n>"
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["approval", "key"], name="approval_reminder_once")]

    def __str__(self) -> str:
        return self.key


class Submission(BaseModel):
    """The submission outbox (SPEC §15): an approved return to submit, or publication documents to file."""

    class Channel(models.TextChoices):
        TAX_OFFICE = "tax_office", _("Tax office")
        KVK = "kvk", _("Chamber of Commerce (KvK)")

    class Status(models.TextChoices):
        READY = "ready", _("Ready")
        SUBMITTED = "submitted", _("Submitted")
        ACCEPTED = "accepted", _("Accepted")
        REJECTED = "rejected", _("Rejected")

    approval = models.OneToOneField(Approval, on_delete=models.PROTECT, related_name="submission")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="submissions")
    channel = models.CharField(max_length=12, choices=Channel.choices)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.READY)
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    note = models.TextField(_("note"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.approval_id}: {self.status}"


class TemporaryLink(BaseModel):
    """A signed link for one recipient without a portal login (SPEC §5, §14).

    The token in the URL is an HMAC of the link's id and nonce, so it can be rebuilt to e-mail it
    and is never stored. A link serves either an approval (view, decide with an e-mailed code) or
    one dossier document (download). It stops at its expiry, after ``max_opens`` opens, when it is
    revoked, and when its approval is no longer waiting.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="temporary_links")
    recipient = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approval = models.ForeignKey(
        Approval, null=True, blank=True, on_delete=models.PROTECT, related_name="temporary_links"
    )
    document = models.ForeignKey(
        "dossier.Document", null=True, blank=True, on_delete=models.PROTECT, related_name="temporary_links"
    )
    nonce = models.CharField(max_length=32)
    expires_at = models.DateTimeField()
    max_opens = models.PositiveSmallIntegerField()
    opens = models.PositiveSmallIntegerField(default=0)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(approval__isnull=False, document__isnull=True)
                | models.Q(approval__isnull=True, document__isnull=False),
                name="temporary_link_one_target",
            )
        ]

    def __str__(self) -> str:
        return f"link {self.public_id}"


class LinkCode(models.Model):
    """A one-time code e-mailed to a link's recipient before deciding; limited attempts, short life."""

    link = models.ForeignKey(TemporaryLink, on_delete=models.PROTECT, related_name="codes")
    nonce = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"code {self.pk}"
