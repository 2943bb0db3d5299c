"""Firm administrators set when clients are reminded (SPEC §10): /staff/reminders/."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from accordo.accounts.models import User
from accordo.core.access import AuthedRequest, firm_admin_required, public_id_or_404
from accordo.core.context import ctx_from_request
from accordo.work.forms_reminders import ReminderScheduleForm, days_text
from accordo.work.models import ReminderSchedule
from accordo.work.services_reminders import reminder_schedule_update

# Kinds whose objects arrive in later releases: the schedule is ready, the sweep has nothing to send.
NOT_YET = {ReminderSchedule.Kind.DOCUMENT_REQUEST, ReminderSchedule.Kind.QUESTIONNAIRE}


def access_reminder_schedule(user: User, public_id: uuid.UUID | str) -> ReminderSchedule:
    """A reminder schedule, for a firm administrator; 404 for anyone else and for a missing one."""
    if not user.is_firm_admin:
        raise Http404
    schedule = ReminderSchedule.objects.filter(public_id=public_id_or_404(public_id)).first()
    if schedule is None:
        raise Http404
    return schedule


@require_GET
@firm_admin_required
def schedules(request: AuthedRequest) -> HttpResponse:
    rows = [
        {
            "schedule": s,
            "before": days_text(s.days_before),
            "after": days_text(s.days_after),
            "not_yet": s.kind in NOT_YET,
        }
        for s in ReminderSchedule.objects.order_by("kind")
    ]
    return render(request, "work/reminders/schedules.html", {"rows": rows})


@require_http_methods(["GET", "POST"])
@firm_admin_required
def schedule_edit(request: AuthedRequest, public_id: uuid.UUID) -> HttpResponse:
    schedule = access_reminder_schedule(request.user, public_id)
    form = ReminderScheduleForm.for_schedule(schedule, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            reminder_schedule_update(actor=request.user, ctx=ctx_from_request(request), schedule=schedule,
                                     **form.cleaned_data)  # fmt: skip
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Reminder schedule saved."))
            return redirect("reminders:schedules")
    return render(
        request,
        "work/reminders/schedule_edit.html",
        {"schedule": schedule, "form": form, "not_yet": schedule.kind in NOT_YET},
        status=400 if form.errors else 200,
    )
