"""The firm-owned dossier (SPEC §3): folders per organisation, documents with versions."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import Organisation
from accordo.core.models import BaseModel

MAX_FILE_BYTES = 100 * 1024 * 1024
NAME_MAX = 200


class TemplateFolder(BaseModel):
    """One folder of the firm's template, applied to every new organisation."""

    path = models.CharField(_("folder"), max_length=400, unique=True, help_text=_("Use / for a subfolder."))
    open_to_client = models.BooleanField(_("open to the client"), default=False)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "path"]

    def __str__(self) -> str:
        return self.path


class Folder(BaseModel):
    """A folder of one organisation's dossier; clients see it only when it and its parents are open."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="folders")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("name"), max_length=NAME_MAX)
    open_to_client = models.BooleanField(_("open to the client"), default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]
        indexes = [models.Index(fields=["organisation", "parent", "name"])]

    def __str__(self) -> str:
        return self.name


class Document(BaseModel):
    """An item of the dossier; its file lives in versions, the newest is ``current``."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="documents")
    folder = models.ForeignKey(Folder, on_delete=models.PROTECT, related_name="documents")
    name = models.CharField(_("name"), max_length=255)
    visible_from = models.DateTimeField(
        _("visible to the client from"), null=True, blank=True, help_text=_("Empty: at once.")
    )
    current = models.ForeignKey("DocumentVersion", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["name"]
        indexes = [
            models.Index(fields=["folder", "name"]),
            models.Index(fields=["organisation", "deleted_at"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def published(self) -> bool:
        return self.visible_from is None or self.visible_from <= timezone.now()


def version_path(instance: DocumentVersion, filename: str) -> str:
    """Storage name: by organisation and a random id; the name a person gave is kept in the row."""
    return f"dossier/{instance.document.organisation.public_id}/{uuid.uuid4().hex}"


def thumbnail_path(instance: DocumentVersion, filename: str) -> str:
    return f"thumbnails/{instance.document.organisation.public_id}/{uuid.uuid4().hex}.webp"


class DocumentVersion(BaseModel):
    """One uploaded file of a document, with what the worker learned of it (text, OCR, thumbnail)."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        PROCESSING = "processing", _("Processing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class TextSource(models.TextChoices):
        NONE = "", _("None")
        PDF = "pdf", _("Text layer")
        OCR = "ocr", _("Text recognition (OCR)")
        PLAIN = "plain", _("Text file")

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    file = models.FileField(upload_to=version_path, max_length=300)
    original_name = models.CharField(max_length=255)
    size = models.BigIntegerField()
    mime = models.CharField(max_length=120)
    sha256 = models.CharField(max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    pages = models.PositiveIntegerField(null=True, blank=True)
    text = models.TextField(blank=True)
    text_source = models.CharField(max_length=8, choices=TextSource.choices, blank=True, default="")
    thumbnail = models.FileField(upload_to=thumbnail_path, max_length=300, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    step = models.CharField(max_length=20, blank=True)
    error = models.CharField(max_length=500, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="dossier_version_number")]

    def __str__(self) -> str:
        return f"{self.original_name} v{self.number}"

    @property
    def previewable(self) -> bool:
        return self.mime == "application/pdf" or self.mime in {"image/png", "image/jpeg", "image/gif", "image/webp"}
