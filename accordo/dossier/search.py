"""Full-text search of the dossier: SQLite FTS5 (embedded) and PostgreSQL full text (scale), one API.

One index row per document, keyed by its id: name, folder name, organisation name and the text of
its current version; ``dossier_search_term`` counts each word's documents. Access is decided in SQL
by joining ``dossier_document`` (organisation, ``deleted_at``; for clients folder and
``visible_from``), never by filtering a cut-off result.

For p95 <= 50 ms over 1,000,000 documents (accordo/bench/search_bench.py): ranking every match is
what gets slow (a word in 20% of them has 200,000), so a search takes the newest ``CANDIDATES``
matches in scope, by descending document id, and ranks those (exact for rarer queries); pages
past that window are empty, counts stop at ``COUNT_CAP``, snippets are made for the page only.

* A prefix (``word*``) is merged over all its completions before the first row (40 ms for
  ``aangifte*``): the last word becomes an OR of itself and its ``PREFIX_TERMS`` most frequent
  completions, read lazily. FTS5's prefix indexes serve 2-3 characters; 1 matches as a word.
* FTS5 walks its index by descending rowid, stopping at the window. A hidden token per organisation
  (column ``scope``; users' words are confined to the text columns) lets a search in a few
  organisations intersect lists instead of walking all matches; a stale one can only hide.
* FTS5's ``bm25()`` first walks each phrase's whole list (80 ms for a word in every document):
  only the rarest words, in at most ``RANK_DOCS`` documents together, rank; none: newest first.
* PostgreSQL misjudges rare words: the plan (all matches from the GIN index, the primary key
  walked backwards testing rows, or a small scope's documents tested) is chosen here from the word
  counts and pinned by planner settings in a rolled-back savepoint. Vectors are stored inline
  (``STORAGE MAIN``): a TOAST fetch per tested row made walks five times slower.
No query language: input is split into Unicode words, folded (accents, case), quoted and ANDed.
"""

from __future__ import annotations

import html
import json
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import OperationalError, connection, transaction
from django.db.models.functions import Substr
from django.utils.safestring import SafeString, mark_safe

from accordo.dossier.models import Document

MAX_TEXT_CHARS = 1_000_000  # of a version's text, indexed
PG_TEXT_FALLBACK_CHARS = 200_000  # when a huge text's tsvector passes PostgreSQL's 1 MB limit
HEADLINE_CHARS = 100_000  # PostgreSQL keeps (and shows snippets of) the start of the text only
CANDIDATES = 1_000  # the newest matches ranked per search
COUNT_CAP = 1_000
RANK_DOCS = 100_000  # FTS5: documents bm25 may count per search (~8 ms)
PREFIX_TERMS = 24
SCOPE_TOKENS_MAX = 64  # FTS5: longer organisation lists are filtered by the join alone
MAX_TERMS = 12
MAX_TERM_CHARS = 64
PG_CONFIG = "accordo_search"  # simple + unaccent when the extension could be created (headlines only)
PG_VECTOR_SQL = (
    "setweight(to_tsvector('simple', %s), 'A') || setweight(to_tsvector('simple', %s), 'B') || "
    "to_tsvector('simple', %s)"
)
_FTS_WINDOW = (
    "SELECT s.rowid, 0.0 FROM dossier_search s JOIN dossier_document d ON d.id = s.rowid "
    "WHERE dossier_search MATCH %s{where} ORDER BY s.rowid DESC LIMIT %s"
)
# Rows of a list of ids: one scan of their id range ("rowid IN" would restart the query per id).
_FTS_OF_IDS = (
    "FROM dossier_search WHERE dossier_search MATCH %s AND rowid BETWEEN %s AND %s "
    "AND +rowid IN (SELECT value FROM json_each(%s))"
)
_FTS_RANK = "SELECT rowid, -bm25(dossier_search, 10.0, 2.0, 2.0, 1.0, 0.0) " + _FTS_OF_IDS
_FTS_SNIPPETS = (
    "SELECT rowid, snippet(dossier_search, 3, char(2), char(3), '…', 24), "
    "highlight(dossier_search, 0, char(2), char(3)) " + _FTS_OF_IDS
)
_PG_WINDOW = {  # "OFFSET 0" keeps a subquery a step of its own; ts_match_vq is @@ hidden from the index
    "index": "SELECT s.document_id, {rank} FROM (SELECT document_id FROM dossier_search "
    "WHERE vector @@ %s::tsquery ORDER BY document_id DESC OFFSET 0) m JOIN dossier_search s "
    "ON s.document_id = m.document_id JOIN dossier_document d ON d.id = m.document_id "
    "WHERE true{where} ORDER BY s.document_id DESC LIMIT %s",
    "walk": "SELECT s.document_id, {rank} FROM dossier_search s JOIN dossier_document d ON d.id = s.document_id "
    "WHERE ts_match_vq(s.vector, %s::tsquery){where} ORDER BY s.document_id DESC LIMIT %s",
    "scope": "SELECT s.document_id, {rank} FROM (SELECT d.id FROM dossier_document d WHERE true{where} "
    "ORDER BY d.id DESC OFFSET 0) d JOIN dossier_search s ON s.document_id = d.id "
    "WHERE ts_match_vq(s.vector, %s::tsquery) ORDER BY s.document_id DESC LIMIT %s",
}
_PG_SETTINGS = {  # pin each plan; set_config(..., true) is SET LOCAL
    plan: "SELECT " + ", ".join(f"set_config('enable_{name}', 'off', true)" for name in names.split())
    for plan, names in {"index": "seqscan hashjoin mergejoin", "walk": "seqscan bitmapscan hashjoin"}.items()
}
_PG_SNIPPETS = (
    f"SELECT document_id, ts_headline('{PG_CONFIG}', name || ' · ' || body, %s::tsquery, %s) "  # noqa: S608
    "FROM dossier_search WHERE document_id = ANY(%s)"
)
_WORD = re.compile(r"[^\W_]+")
_SENTINELS = str.maketrans({"\x00": " ", "\x02": " ", "\x03": " "})
_FTS_COLUMNS = "{name folder organisation body}"


