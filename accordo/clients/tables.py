"""Repeated HTML of the busiest pages, built in Python: the staff list's rows and filter options,
the client home's organisation cards.

The template engine costs a few microseconds per variable and tag; fifty rows of ten or more
each were most of the list's time. The markup here is what the templates used to write, with every
value escaped; the pages around it (headings, form fields, pagination) stay in the templates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from accordo.clients.models import Membership, Organisation, StaffAssignment
from accordo.clients.selectors import Choice, MembershipRow, OrganisationRow
from accordo.core.links import public_id_url
from accordo.core.models import choice_labels


def organisation_rows(rows: Iterable[OrganisationRow]) -> SafeString:
    """The <tr> of each organisation: a checkbox for the bulk tier change, name linked to its page,
    identifiers, tier, labels, staff."""
    url_head, url_tail = (escape(part) for part in public_id_url("staff:organisation_detail"))
    t_name, t_identifiers, t_tier, t_labels, t_staff = (
        escape(_(heading)) for heading in ("Name", "Identifiers", "Service tier", "Labels", "Assigned staff")
    )
    legal_forms = choice_labels(Organisation._meta.get_field("legal_form"))
    tiers = choice_labels(Organisation._meta.get_field("tier"))
    roles = choice_labels(StaffAssignment._meta.get_field("role"))
    # Choice labels, cities, label pills and staff lines repeat from row to row: each is built once.
    shown: dict[object, str] = {}
    html = []
    for row in rows:
        identifiers = ""
        if row.kvk_number:
            identifiers = "KvK " + escape(row.kvk_number)
        if row.kbo_number:
            identifiers += "KBO " + escape(row.kbo_number)
        if row.vat_number:
            identifiers += "<br>" + escape(row.vat_number)
        if (legal_form := shown.get(("form", row.legal_form))) is None:
            legal_form = shown[("form", row.legal_form)] = escape(legal_forms.get(row.legal_form, row.legal_form))
        if (city := shown.get(("city", row.visit_city))) is None:
            city = shown[("city", row.visit_city)] = escape(row.visit_city)
        if (tier := shown.get(("tier", row.tier))) is None:
            tier = shown[("tier", row.tier)] = escape(tiers.get(row.tier, row.tier))
        labels = ""
        for name in row.label_names:
            if (pill := shown.get(("label", name))) is None:
                pill = shown[("label", name)] = f'<span class="pill">{escape(name)}</span>'
            labels += pill
        staff = []
        for assigned in row.assigned_staff:
            if (line := shown.get(assigned)) is None:
                name, role = assigned
                line = shown[assigned] = f'{escape(name)} <span class="muted">({escape(roles.get(role, role))})</span>'
            staff.append(line)
        html.append(
            f'<tr>\n      <td><input type="checkbox" name="organisation" value="{row.public_id}" form="bulk-tier"'
            f' aria-label="{escape(row.name)}"></td>\n      <td data-label="{t_name}">'
            f'<a href="{url_head}{row.public_id}{url_tail}">{escape(row.name)}</a>'
            f'<br><span class="muted">{legal_form} · {city}</span></td>\n'
            f'      <td data-label="{t_identifiers}">{identifiers}</td>\n'
            f'      <td data-label="{t_tier}">{tier}</td>\n'
            f'      <td data-label="{t_labels}">{labels}</td>\n'
            f'      <td data-label="{t_staff}">{"<br>".join(staff)}</td>\n    </tr>'
        )
    return mark_safe("\n    ".join(html))  # noqa: S308 - every value above is escaped


def options(choices: Iterable[tuple[str, object]], selected: str) -> SafeString:
    """<option> elements for a <select>; the one whose value is ``selected`` is selected."""
    return mark_safe(  # noqa: S308 - values and labels are escaped
        "\n".join(
            f'<option value="{escape(value)}"{" selected" if value == selected else ""}>{escape(str(label))}</option>'
            for value, label in choices
        )
    )


def choice_options(empty_label: str, choices: Sequence[Choice], selected: str) -> SafeString:
    return options([("", empty_label), *((c.value, c.label) for c in choices)], selected)


def membership_cards(rows: Iterable[MembershipRow]) -> SafeString:
    """A card per membership: the organisation's name linked to its portal page, legal form and role."""
    url_head, url_tail = (escape(part) for part in public_id_url("portal:organisation_home"))
    legal_forms = choice_labels(Organisation._meta.get_field("legal_form"))
    roles = choice_labels(Membership._meta.get_field("role"))
    return mark_safe(  # noqa: S308 - every value is escaped
        "\n".join(
            f'<a class="card" href="{url_head}{row.public_id}{url_tail}">\n'
            f"        <strong>{escape(row.name)}</strong><br>\n"
            f'        <span class="muted">{escape(legal_forms.get(row.legal_form, row.legal_form))} · '
            f"{escape(roles.get(row.role, row.role))}</span>\n      </a>"
            for row in rows
        )
    )
