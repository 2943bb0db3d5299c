"""Forms of the clients app: parse and validate input, services do the writing."""

from __future__ import annotations

import calendar
import re
import uuid
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from accordo.accounts.models import User
from accordo.clients import validators as v
from accordo.clients.models import AssignmentRole, Firm, Label, MemberRole, Organisation, Tier
from accordo.clients.selectors import Choice, FilterChoices

SEARCH_MAX_LENGTH = 100
BULK_TIER_MAX = 500

IDENTIFIER_CLEANERS = {
    "kvk_number": v.clean_kvk,
    "rsin": v.clean_rsin,
    "vat_number": v.clean_vat,
    "kbo_number": v.clean_kbo,
    "iban": v.clean_iban,
    "bsn": v.clean_bsn,
}
ORGANISATION_FIELDS = [
    "kind",
    "name",
    "trade_name",
    "legal_form",
    "country",
    "kvk_number",
    "rsin",
    "vat_number",
    "kbo_number",
    "bsn",
    "iban",
    "visit_street",
    "visit_postcode",
    "visit_city",
    "postal_street",
    "postal_postcode",
    "postal_city",
    "phone",
    "email",
    "website",
    "financial_year_end_month",
    "vat_frequency",
    "has_payroll",
    "tier",
]
# What a client may ever change of its own data (minus what the firm locks).
CLIENT_FIELDS = [
    "name",
    "trade_name",
    "legal_form",
    "kvk_number",
    "rsin",
    "vat_number",
    "kbo_number",
    "bsn",
    "iban",
    "visit_street",
    "visit_postcode",
    "visit_city",
    "postal_street",
    "postal_postcode",
    "postal_city",
    "phone",
    "email",
    "website",
]
LOCKABLE_FIELDS = ["kind", "country", *CLIENT_FIELDS]


def client_fields_for(organisation: Organisation) -> list[str]:
    """The client-facing fields that apply to this organisation (country and kind)."""
    skip = {"bsn"}
    if organisation.kind == Organisation.Kind.PERSON:
        skip = {"kvk_number", "rsin", "vat_number", "kbo_number"}
    skip |= {"kbo_number"} if organisation.country == Organisation.Country.NL else {"kvk_number", "rsin", "bsn"}
    return [name for name in CLIENT_FIELDS if name not in skip]


PHONE_RE = re.compile(r"^\+?[0-9 ()\-]{6,20}$")