@dataclass(frozen=True)
class Scope:
    """Whose documents a search may return; build one with ``Scope.staff`` or ``Scope.client``."""

    organisation_ids: tuple[int, ...] | None  # None: every organisation (staff only)
    folder_ids: tuple[int, ...] | None = None  # set for clients: the folders open to them
    published_before: datetime | None = None  # set for clients: hide documents not yet visible

    @classmethod
    def staff(cls, organisation_ids: Iterable[int] | None = None) -> Scope:
        """Firm staff: every document of the given organisations (None: of all), deleted ones excepted."""
        return cls(None if organisation_ids is None else tuple(organisation_ids))

    @classmethod
    def client(cls, organisation_ids: Iterable[int], folder_ids: Iterable[int], now: datetime) -> Scope:
        """A client user: documents of their organisations, in the given (open) folders, visible at ``now``."""
        return cls(tuple(organisation_ids), tuple(folder_ids), now)


@dataclass(frozen=True)
class Hit:
    """One found document: an HTML-safe snippet with the words in ``<mark>``; a higher rank is better."""

    document_id: int
    snippet: SafeString
    rank: float


def fold(text: str) -> str:
    """Lower case without accents (Facturé -> facture), the form words are compared in."""
    if text.isascii():
        return text.lower()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def query_terms(query: str) -> list[str]:
    """The words of untrusted input: runs of Unicode letters and digits, folded; at most ``MAX_TERMS``."""
    words = _WORD.findall(fold(query[: MAX_TERMS * MAX_TERM_CHARS * 2]))
    return [w[:MAX_TERM_CHARS] for w in words][:MAX_TERMS]


def _pg() -> bool:
    return connection.vendor == "postgresql"


@transaction.atomic
def index_document(document_id: int) -> None:
    """(Re)index one document from its current version's text, replacing what was indexed before.

    Deleted documents stay indexed (searches hide them), so restoring one needs no reindex. A
    document that no longer exists is removed from the index. Safe to run twice.
    """
    fields = ("organisation_id", "name", "folder__name", "organisation__name")
    text_start = Substr("current__text", 1, MAX_TEXT_CHARS)  # a huge text is cut in the database
    row = Document.objects.filter(pk=document_id).values_list(*fields, text_start).first()
    if row is None:
        unindex_document(document_id)
        return
    organisation_id, *names, text = row
    name, folder, organisation = (str(v or "").translate(_SENTINELS) for v in names)
    body = (text or "").translate(_SENTINELS)
    with connection.cursor() as cursor:
        old = _forget(cursor, document_id)
        if _pg():
            _pg_insert(cursor, document_id, name, folder, organisation, body)
        else:
            cursor.execute(
                "INSERT INTO dossier_search (rowid, name, folder, organisation, body, scope) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [document_id, name, folder, organisation, body, f"o{organisation_id}"],
            )
        new = _words(name, folder, organisation, body)
        _count_terms(cursor, [(w, 1) for w in new - old] + [(w, -1) for w in old - new])


