"""Deliveries (SPEC §4): trays, delivered files with their status, e-mail-in addresses, quarantine."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import Organisation
from accordo.core.models import BaseModel


def new_token() -> str:
    """An unguessable, mail-safe address part: 12 lower-case letters and digits."""
    alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
    return "".join(secrets.choice(alphabet) for _ in range(12))


class Tray(BaseModel):
    """A tray (bakje) the firm offers every organisation, with where its documents are archived."""

    name = models.CharField(_("name"), max_length=80)
    slug = models.SlugField(_("short name in e-mail addresses"), max_length=30, unique=True)
    archive_pattern = models.CharField(
        _("archive folder"),
        max_length=200,
        help_text=_("Folder in the dossier; {year} becomes the year of the document."),
    )
    needs_processing = models.BooleanField(_("needs processing"), default=True)
    invoice_data = models.BooleanField(_("ask for invoice data"), default=False)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(_("in use"), default=True)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class DeliveryAddress(models.Model):
    """The organisation's personal e-mail-in address: ``<token>@…`` and ``<token>+<tray>@…``."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE, related_name="delivery_address")
    token = models.CharField(max_length=20, unique=True, default=new_token)

    def __str__(self) -> str:
        return self.token


def delivery_path(instance: Delivery, filename: str) -> str:
    return f"deliveries/{instance.organisation.public_id}/{uuid.uuid4().hex}"


class Delivery(BaseModel):
    """One delivered file, followed by the client: received → in processing → processed, or returned."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Received")
        PROCESSING = "processing", _("In processing")
        PROCESSED = "processed", _("Processed")
        RETURNED = "returned", _("Returned with a question")
        REPLACED = "replaced", _("Replaced by a new file")

    class Channel(models.TextChoices):
        UPLOAD = "upload", _("Upload")
        EMAIL = "email", _("E-mail")

    class Extraction(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Reading")
        DONE = "done", _("Read")
        FAILED = "failed", _("Could not be read")

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="deliveries")
    tray = models.ForeignKey(Tray, on_delete=models.PROTECT, related_name="deliveries")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RECEIVED)
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.UPLOAD)
    delivered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    email_from = models.CharField(max_length=254, blank=True)
    email_subject = models.CharField(max_length=300, blank=True)
    # the file
    file = models.FileField(upload_to=delivery_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    mime = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    # what the client said
    note = models.TextField(_("note"), blank=True)
    client_amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, null=True, blank=True)
    client_due_date = models.DateField(_("due date"), null=True, blank=True)
    # what the worker read, and what staff confirmed
    extraction = models.CharField(max_length=10, choices=Extraction.choices, default=Extraction.QUEUED)
    extraction_error = models.CharField(max_length=300, blank=True)
    extracted = models.JSONField(default=dict, blank=True)
    extracted_source = models.CharField(max_length=10, blank=True)  # ubl, pdf-ubl, text
    text = models.TextField(blank=True)
    confirmed = models.JSONField(default=dict, blank=True)
    # the question when returned, and the answer
    question = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    processed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    processed_at = models.DateTimeField(null=True, blank=True)
    archived = models.ForeignKey(
        "dossier.Document", null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["created_at"]),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["organisation", "created_at"]),
        ]

    def __str__(self) -> str:
        return self.original_name


class QuarantinedMail(BaseModel):
    """Mail to a delivery address from someone who is not a member: held for staff, never archived."""

    class Status(models.TextChoices):
        HELD = "held", _("Held")
        RELEASED = "released", _("Released")
        DISCARDED = "discarded", _("Discarded")

    organisation = models.ForeignKey(Organisation, null=True, on_delete=models.CASCADE, related_name="+")
    tray = models.ForeignKey(Tray, null=True, on_delete=models.SET_NULL, related_name="+")
    recipient = models.CharField(max_length=254)
    sender = models.CharField(max_length=254)
    subject = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=200)
    message = models.FileField(upload_to="quarantine/", max_length=300)
    size = models.BigIntegerField()
    attachments = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.HELD)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.sender} → {self.recipient}"