class OrganisationDataMixin:
    """Validation shared by the staff and the client form of an organisation's data."""

    cleaned_data: dict[str, Any]

    def _clean_identifier(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip()
        return IDENTIFIER_CLEANERS[name](value) if value else ""

    def clean_kvk_number(self) -> str:
        return self._clean_identifier("kvk_number")

    def clean_rsin(self) -> str:
        return self._clean_identifier("rsin")

    def clean_vat_number(self) -> str:
        return self._clean_identifier("vat_number")

    def clean_kbo_number(self) -> str:
        return self._clean_identifier("kbo_number")

    def clean_iban(self) -> str:
        return self._clean_identifier("iban")

    def clean_bsn(self) -> str:
        return self._clean_identifier("bsn")

    def clean_phone(self) -> str:
        value = (self.cleaned_data.get("phone") or "").strip()
        if value and not PHONE_RE.match(value):
            raise ValidationError(_("Enter a phone number with digits, spaces and an optional +."))
        return value

    def clean_visit_postcode(self) -> str:
        return self._postcode("visit_postcode")

    def clean_postal_postcode(self) -> str:
        return self._postcode("postal_postcode")

    def _postcode(self, name: str) -> str:
        value = (self.cleaned_data.get(name) or "").strip().upper()
        country = self.cleaned_data.get("country") or getattr(getattr(self, "instance", None), "country", "NL")
        if value and country == "NL":
            return v.clean_nl_postcode(value)
        if value and country == "BE" and not re.fullmatch(r"\d{4}", value):
            raise ValidationError(_("A Belgian postcode has 4 digits."))
        return value


class OrganisationForm(OrganisationDataMixin, forms.ModelForm):
    """Staff create and edit an organisation, with labels and assigned staff."""

    bsn = forms.CharField(
        label=_("BSN"),
        required=False,
        max_length=11,
        help_text=_("Stored encrypted. Leave empty to keep the current number."),
    )
    labels = forms.ModelMultipleChoiceField(
        label=_("Labels"), queryset=Label.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = [f for f in ORGANISATION_FIELDS if f != "bsn"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        staff = User.objects.exclude(staff_role="").filter(is_active=True).order_by("full_name", "email")
        for role, label in AssignmentRole.choices:
            self.fields[f"assign_{role}"] = forms.ModelChoiceField(
                label=label, queryset=staff, required=False, to_field_name="public_id"
            )
        if self.instance.pk:
            self.fields["labels"].initial = list(self.instance.labels.all())
            for assignment in self.instance.assignments.select_related("user"):
                self.fields[f"assign_{assignment.role}"].initial = assignment.user.public_id

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Organisation.Kind.PERSON and data.get("legal_form") not in (
            Organisation.LegalForm.PERSON,
            Organisation.LegalForm.EENMANSZAAK,
            None,
        ):
            self.add_error(
                "legal_form",
                _("A private person has the legal form 'private person' or sole proprietorship."),
            )
        return data

    def changes(self) -> dict[str, Any]:
        changes = {f: self.cleaned_data[f] for f in self.Meta.fields}
        if self.cleaned_data.get("bsn"):
            changes["bsn"] = self.cleaned_data["bsn"]
        return changes

    def assignments(self) -> dict[str, User | None]:
        return {role: self.cleaned_data.get(f"assign_{role}") for role in AssignmentRole.values}


class CompanyDataForm(OrganisationDataMixin, forms.ModelForm):
    """The client's own data; fields the firm locked are not in the form."""

    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = CLIENT_FIELDS

    def __init__(self, *args: Any, locked: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        relevant = set(client_fields_for(self.instance))
        for name in list(self.fields):
            if name in locked or name not in relevant:
                del self.fields[name]
        if "bsn" in self.fields:
            self.fields["bsn"] = forms.CharField(
                label=_("BSN"),
                required=False,
                max_length=11,
                help_text=_("Leave empty to keep the current number."),
            )
            self.initial.pop("bsn", None)  # never send the full BSN back to the browser

    def changes(self) -> dict[str, Any]:
        changes = {name: self.cleaned_data[name] for name in self.fields}
        if not changes.get("bsn"):
            changes.pop("bsn", None)
        return changes


class OrganisationFilters:
    """The staff list's filters (q, label, tier, assignee) read from the query string.

    Checked as a form would check them, against the labels and staff of ``choices``: the search is
    stripped and at most 100 characters, the label and assignee are public ids of a label and a
    staff member, the tier is one of the tiers. Any invalid value drops every filter (the list
    shows everything) and marks that field invalid; the fields show what was typed.
    """

    fields = ("q", "label", "tier", "assignee")

    def __init__(self, data: QueryDict, choices: FilterChoices) -> None:
        self.label_suffix = forms.Form().label_suffix  # what Django puts after a label: ":", " :" in French
        self.raw = {name: data.get(name, "") for name in self.fields}
        self.invalid: set[str] = set()
        query = self.raw["q"].strip()
        if len(query) > SEARCH_MAX_LENGTH or "\x00" in query:
            self.invalid.add("q")
        label = self._pick("label", choices.labels)
        tier = self.raw["tier"]
        if tier and tier not in Tier.values:
            self.invalid.add("tier")
        assignee = self._pick("assignee", choices.staff)
        valid = not self.invalid
        self.query = query if valid else ""
        self.label = label if valid else None
        self.tier = tier if valid else ""
        self.assignee = assignee if valid else None

    def _pick(self, name: str, choices: list[Choice]) -> int | None:
        """The primary key of the choice whose public id was given, in any form a UUID is written."""
        value = self.raw[name]
        if not value:
            return None
        try:
            public_id = str(uuid.UUID(value))
        except ValueError:
            public_id = None
        for choice in choices:
            if choice.value == public_id:
                return choice.pk
        self.invalid.add(name)
        return None


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Name"), required=False, max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices, initial=MemberRole.VIEWER)
    language = forms.ChoiceField(label=_("Language of the e-mail"), choices=settings.LANGUAGES, initial="nl")


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=MemberRole.choices)


class PublicIdsField(forms.Field):
    """Several public ids under one name (checkboxes); anything that is not a UUID is refused."""

    widget = forms.MultipleHiddenInput
    default_error_messages = {"required": _("Choose at least one client."), "invalid": _("Choose at least one client.")}

    def to_python(self, value: Any) -> list[uuid.UUID]:
        if not value:
            return []
        try:
            return list(dict.fromkeys(uuid.UUID(str(v)) for v in value))[:BULK_TIER_MAX]
        except ValueError:
            raise ValidationError(self.error_messages["invalid"], code="invalid") from None


class TierBulkForm(forms.Form):
    """The organisation list's bulk action: the chosen organisations move to one service tier."""

    organisation = PublicIdsField()
    tier = forms.ChoiceField(
        label=_("Move the chosen clients to"),
        choices=Tier.choices,
        error_messages={"required": _("Choose a service tier."), "invalid_choice": _("Choose a service tier.")},
    )
    filters = forms.CharField(required=False, max_length=2000)


class LabelForm(forms.Form):
    name = forms.CharField(label=_("New label"), max_length=60)


HEX_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
LOGO_SIGNATURES = {b"\x89PNG\r\n\x1a\n": "png", b"\xff\xd8\xff": "jpeg"}


class FirmForm(forms.ModelForm):
    locked_fields = forms.MultipleChoiceField(
        label=_("Fields only staff may change"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(f, Organisation._meta.get_field(f).verbose_name) for f in LOCKABLE_FIELDS],  # type: ignore[union-attr]
    )
    logo_upload = forms.FileField(label=_("Logo (PNG or JPEG, at most 2 MB)"), required=False)
    deadline_task_role = forms.ChoiceField(label=_("Deadline tasks go to"), choices=AssignmentRole.choices)

    class Meta:
        model = Firm
        fields = [
            "name",
            "primary_color",
            "accent_color",
            "welcome_text",
            "email_signature",
            "sender_email",
            "host_name",
            "require_client_mfa",
            "require_approval_mfa",
            "link_valid_days",
            "link_max_opens",
            "approval_expire_days",
            "locked_fields",
            "assessment_tolerance",
            "extension_scheme",
            "nl_yearly_vat_due_month",
            "nl_yearly_vat_due_day",
            "deadline_task_days_ahead",
            "deadline_task_role",
        ]
        widgets = {
            "primary_color": forms.TextInput(attrs={"type": "color"}),
            "accent_color": forms.TextInput(attrs={"type": "color"}),
        }

    def _colour(self, name: str) -> str:
        value = self.cleaned_data.get(name) or ""
        if not HEX_COLOUR.match(value):
            raise ValidationError(_("Enter a colour as #rrggbb."))
        return value.lower()

    def clean_primary_color(self) -> str:
        return self._colour("primary_color")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        month, day = data.get("nl_yearly_vat_due_month"), data.get("nl_yearly_vat_due_day")
        if month and day and day > calendar.monthrange(2000, month)[1]:  # 2000: 29 February exists
            self.add_error("nl_yearly_vat_due_day", _("This month has no day %(day)s.") % {"day": day})
        return data

    def clean_accent_color(self) -> str:
        return self._colour("accent_color")

    def clean_logo_upload(self) -> Any:
        logo = self.cleaned_data.get("logo_upload")
        if not logo:
            return None
        if logo.size > settings.MAX_LOGO_BYTES:
            raise ValidationError(_("The logo is larger than 2 MB."))
        head = logo.read(8)
        logo.seek(0)
        if not any(head.startswith(sig) for sig in LOGO_SIGNATURES):
            raise ValidationError(_("The logo must be a PNG or JPEG image."))
        return logo