@transaction.atomic
def unindex_document(document_id: int) -> None:
    """Remove one document from the index (nothing happens when it is not indexed)."""
    with connection.cursor() as cursor:
        _count_terms(cursor, [(word, -1) for word in _forget(cursor, document_id)])


def _words(*texts: str) -> set[str]:
    return {word for text in texts for word in _WORD.findall(fold(text))}


def _forget(cursor: Any, document_id: int) -> set[str]:
    """Delete a document's row; the words it had."""
    if _pg():
        sql = "DELETE FROM dossier_search WHERE document_id = %s RETURNING tsvector_to_array(vector)"
        cursor.execute(sql, [document_id])
        old = cursor.fetchone()
        return set(old[0]) if old else set()
    cursor.execute("SELECT name, folder, organisation, body FROM dossier_search WHERE rowid = %s", [document_id])
    old = cursor.fetchone()
    if old is None:
        return set()
    cursor.execute("DELETE FROM dossier_search WHERE rowid = %s", [document_id])
    return _words(*old)


def _count_terms(cursor: Any, changes: list[tuple[str, int]]) -> None:
    """Add to the words' document counts, in word order (concurrent writers lock rows alike)."""
    if changes:
        floor = "GREATEST" if _pg() else "max"
        cursor.executemany(
            "INSERT INTO dossier_search_term (term, docs) VALUES (%s, %s) ON CONFLICT (term) "  # noqa: S608
            f"DO UPDATE SET docs = {floor}(0, dossier_search_term.docs + excluded.docs)",
            sorted(changes),
        )


