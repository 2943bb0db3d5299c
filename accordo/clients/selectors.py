"""Reads of the clients app, scoped by who is asking."""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from django.db import connection, models
from django.db.models import QuerySet
from django.http import HttpRequest

from accordo.accounts.models import User
from accordo.clients.models import Firm, Label, Membership, Organisation, StaffAssignment, Tier

# The busiest pages (the client home, the staff organisation list) read with plain SQL over the
# models' own table and column names: the ORM took longer to build their small statements than the
# database took to answer them (at 10,000 organisations about 2 ms against 0.4 ms for the list).
# Only quoted names from the models' metadata go into these statements; every value is a parameter.


def _fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _marks(count: int) -> str:
    return "(" + ", ".join(["%s"] * count) + ")"


def _uuid_text(value: Any) -> str:
    """A UUID column as text in its usual form, whether the driver returns a UUID or 32 hex digits."""
    if isinstance(value, str) and len(value) == 32:
        return f"{value[:8]}-{value[8:12]}-{value[12:16]}-{value[16:20]}-{value[20:]}"
    return str(value)


def firm_get() -> Firm:
    """The installation's firm; created with a neutral name on first use (one per installation)."""
    firm = Firm.objects.order_by("id").first()
    if firm is None:
        firm, _ = Firm.objects.get_or_create(pk=1, defaults={"name": "Accordo"})
    return firm


@functools.cache
def _firm_sql(vendor: str) -> str:
    meta = Firm._meta
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in meta.concrete_fields)
    # Only quoted names from the model's own metadata go into this statement, never input.
    return f"SELECT {columns} FROM {quote(meta.db_table)} ORDER BY {quote(meta.pk.column)} LIMIT 1"  # noqa: S608


def _firm_row() -> Any:
    """The firm's row exactly as the database driver returns it: one indexed read, no ORM."""
    with connection.cursor() as cursor:
        cursor.execute(_firm_sql(connection.vendor))
        return cursor.fetchone()


# The firm as this process last loaded it: its row exactly as the database returned it, the
# database alias and its field values (a file field by its name).
_firm_cache: tuple[Any, str | None, list[Any]] | None = None


_FIRM_FIELDS = [f.attname for f in Firm._meta.concrete_fields]


def _firm_values(firm: Firm) -> list[Any]:
    return [
        getattr(firm, f.attname).name if isinstance(f, models.FileField) else getattr(firm, f.attname)
        for f in Firm._meta.concrete_fields
    ]


def firm_fast() -> Firm:
    """The firm for a page, from this process's copy while its stored row is unchanged.

    Every page needs the firm. Comparing the raw row costs a fraction of an ORM load, and any
    change (by any process, by save() or update()) is seen at once. Each caller gets its own
    instance, built from the kept values (mutable ones copied), so a view that edits it (the firm
    form) cannot change what other requests see.
    """
    global _firm_cache
    row = _firm_row()
    cached = _firm_cache
    if row is not None and cached is not None and cached[0] == row:
        values = [copy.deepcopy(v) if isinstance(v, list | dict) else v for v in cached[2]]
        return Firm.from_db(cached[1], _FIRM_FIELDS, values)
    firm = firm_get()
    _firm_cache = (row, firm._state.db, copy.deepcopy(_firm_values(firm))) if row is not None else None
    return firm


def firm_for_request(request: HttpRequest) -> Firm:
    """The firm, read once per request."""
    firm = getattr(request, "_accordo_firm", None)
    if firm is None:
        firm = firm_fast()
        request._accordo_firm = firm  # type: ignore[attr-defined]
    return firm


def memberships_of(user: User) -> QuerySet[Membership]:
    """The user's portal memberships (extended tier, SPEC §14), in the switcher's order."""
    return Membership.objects.portal().filter(user=user).select_related("organisation").order_by("organisation__name")


class MembershipRow(NamedTuple):
    """A membership as the client home shows it (choice fields hold their stored value)."""

    public_id: str  # the organisation's
    name: str
    legal_form: str
    role: str


