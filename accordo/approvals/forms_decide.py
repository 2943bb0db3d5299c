"""The client's decision forms, in the portal and through a temporary link.

Approving posts back the exact statement shown (a hidden field, checked by the service against
the offer) with a ticked box; a code field holds the step-up 2FA code in the portal, the e-mailed
one-time code through a link. Rejecting needs a reason.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accordo.approvals.models import Approval

CODE_WIDGET = forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "size": 12})


class _CodeMixin(forms.Form):
    code = forms.CharField(required=False, max_length=64, widget=CODE_WIDGET)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def _set_code(self, code_label: Any) -> None:
        field = self.fields["code"]
        if code_label is None:
            del self.fields["code"]
            return
        field.label = code_label
        field.required = True
        field.error_messages["required"] = _("Type the code.")


class ApproveForm(_CodeMixin):
    field_order = ["statement", "agree", "code"]
    statement = forms.CharField(widget=forms.HiddenInput, strip=False, max_length=20000)
    agree = forms.BooleanField(
        label=_("I agree with the statement above"),
        error_messages={"required": _("Tick the box to agree with the statement.")},
    )

    def __init__(self, *args: Any, approval: Approval, code_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["statement"].initial = approval.statement
        if approval.mode == Approval.Mode.READ:
            self.fields["agree"].label = _("I confirm the statement above")
            self.fields["agree"].error_messages["required"] = _("Tick the box to confirm the statement.")
        self._set_code(code_label)


class RejectForm(_CodeMixin):
    field_order = ["reason", "code"]
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Give the reason for rejecting.")},
    )

    def __init__(self, *args: Any, code_label: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._set_code(code_label)