def rebuild_terms() -> None:
    """Recount ``dossier_search_term`` from the index itself (after a bulk load or a restore)."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossier_search_term")
        if _pg():
            cursor.execute(
                "INSERT INTO dossier_search_term (term, docs) "
                "SELECT word, ndoc FROM ts_stat('SELECT vector FROM dossier_search')"
            )
            return
        cursor.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, dossier_search, 'col')")
        cursor.execute(
            "INSERT INTO dossier_search_term (term, docs) SELECT term, max(doc) FROM temp.vocab "
            "WHERE col != 'scope' GROUP BY term"
        )
        cursor.execute("DROP TABLE temp.vocab")


def pg_vector_params(name: str, folder: str, organisation: str, body: str) -> list[str]:
    """The parameters of ``PG_VECTOR_SQL``: each text as its folded words, a space apart."""
    return [" ".join(_WORD.findall(fold(t))) for t in (name, f"{folder} {organisation}", body)]


def _pg_insert(cursor: Any, document_id: int, name: str, folder: str, organisation: str, body: str) -> None:
    sql = (
        "INSERT INTO dossier_search (document_id, name, folder, organisation, body, vector) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, {PG_VECTOR_SQL}) ON CONFLICT (document_id) DO UPDATE SET "  # a racing job
        "name = EXCLUDED.name, folder = EXCLUDED.folder, organisation = EXCLUDED.organisation, "
        "body = EXCLUDED.body, vector = EXCLUDED.vector"
    )
    stored = [document_id, name, folder, organisation, body[:HEADLINE_CHARS]]
    try:
        with transaction.atomic():
            cursor.execute(sql, [*stored, *pg_vector_params(name, folder, organisation, body)])
    except OperationalError as error:  # 54000 "string is too long for tsvector": index the start only
        if getattr(error.__cause__, "sqlstate", None) != "54000":
            raise
        cursor.execute(sql, [*stored, *pg_vector_params(name, folder, organisation, body[:PG_TEXT_FALLBACK_CHARS])])


@dataclass(frozen=True)
class _Query:  # one search, ready for SQL
    find: str  # what the matches must contain (FTS5: with the scope tokens)
    rank: str | None  # what they are ranked by (FTS5: the rarest words; None: newest first)
    plan: str  # "fts"; PostgreSQL: "index", "walk" or "scope"
    where: str  # the access filter on dossier_document d
    params: list[Any]


def _scope_sql(scope: Scope) -> tuple[str, list[Any]]:
    """The access filter on ``dossier_document d``, applied whatever the index matched."""
    sql, params = " AND d.deleted_at IS NULL", list[Any]()
    if scope.organisation_ids is not None:
        sql += f" AND d.organisation_id IN ({', '.join(['%s'] * len(scope.organisation_ids))})"
        params += list(scope.organisation_ids)
    if scope.folder_ids is not None:
        sql += f" AND d.folder_id IN ({', '.join(['%s'] * len(scope.folder_ids))})"
        sql += " AND (d.visible_from IS NULL OR d.visible_from <= %s)"
        params += [*scope.folder_ids, scope.published_before]
    return sql, params


def _prepare(query: str, scope: Scope) -> _Query | None:
    """None when nothing can match (no word, or an empty scope)."""
    terms = query_terms(query)
    if not terms or scope.organisation_ids == () or scope.folder_ids == ():
        return None
    where, params = _scope_sql(scope)
    clauses = _clauses(terms)
    if _pg():
        words = " & ".join("(" + " | ".join(f"'{w}'" for w in alternatives) + ")" for alternatives, _ in clauses)
        return _Query(words, words, _pg_plan(clauses, scope, where, params), where, params)
    fts = [("(" + " OR ".join(f'"{w}"' for w in alternatives) + ")", docs) for alternatives, docs in clauses]
    if len(terms[-1]) in (2, 3):  # FTS5's prefix indexes serve these lazily
        fts[-1] = (f'"{terms[-1]}" *', clauses[-1][1])
    ids = scope.organisation_ids
    tokens = [] if ids is None or len(ids) > SCOPE_TOKENS_MAX else [f'"o{i}"' for i in sorted(set(ids))]
    in_scope = " AND scope : (" + " OR ".join(tokens) + ")" if tokens else ""
    ranked, counted = [], 0
    for clause, docs in sorted(fts, key=lambda c: c[1]):  # the rarest words first
        if counted + docs <= RANK_DOCS:
            ranked.append(clause)
            counted += docs
    rank = _FTS_COLUMNS + " : (" + " AND ".join(ranked) + ")" + in_scope if ranked else None
    return _Query(_FTS_COLUMNS + " : (" + " AND ".join(c for c, _ in fts) + ")" + in_scope, rank, "fts", where, params)


def _clauses(terms: list[str]) -> list[tuple[list[str], int]]:
    """Each word (the last one expanded to its completions) with its number of documents."""
    *exact, last = terms
    with connection.cursor() as cursor:
        marks = ", ".join(["%s"] * len(terms))
        cursor.execute(f"SELECT term, docs FROM dossier_search_term WHERE term IN ({marks})", terms)  # noqa: S608
        docs = dict(cursor.fetchall())
        completions: list[tuple[str, int]] = []
        if len(last) > 1:  # the completions of a prefix sort below it + the last code point
            cursor.execute(
                "SELECT term, docs FROM dossier_search_term WHERE term > %s AND term < %s AND docs > 0 "
                "ORDER BY docs DESC, term LIMIT 1000",
                [last, last + "\U0010ffff"],
            )
            completions = cursor.fetchall()
    chosen = [last, *(term for term, _ in completions[: PREFIX_TERMS - 1])]
    counts = docs.get(last, 0) + sum(n for _, n in completions)
    return [*(([t], docs.get(t, 0)) for t in exact), (chosen, counts)]


def _pg_plan(clauses: list[tuple[list[str], int]], scope: Scope, where: str, params: list[Any]) -> str:
    """The cheapest way to the window, in rows tested (a match read through the index costs ~6)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = 'dossier_search'::regclass")
        rows = max(1.0, float(cursor.fetchone()[0]))
        in_scope = rows
        if scope.organisation_ids is not None:
            sql = f"SELECT count(*) FROM (SELECT 1 FROM dossier_document d WHERE true{where} LIMIT 100000) c"  # noqa: S608
            cursor.execute(sql, params)
            in_scope = max(1.0, float(cursor.fetchone()[0]))
    expected = rows * math.prod(min(1.0, docs / rows) for _, docs in clauses)  # words taken as independent
    costs = {"index": 6 * expected, "walk": min(rows, CANDIDATES * rows * rows / max(1.0, expected * in_scope))}
    if scope.organisation_ids is not None:
        costs["scope"] = in_scope
    return min(costs, key=lambda plan: costs[plan])