@functools.cache
def _memberships_sql(vendor: str) -> str:
    q = connection.ops.quote_name
    m, o = q(Membership._meta.db_table), q(Organisation._meta.db_table)
    return (
        f"SELECT o.{q('public_id')}, o.{q('name')}, o.{q('legal_form')}, m.{q('role')} FROM {m} m "  # noqa: S608
        f"INNER JOIN {o} o ON o.{q('id')} = m.{q('organisation_id')} WHERE m.{q('user_id')} = %s "
        f"AND o.{q('tier')} = %s ORDER BY o.{q('name')}"
    )


def membership_rows(user: User) -> list[MembershipRow]:
    """memberships_of() as plain values, in one plain SQL statement (the client home)."""
    rows = _fetch(_memberships_sql(connection.vendor), [user.pk, Tier.COLLABORATE_EXTENDED.value])
    return [MembershipRow(_uuid_text(public_id), *rest) for public_id, *rest in rows]


# --- The staff organisation list ------------------------------------------------------------------
# Plain SQL (see the top of this module). accordo.testing.oracles.organisations_for_staff() is the
# same filter as a QuerySet; the tests hold both to the same answers.


@functools.cache
def _list_sql(vendor: str) -> dict[str, str]:
    """The list's statements for this database (``vendor`` keys the cache), built once."""
    q = connection.ops.quote_name
    org = q(Organisation._meta.db_table)
    label, user = q(Label._meta.db_table), q(User._meta.db_table)
    links = q(Organisation.labels.through._meta.db_table)
    assignments = q(StaffAssignment._meta.db_table)
    columns = ("id", "public_id", "name", "legal_form", "visit_city", "kvk_number", "kbo_number", "vat_number", "tier")
    pk, org_id, label_id, user_id = q("id"), q("organisation_id"), q("label_id"), q("user_id")
    public_id, name, full_name, email = q("public_id"), q("name"), q("full_name"), q("email")
    sql = {
        "labels": f"SELECT {pk}, {public_id}, {name} FROM {label} ORDER BY {name}",  # noqa: S608
        "staff": f"SELECT {pk}, {public_id}, {full_name}, {email} FROM {user} WHERE NOT ({q('staff_role')} = %s)",  # noqa: S608
        "users": f"SELECT {pk}, {full_name}, {email} FROM {user} WHERE {pk} IN ",  # noqa: S608
        "from": f" FROM {org} o",
        "query": f"o.{q('search_text')} {connection.operators['contains'] % '%s'}",
        "label": f"EXISTS (SELECT 1 FROM {links} l WHERE l.{org_id} = o.{pk} AND l.{label_id} = %s)",  # noqa: S608
        "tier": f"o.{q('tier')} = %s",
        "assignee": f"EXISTS (SELECT 1 FROM {assignments} a WHERE a.{org_id} = o.{pk} AND a.{user_id} = %s)",  # noqa: S608
        "columns": "SELECT " + ", ".join(f"o.{q(c)}" for c in columns),
        "order": f" ORDER BY o.{name}, o.{pk} LIMIT %s OFFSET %s",
        "links": f"SELECT {org_id}, {label_id} FROM {links} WHERE {org_id} IN ",  # noqa: S608
        "assignments": f"SELECT {org_id}, {user_id}, {q('role')} FROM {assignments} WHERE {org_id} IN ",  # noqa: S608
        "by_id": f" ORDER BY {pk}",
    }
    sql["staff"] += f" ORDER BY {full_name}"
    return sql


class Choice(NamedTuple):
    """A label or staff member of the list's filters: primary key, public id and name."""

    pk: int
    value: str
    label: str


@dataclass(frozen=True)
class FilterChoices:
    labels: list[Choice]  # by name, as the label filter offers them
    staff: list[Choice]  # staff members by full name, as the assignee filter offers them


def organisation_filter_choices() -> FilterChoices:
    """Every label and every staff member, for the list's filters and its label and staff columns."""
    sql = _list_sql(connection.vendor)
    return FilterChoices(
        labels=[Choice(pk, _uuid_text(public_id), name) for pk, public_id, name in _fetch(sql["labels"])],
        # full_name or e-mail: what User.__str__ and User.display_name show.
        staff=[
            Choice(pk, _uuid_text(public_id), full_name or email)
            for pk, public_id, full_name, email in _fetch(sql["staff"], [""])
        ],
    )


