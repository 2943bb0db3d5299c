"""Base model and the event log (the spine of Accordo, see STYLE.md)."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.choices import CallableChoiceIterator
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

# (field, language) -> {choice value: translated label}; choices are fixed when the class is built.
_CHOICE_LABELS: dict[tuple[int, str | None], dict[Any, str]] = {}


def choice_labels(field: models.Field[Any, Any]) -> dict[Any, str]:
    """{choice value: label} of a field with fixed choices, translated into the active language.

    Built once per field and language: Django rebuilds and hashes every lazy label on each
    ``get_<field>_display`` call.
    """
    key = (id(field), get_language())
    labels = _CHOICE_LABELS.get(key)
    if labels is None:
        labels = {make_hashable(v): force_str(label, strings_only=True) for v, label in field.flatchoices}
        _CHOICE_LABELS[key] = labels
    return labels


class BaseModel(models.Model):
    """A uuid public id for URLs (never the sequential pk) and timestamps."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True

    def _get_FIELD_display(self, field: models.Field[Any, Any]) -> Any:
        """Django's ``get_<field>_display``, with the translated labels built once per language.

        Django rebuilds and hashes every lazy label of the field on each call, which made list
        pages spend most of their time translating choices they never show.
        """
        if isinstance(field.choices, CallableChoiceIterator):  # choices that may change: no cache
            return super()._get_FIELD_display(field)  # type: ignore[misc]
        value = getattr(self, field.attname)
        return choice_labels(field).get(make_hashable(value), force_str(value, strings_only=True))


class AppendOnlyError(RuntimeError):
    """Raised when code tries to change or delete an event."""


class EventQuerySet(models.QuerySet["Event"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("events are append-only")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("events are append-only")


class Event(models.Model):
    """One state change, hash-chained to the event before it."""

    seq = models.PositiveBigIntegerField(unique=True)
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField()
    verb = models.CharField(max_length=80, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=254, blank=True)
    organisation = models.ForeignKey(
        "clients.Organisation", null=True, blank=True, on_delete=models.PROTECT, related_name="events"
    )
    target_type = models.CharField(max_length=80, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    mfa_passed = models.BooleanField(default=False)
    data = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["organisation", "-seq"], name="event_org_seq"),
            models.Index(fields=["target_type", "target_id"], name="event_target"),
        ]
        verbose_name = _("event")

    def __str__(self) -> str:
        return f"#{self.seq} {self.verb}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("events are append-only")


class EventChainHead(models.Model):
    """A single row holding the newest sequence number and hash; locked while appending."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"head #{self.last_seq}"


class ConsumerOffset(models.Model):
    """How far a consumer of the event log has read; advanced only after success."""

    name = models.CharField(max_length=80, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seq}"