def _window(cursor: Any, q: _Query, size: int, *, ranked: bool = True) -> list[tuple[int, float]]:
    """The newest ``size`` matches in scope (PostgreSQL: with their rank, when ``ranked``)."""
    if q.plan == "fts":
        cursor.execute(_FTS_WINDOW.format(where=q.where), [q.find, *q.params, size])
        return [(int(i), float(r)) for i, r in cursor.fetchall()]
    rank, params = ("ts_rank(s.vector, %s::tsquery)", [q.rank]) if ranked else ("0.0", [])
    params += [q.find, *q.params] if q.plan != "scope" else [*q.params, q.find]
    with transaction.atomic():
        cursor.execute(_PG_SETTINGS["walk" if q.plan == "walk" else "index"])
        cursor.execute(_PG_WINDOW[q.plan].format(rank=rank, where=q.where), [*params, size])
        rows = [(int(i), float(r)) for i, r in cursor.fetchall()]
        transaction.set_rollback(True)  # undoes the settings (nothing was written)
    return rows


def _of_ids(cursor: Any, sql: str, match: str, ids: list[int]) -> list[tuple[Any, ...]]:
    cursor.execute(sql, [match, min(ids), max(ids), json.dumps(ids)])
    return cursor.fetchall()


def search_documents(query: str, scope: Scope, *, limit: int = 20, offset: int = 0) -> list[Hit]:
    """The documents in ``scope`` with every word of ``query`` (the last as a prefix), best first.

    Ranked by bm25 / ts_rank among the newest ``CANDIDATES`` matches, newest first on ties. Any input
    is safe (words are quoted, never parsed as a query language); input without a word finds nothing.
    """
    q = _prepare(query, scope)
    if q is None or limit <= 0 or not 0 <= offset < CANDIDATES:
        return []
    with connection.cursor() as cursor:
        window = _window(cursor, q, CANDIDATES)
        if window and q.rank is not None and q.plan == "fts":
            ranks = dict(_of_ids(cursor, _FTS_RANK, q.rank, [i for i, _ in window]))
            window = [(i, ranks.get(i, 0.0)) for i, _ in window]
        page = sorted(window, key=lambda hit: (-hit[1], -hit[0]))[offset : offset + limit]
        snippets = _snippets(cursor, q, [i for i, _ in page])
    return [Hit(i, snippets.get(i, SafeString("")), r) for i, r in page]


def _snippets(cursor: Any, q: _Query, ids: list[int]) -> dict[int, SafeString]:
    """Escaped snippets: the text from the first hits on, else the name (where the hit must be then)."""
    if not ids:
        return {}
    if q.plan != "fts":  # one window from the first hit on (fragment mode would end the window at the hit)
        cursor.execute(_PG_SNIPPETS, [q.find, "StartSel=\x02, StopSel=\x03, MaxWords=30", ids])
        return {int(i): _marked(text or "") for i, text in cursor.fetchall()}
    return {
        int(i): _marked(body if "\x02" in body or "\x02" not in name else name)
        for i, body, name in _of_ids(cursor, _FTS_SNIPPETS, q.find, ids)
    }


def _marked(text: str) -> SafeString:
    """Escape everything, then turn the database's sentinels into ``<mark>`` tags."""
    escaped = html.escape(" ".join(text.split()), quote=True)
    return mark_safe(escaped.replace("\x02", "<mark>").replace("\x03", "</mark>"))  # noqa: S308


def count_documents(query: str, scope: Scope, *, cap: int = COUNT_CAP) -> int:
    """How many documents ``search_documents`` could find, counting at most ``cap + 1`` (show "1000+")."""
    q = _prepare(query, scope)
    if q is None:
        return 0
    with connection.cursor() as cursor:
        return len(_window(cursor, q, cap + 1, ranked=False))
