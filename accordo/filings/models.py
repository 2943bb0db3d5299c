"""Tax returns and assessments (aangiften en aanslagen, SPEC §6).

A return is one organisation's return of one type for one period; its status moves forward
through the services (by hand, or following its approval and submission through the 'filings'
consumer). An assessment is the tax office's answer to it, compared with the return's amount:
within the firm's tolerance it is conform, otherwise the firm reviews it and may object before
the objection deadline, which is also put in the organisation's calendar.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from accordo.approvals.models import Approval, ApprovalType
from accordo.clients.models import Organisation
from accordo.core.models import BaseModel


class ReturnType(models.TextChoices):
    """The return types of approvals (same stored values), so an offered return finds its row."""

    IB = ApprovalType.IB.value, ApprovalType.IB.label
    VPB = ApprovalType.VPB.value, ApprovalType.VPB.label
    OB = ApprovalType.OB.value, ApprovalType.OB.label
    ICP = ApprovalType.ICP.value, ApprovalType.ICP.label
    LH = ApprovalType.LH.value, ApprovalType.LH.label


class ReturnStatus(models.TextChoices):
    IN_PREPARATION = "in_preparation", _("In preparation")
    FOR_APPROVAL = "for_approval", _("For approval")
    APPROVED = "approved", _("Approved")
    SUBMITTED = "submitted", _("Submitted")
    ASSESSED = "assessed", _("Assessed")


# The order of the statuses: automatic updates only ever move a return to a later one.
STATUS_RANK: dict[str, int] = {status: i for i, status in enumerate(ReturnStatus.values)}


class TaxReturn(BaseModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="tax_returns")
    type = models.CharField(_("type"), max_length=10, choices=ReturnType.choices)
    period = models.CharField(_("period"), max_length=20)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    status = models.CharField(
        _("status"), max_length=16, choices=ReturnStatus.choices, default=ReturnStatus.IN_PREPARATION
    )
    amount = models.DecimalField(
        _("amount"), max_digits=14, decimal_places=2, null=True, blank=True, help_text=_("To pay; negative to receive.")
    )
    submitted_on = models.DateField(_("submitted on"), null=True, blank=True)
    approval = models.ForeignKey(Approval, null=True, blank=True, on_delete=models.SET_NULL, related_name="tax_returns")

    class Meta:
        ordering = ["-period_start", "type", "id"]
        verbose_name = _("tax return")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "type", "period_start"], name="taxreturn_unique_period")
        ]
        indexes = [
            # The register: newest periods first, filtered by status or type.
            models.Index(fields=["-period_start", "type", "id"], name="taxreturn_register"),
            models.Index(fields=["status", "-period_start"], name="taxreturn_status"),
            models.Index(fields=["type", "-period_start"], name="taxreturn_type"),
        ]

    def __str__(self) -> str:
        return f"{self.get_type_display()} {self.period}"

    @property
    def short_type(self) -> str:
        return self.type.upper()


class Assessment(BaseModel):
    class Kind(models.TextChoices):
        PROVISIONAL = "provisional", _("Provisional assessment")
        FINAL = "final", _("Final assessment")
        ADDITIONAL = "additional", _("Additional assessment")

    class Outcome(models.TextChoices):
        CONFORM = "conform", _("Conform the return")
        NOT_CONFORM = "not_conform", _("Not conform the return")

    class Status(models.TextChoices):
        APPROVED = "approved", _("Approved")
        UNDER_REVIEW = "under_review", _("Being reviewed by the firm")

    class Source(models.TextChoices):
        MANUAL = "manual", _("Entered by hand")
        CSV = "csv", _("Imported from a CSV file")

    tax_return = models.ForeignKey(TaxReturn, on_delete=models.PROTECT, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    number = models.CharField(_("assessment number"), max_length=40, blank=True)
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)
    dagtekening = models.DateField(_("date of the assessment"))
    difference = models.DecimalField(_("difference with the return"), max_digits=14, decimal_places=2)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    objection_due = models.DateField(_("objection deadline"), null=True, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    source = models.CharField(max_length=6, choices=Source.choices, default=Source.MANUAL)

    class Meta:
        ordering = ["-dagtekening", "-id"]
        verbose_name = _("assessment")
        indexes = [
            # The register's "latest assessment" of each return.
            models.Index(fields=["tax_return", "-dagtekening", "-id"], name="assessment_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.dagtekening}"
