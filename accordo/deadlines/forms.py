"""Forms of the calendar: the firm's payroll tax dates."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PayrollDateForm(forms.Form):
    period_start = forms.DateField(label=_("Period starts"), widget=DATE_INPUT)
    due_date = forms.DateField(label=_("Due date"), widget=DATE_INPUT)