class OrganisationRow(NamedTuple):
    """One organisation of the list, as plain values (choice fields hold their stored value)."""

    public_id: str
    name: str
    legal_form: str
    visit_city: str
    kvk_number: str
    kbo_number: str
    vat_number: str
    tier: str
    label_names: list[str]  # by name
    assigned_staff: list[tuple[str, str]]  # (name, assignment role) in the order of assignment


class OrganisationRows:
    """The filtered organisations for a Paginator: ``count()`` and each slice are one statement.

    ``label`` and ``assignee`` are primary keys (of a Label and a staff User). ``choices`` names
    the labels and staff, so a page reads only the link and assignment rows of its organisations.
    """

    def __init__(
        self,
        choices: FilterChoices,
        *,
        query: str = "",
        label: int | None = None,
        tier: str = "",
        assignee: int | None = None,
    ) -> None:
        self.choices = choices
        self._sql = sql = _list_sql(connection.vendor)
        where: list[str] = []
        params: list[Any] = []
        if query:
            where.append(sql["query"])
            params.append(f"%{connection.ops.prep_for_like_query(query.strip().lower())}%")
        if label is not None:
            where.append(sql["label"])
            params.append(label)
        if tier:
            where.append(sql["tier"])
            params.append(tier)
        if assignee is not None:
            where.append(sql["assignee"])
            params.append(assignee)
        self._from = sql["from"] + (" WHERE " + " AND ".join(where) if where else "")
        self._params = params

    def count(self) -> int:
        return _fetch("SELECT COUNT(*)" + self._from, self._params)[0][0]  # noqa: S608

    def __getitem__(self, index: slice) -> list[OrganisationRow]:
        start, stop = index.start or 0, index.stop
        if stop <= start:
            return []
        found = _fetch(self._sql["columns"] + self._from + self._sql["order"], [*self._params, stop - start, start])
        labels, staff = self._labels_and_staff([row[0] for row in found])
        return [
            OrganisationRow(
                _uuid_text(public_id),
                name,
                legal_form,
                city,
                kvk,
                kbo,
                vat,
                tier,
                labels.get(pk, []),
                staff.get(pk, []),
            )
            for pk, public_id, name, legal_form, city, kvk, kbo, vat, tier in found
        ]

    def __len__(self) -> int:  # what Paginator falls back on; it asks count() first
        return self.count()

    def _labels_and_staff(self, ids: list[int]) -> tuple[dict[int, list[str]], dict[int, list[tuple[str, str]]]]:
        """Label names (by name) and assigned staff (in assignment order) of these organisations."""
        labels: dict[int, list[str]] = {}
        staff: dict[int, list[tuple[str, str]]] = {}
        if not ids:
            return labels, staff
        sql = self._sql
        marks = _marks(len(ids))
        rank = {c.pk: i for i, c in enumerate(self.choices.labels)}
        by_rank = [c.label for c in self.choices.labels]
        linked: dict[int, list[int]] = defaultdict(list)
        for org_id, label_id in _fetch(sql["links"] + marks, ids):
            if label_id not in rank:  # a label made since the choices were read: read them again
                self.choices = organisation_filter_choices()
                return self._labels_and_staff(ids)
            linked[org_id].append(rank[label_id])
        for org_id, ranks in linked.items():
            labels[org_id] = [by_rank[r] for r in sorted(ranks)]
        names = {c.pk: c.label for c in self.choices.staff}
        assigned = _fetch(sql["assignments"] + marks + sql["by_id"], ids)
        missing = list({user_id for _org, user_id, _role in assigned if user_id not in names})
        if missing:  # assigned users who are no longer staff: rare, one more statement
            names.update(
                (pk, full_name or email)
                for pk, full_name, email in _fetch(sql["users"] + _marks(len(missing)), missing)
            )
        for org_id, user_id, role in assigned:
            staff.setdefault(org_id, []).append((names[user_id], role))
        return labels, staff
