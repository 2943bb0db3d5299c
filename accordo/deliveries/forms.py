"""Forms of deliveries: the client's upload details and answer, the staff queue filters and data."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accordo.deliveries.models import Delivery, Tray


class TrayChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class DeliveryDetailsForm(forms.Form):
    """What the client may add to a delivered invoice: amount, due date, a note."""

    amount = forms.DecimalField(label=_("Amount"), required=False, max_digits=14, decimal_places=2, localize=True)
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=4000, widget=forms.Textarea(attrs={"rows": 2}))


class DeliveryUploadForm(DeliveryDetailsForm):
    tray = TrayChoiceField(
        label=_("Tray"), queryset=Tray.objects.filter(active=True), to_field_name="public_id", empty_label=None
    )
    replaces = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["data-upload-extra"] = ""
        self.fields["amount"].widget.attrs["inputmode"] = "decimal"


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Your answer"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3}))


class ReturnForm(forms.Form):
    question = forms.CharField(
        label=_("Question for the client"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ConfirmForm(forms.Form):
    """Staff correct the invoice data read from the file."""

    supplier_name = forms.CharField(label=_("Supplier"), required=False, max_length=200)
    supplier_vat = forms.CharField(label=_("Supplier VAT number"), required=False, max_length=30)
    iban = forms.CharField(label=_("IBAN"), required=False, max_length=40)
    invoice_number = forms.CharField(label=_("Invoice number"), required=False, max_length=60)
    issue_date = forms.DateField(
        label=_("Invoice date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    due_date = forms.DateField(
        label=_("Due date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    net_total = forms.DecimalField(label=_("Net amount"), required=False, max_digits=14, decimal_places=2)
    vat_total = forms.DecimalField(label=_("VAT"), required=False, max_digits=14, decimal_places=2)
    payable_total = forms.DecimalField(label=_("Amount payable"), required=False, max_digits=14, decimal_places=2)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in data.items()}


STATUS_CHOICES = [("", _("Open (not processed)")), *Delivery.Status.choices]
AGE_CHOICES = [
    ("", _("Any age")),
    ("2", _("Older than 2 days")),
    ("7", _("Older than a week")),
    ("30", _("Older than a month")),
]


class QueueFilterForm(forms.Form):
    tray = TrayChoiceField(
        label=_("Tray"),
        queryset=Tray.objects.all(),
        to_field_name="public_id",
        required=False,
        empty_label=_("All trays"),
    )
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_CHOICES, required=False)
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False)
    organisation = forms.UUIDField(required=False, widget=forms.HiddenInput)
    assignee = forms.UUIDField(required=False, widget=forms.HiddenInput)


class TrayForm(forms.ModelForm):
    class Meta:
        model = Tray
        fields = ["name", "slug", "archive_pattern", "needs_processing", "invoice_data", "position", "active"]

    def clean_slug(self) -> str:
        return str(self.cleaned_data["slug"]).lower()

    def clean_archive_pattern(self) -> str:
        pattern = str(self.cleaned_data["archive_pattern"]).strip().strip("/")
        parts = [p.strip() for p in pattern.split("/")]
        if not pattern or any(not p or p in (".", "..") for p in parts):
            raise forms.ValidationError(_("Give a folder path like Administratie/{year}/Inkoop."))
        if "{" in pattern.replace("{year}", ""):
            raise forms.ValidationError(_("Only {year} can be filled in."))
        return "/".join(parts)
