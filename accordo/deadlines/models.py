"""The generated deadline calendar of each organisation, and the users' iCalendar feeds (SPEC §11)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.clients.models import Organisation
from accordo.core.models import BaseModel
from accordo.deadlines.rules import DeadlineKind


class Kind(models.TextChoices):
    """The translatable labels of the rules' deadline kinds (same values as ``DeadlineKind``)."""

    VAT_RETURN = DeadlineKind.VAT_RETURN.value, _("VAT return")
    ICP_RETURN = DeadlineKind.ICP_RETURN.value, _("Intra-community supplies return")
    PAYROLL_TAX_RETURN = DeadlineKind.PAYROLL_TAX_RETURN.value, _("Payroll tax return")
    INCOME_TAX_RETURN = DeadlineKind.INCOME_TAX_RETURN.value, _("Income tax return")
    CORPORATE_TAX_RETURN = DeadlineKind.CORPORATE_TAX_RETURN.value, _("Corporate tax return")
    ANNUAL_ACCOUNTS_FILING = DeadlineKind.ANNUAL_ACCOUNTS_FILING.value, _("Annual accounts filing")
    OBJECTION = "objection", _("Objection deadline")


GENERATED_KINDS = frozenset(k.value for k in DeadlineKind)


class OrganisationDeadline(models.Model):
    """One legal deadline of one organisation, generated from its profile (never edited by hand).

    A plain model (no public id, no timestamps): rows are rebuilt in bulk, and what identifies a
    deadline for outsiders (the iCalendar UID) is (organisation, kind, period start, source).
    Rows with a ``source`` (an objection deadline's assessment) are not the rules': regenerating the
    calendar leaves them alone.
    """

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    due_date = models.DateField(_("due date"))
    source = models.CharField(max_length=64, blank=True, default="", db_default="")
    title = models.CharField(max_length=200, blank=True, default="", db_default="")

    class Meta:
        ordering = ["due_date", "kind", "period_start"]
        verbose_name = _("deadline")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "period_start", "source"], name="deadline_unique_period"
            )
        ]
        # The unique index serves one organisation's rows (a few dozen, sorted in memory).
        indexes = [models.Index(fields=["due_date"], name="deadline_due")]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_start}–{self.period_end} due {self.due_date}"


class CalendarFeed(BaseModel):
    """A user's secret iCalendar URL: an HMAC of the feed's public id and a random nonce (never stored).

    A user has at most one live feed; making a new one revokes the old, so a leaked URL can be killed.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feeds")
    nonce = models.CharField(max_length=64)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(revoked_at__isnull=True), name="calendar_feed_one_live"
            )
        ]

    def __str__(self) -> str:
        return f"feed {self.public_id} of {self.user_id}"


class PayrollDate(BaseModel):
    """A payroll tax period and its due date, as the tax office's yearly letter gives them to the firm."""

    period_start = models.DateField(_("period starts"), unique=True)
    due_date = models.DateField(_("due date"))

    class Meta:
        ordering = ["period_start"]
        verbose_name = _("payroll tax date")
        verbose_name_plural = _("payroll tax dates")

    def __str__(self) -> str:
        return f"{self.period_start} → {self.due_date}"


class DeadlineTask(models.Model):
    """That a deadline started its task ahead of time: once per (organisation, kind, period, source)."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    period_start = models.DateField()
    source = models.CharField(max_length=64, blank=True, default="")
    task = models.ForeignKey("work.Task", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "kind", "period_start", "source"], name="deadlinetask_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.kind}:{self.period_start}"
