"""Forms of approvals for staff: the offer, withdrawing, the overview's filters, the outbox."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from accordo.accounts.models import User
from accordo.approvals.models import Approval, ApprovalType, Submission
from accordo.clients.models import Membership
from accordo.dossier.models import Document

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class OfferForm(forms.Form):
    """What staff offer: the summary, who decides and the dossier PDFs (uploads come beside it)."""

    type = forms.ChoiceField(label=_("Type"), choices=ApprovalType.choices)
    period = forms.CharField(label=_("Period or year"), max_length=20, help_text=_("For example 2025 or 2025-Q3."))
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        max_digits=14,
        decimal_places=2,
        localize=True,
        help_text=_("To pay; negative to receive."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))
    due_date = forms.DateField(label=_("Due date"), required=False, widget=DATE_INPUT)
    mode = forms.ChoiceField(
        label=_("What the client does"),
        choices=Approval.Mode.choices,
        initial=Approval.Mode.APPROVE,
        widget=forms.RadioSelect,
    )
    deciders = forms.MultipleChoiceField(
        label=_("Who decides"),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": _("Choose who decides."),
            "invalid_choice": _("Only owners and approvers of this client can decide."),
        },
    )
    rule = forms.ChoiceField(
        label=_("Decided when"), choices=Approval.Rule.choices, initial=Approval.Rule.ANY, widget=forms.RadioSelect
    )
    documents = forms.MultipleChoiceField(
        label=_("PDFs from the dossier"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Choose PDFs of this client's dossier only.")},
    )

    def __init__(self, *args: Any, memberships: list[Membership], documents: list[Document], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.memberships = {str(m.user.public_id): m for m in memberships}
        self.dossier = {str(d.public_id): d for d in documents}
        self.fields["deciders"].choices = [  # type: ignore[attr-defined]
            (key, f"{m.user.display_name} ({m.get_role_display()})") for key, m in self.memberships.items()
        ]
        self.fields["documents"].choices = [  # type: ignore[attr-defined]
            (key, f"{d.folder.name} / {d.name} ({date_format(d.current.created_at, 'SHORT_DATE_FORMAT')})")
            for key, d in self.dossier.items()
            if d.current is not None
        ]
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"

    def chosen_deciders(self) -> list[User]:
        return [self.memberships[key].user for key in self.cleaned_data["deciders"]]

    def chosen_documents(self) -> list[Document]:
        return [self.dossier[key] for key in self.cleaned_data["documents"]]


def offer_initial(approval: Approval, memberships: list[Membership]) -> dict[str, Any]:
    """A new offer's form filled in from an earlier one (its documents are never carried over)."""
    still_deciding = {m.user_id for m in memberships}
    return {
        "type": approval.type,
        "period": approval.period,
        "title": approval.title,
        "amount": approval.amount,
        "notes": approval.notes,
        "due_date": approval.due_date,
        "mode": approval.mode,
        "rule": approval.rule,
        "deciders": [
            str(d.user.public_id) for d in approval.deciders.select_related("user") if d.user_id in still_deciding
        ],
    }


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for withdrawing"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason for withdrawing.")},
    )


STATUS_CHOICES = [("", _("Any status")), *Approval.Status.choices]
TYPE_CHOICES = [("", _("Any type")), *ApprovalType.choices]
AGE_CHOICES = [
    ("", _("Any age")),
    ("7", _("Offered more than a week ago")),
    ("30", _("Offered more than a month ago")),
    ("90", _("Offered more than three months ago")),
]
DUE_CHOICES = [("", _("Any due date")), ("overdue", _("Overdue")), ("soon", _("Due within 7 days"))]


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.display_name)


class OverviewFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    type = forms.ChoiceField(label=_("Type"), choices=TYPE_CHOICES, required=False)
    period = forms.CharField(label=_("Period or year"), max_length=20, required=False)
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False)
    due = forms.ChoiceField(label=_("Due"), choices=DUE_CHOICES, required=False)
    assignee = StaffChoiceField(
        label=_("Assigned to"),
        queryset=User.objects.exclude(staff_role="").filter(is_active=True).order_by("full_name", "email"),
        to_field_name="public_id",
        required=False,
        empty_label=_("Anyone"),
    )
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)


class BulkForm(forms.Form):
    """The overview's bulk actions on the chosen approvals."""

    action = forms.ChoiceField(choices=[("remind", _("Remind")), ("withdraw", _("Withdraw"))])
    reason = forms.CharField(max_length=4000, required=False)
    filters = forms.CharField(max_length=2000, required=False)


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *Submission.Status.choices], required=False
    )
    channel = forms.ChoiceField(
        label=_("Channel"), choices=[("", _("Every channel")), *Submission.Channel.choices], required=False
    )


class AdvanceForm(forms.Form):
    """One step of a submission: submitted (with the reference), accepted, rejected (with a note), ready again."""

    status = forms.ChoiceField(choices=Submission.Status.choices)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)
    note = forms.CharField(label=_("Note"), max_length=4000, required=False, widget=forms.Textarea(attrs={"rows": 2}))


def filter_querystrings(request: HttpRequest) -> dict[str, str]:
    """A filtered list's query string without its page (for paging links and forms), and without
    its status too (for the counts per status, each a link to that status)."""
    querystring = request.GET.copy()
    querystring.pop("page", None)
    without_status = querystring.copy()
    without_status.pop("status", None)
    return {"querystring": querystring.urlencode(), "status_querystring": without_status.urlencode()}
