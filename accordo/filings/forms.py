"""Forms of the returns register: filters, a new return, its amount, an assessment, a CSV file."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accordo.filings.models import Assessment, ReturnStatus, ReturnType

OUTCOME_CHOICES = [
    ("", _("Any outcome")),
    (Assessment.Outcome.CONFORM.value, Assessment.Outcome.CONFORM.label),
    (Assessment.Outcome.NOT_CONFORM.value, Assessment.Outcome.NOT_CONFORM.label),
    ("none", _("No assessment yet")),
]


class RegisterFilterForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), required=False, choices=[("", _("Any type")), *ReturnType.choices])
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *ReturnStatus.choices]
    )
    year = forms.IntegerField(label=_("Year"), required=False, min_value=1900, max_value=2999)
    outcome = forms.ChoiceField(label=_("Latest assessment"), required=False, choices=OUTCOME_CHOICES)
    client = forms.CharField(label=_("Client (name or KvK number)"), required=False, max_length=100)
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)


class ReturnForm(forms.Form):
    type = forms.ChoiceField(label=_("Type"), choices=ReturnType.choices)
    period = forms.CharField(
        label=_("Period"), max_length=20, help_text=_("A year (2025), a quarter (2025-Q3) or a month (2025-07).")
    )
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=14, decimal_places=2,
        help_text=_("To pay; negative to receive."),
    )  # fmt: skip


class AmountForm(forms.Form):
    amount = forms.DecimalField(
        label=_("Amount"), required=False, max_digits=14, decimal_places=2,
        help_text=_("To pay; negative to receive."),
    )  # fmt: skip


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=ReturnStatus.choices)


class AssessmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Assessment.Kind.choices, initial=Assessment.Kind.FINAL)
    number = forms.CharField(label=_("Assessment number"), max_length=40, required=False)
    amount = forms.DecimalField(
        label=_("Amount"), max_digits=14, decimal_places=2, help_text=_("To pay; negative to receive.")
    )
    dagtekening = forms.DateField(
        label=_("Date of the assessment"), widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("The date printed on the assessment (dagtekening)."),
    )  # fmt: skip

    def clean_dagtekening(self) -> datetime.date:
        value: datetime.date = self.cleaned_data["dagtekening"]
        if value > timezone.localdate() + datetime.timedelta(days=31):
            raise forms.ValidationError(_("The date of the assessment lies too far in the future."))
        return value


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"), help_text=_("UTF-8, separated by semicolons or commas."))


class ProgressForm(forms.Form):
    year = forms.TypedChoiceField(label=_("Tax year"), coerce=int)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        this_year = timezone.localdate().year
        field = self.fields["year"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [(y, str(y)) for y in range(this_year, this_year - 6, -1)]
