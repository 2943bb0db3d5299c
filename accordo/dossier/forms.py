"""Forms of the dossier: they parse input; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from accordo.dossier.models import NAME_MAX, Folder
from accordo.dossier.selectors import Tree

SEARCH_MAX = 200


class FolderChoiceField(forms.ChoiceField):
    """A folder of one organisation's tree, by public id; empty means the top level when allowed."""

    def __init__(self, tree: Tree, *, exclude_below: Folder | None = None, top: bool = True, **kwargs: Any) -> None:
        self.by_id = {str(f.public_id): f for f, _label in tree.choices(exclude_below=exclude_below)}
        choices: list[tuple[str, str]] = [("", str(_("(top level)")))] if top else []
        choices += [(str(f.public_id), label) for f, label in tree.choices(exclude_below=exclude_below)]
        super().__init__(choices=choices, required=not top, **kwargs)

    def clean(self, value: Any) -> Folder | None:  # type: ignore[override]
        value = super().clean(value)
        return self.by_id.get(value) if value else None


class FolderForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=NAME_MAX)
    open_to_client = forms.BooleanField(label=_("Open to the client"), required=False)

    def __init__(self, *args: Any, tree: Tree | None = None, folder: Folder | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if tree is not None:
            self.fields["parent"] = FolderChoiceField(tree, exclude_below=folder, label=_("Inside folder"))


class DocumentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=255)
    visible_from = forms.DateTimeField(
        label=_("Visible to the client from"),
        required=False,
        help_text=_("Leave empty to show it at once (in a folder open to the client)."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )

    def __init__(self, *args: Any, tree: Tree, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["folder"] = FolderChoiceField(tree, top=False, label=_("Folder"))


class TemplateForm(forms.Form):
    """The firm's folder template as lines: ``Path/Sub`` and ``+`` in front for open to the client."""

    lines = forms.CharField(
        label=_("Folders"),
        widget=forms.Textarea(attrs={"rows": 14}),
        required=False,
        help_text=_("One folder a line; use / for a subfolder and start a line with + to open it to the client."),
    )

    def entries(self) -> list[tuple[str, bool]]:
        out = []
        for raw in self.cleaned_data["lines"].splitlines():
            line = raw.strip()
            if not line:
                continue
            open_to_client = line.startswith("+")
            out.append((line.lstrip("+").strip(), open_to_client))
        return out


def search_query(data: Any) -> str:
    """The search words from a query string: stripped, at most 200 characters, no NUL."""
    query = str(data.get("q", "")).replace("\x00", "").strip()
    return query[:SEARCH_MAX]
