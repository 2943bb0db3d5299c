"""The form of a reminder schedule: days as comma lists, repeat every N days, on or off."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accordo.work.models import ReminderSchedule
from accordo.work.services_reminders import MAX_DAYS, days_validate

_NUMBER = re.compile(r"\d{1,4}")


def days_parse(text: str, *, field: str) -> list[int]:
    """``"7, 1"`` → ``[7, 1]``; commas, semicolons or spaces between whole numbers 0..365."""
    parts = [p for p in re.split(r"[\s,;]+", text.strip()) if p]
    if any(not _NUMBER.fullmatch(p) for p in parts):
        raise ValidationError(
            _("Give whole numbers of days from 0 to %(max)d, separated by commas."), params={"max": MAX_DAYS}
        )
    return days_validate([int(p) for p in parts], field=field)


def days_text(days: list[int]) -> str:
    return ", ".join(str(d) for d in days)


class ReminderScheduleForm(forms.Form):
    days_before = forms.CharField(
        label=gettext_lazy("Days before the due date"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example 7, 1: a week before and the day before. Empty for none."),
    )
    days_after = forms.CharField(
        label=gettext_lazy("Days after the due date"),
        required=False,
        max_length=100,
        help_text=gettext_lazy("For example 1: the day after the due date. Empty for none."),
    )
    repeat_every_days = forms.IntegerField(
        label=gettext_lazy("Then repeat every (days)"),
        min_value=0,
        max_value=MAX_DAYS,
        help_text=gettext_lazy("After the last reminder after the due date, until it is done; 0 for never."),
    )
    active = forms.BooleanField(label=gettext_lazy("Send these reminders"), required=False)

    @classmethod
    def for_schedule(cls, schedule: ReminderSchedule, data: Any = None) -> ReminderScheduleForm:
        initial = {
            "days_before": days_text(schedule.days_before),
            "days_after": days_text(schedule.days_after),
            "repeat_every_days": schedule.repeat_every_days,
            "active": schedule.active,
        }
        return cls(data, initial=initial)

    def clean_days_before(self) -> list[int]:
        return days_parse(self.cleaned_data["days_before"], field="days_before")

    def clean_days_after(self) -> list[int]:
        return days_parse(self.cleaned_data["days_after"], field="days_after")
