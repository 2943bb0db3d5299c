"""The dossier search at scale: seed many documents straight into the tables and the index, time searches.

``seed`` writes organisations and folders with the ORM, documents and index rows with plain
``executemany`` in one transaction (no versions: search reads the index and ``dossier_document``
only). The text is Dutch-ish, drawn from a word list with Zipf-like weights and a fixed random
seed; ``COMMON_WORD`` is in ~20% of the documents, ``RARE_WORD`` in exactly three.
"""

from __future__ import annotations

import datetime
import itertools
import random
import statistics
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from accordo.bench.seed import SURNAMES, TRADES
from accordo.clients.models import Organisation
from accordo.dossier import search
from accordo.dossier.models import Folder

COMMON_WORD = "kwartaalcijfers"
RARE_WORD = "ijsvogelbeheer"
BATCH = 5_000
FOLDERS = [
    ("Jaarrekening", True),
    ("Belastingaangifte", True),
    ("Loonadministratie", False),
    ("Correspondentie", False),
]
DOC_KINDS = ["Factuur", "Jaarrekening", "Aangifte omzetbelasting", "Loonstrook", "Contract", "Brief", "Offerte"]
_STEM_LINES = """
aangifte aanslag aanmaning aandeelhouder aankoop aflossing afschrijving akkoord bank bedrag bedrijf
begroting belasting beschikking bestelling betaling bezwaar bijlage boekhouding boekjaar bon btw
cliënt contract crediteur datum debiteur declaratie dividend document eigenaar exploitatie factuur
financiering fiscaal grootboek handtekening herinnering huur hypotheek inkomsten inkoop jaar kantoor
kas kosten krediet kwitantie lening levering loon machtiging marge memoriaal niveau notaris omzet
onderneming opdracht overzicht pand pensioen periode personeel premie rekening reservering resultaat
salaris schuld specificatie subsidie termijn toelichting transactie uitgaven vennootschap verkoop
verlies verzekering voorraad voorschot vordering waarde werkgever winst zakelijk zekerheid
de het een en van in op te voor met aan bij over naar tot uit door als ook niet wel is zijn wordt
"""
STEMS = [stem for line in _STEM_LINES.splitlines() for stem in line.split()]
SUFFIXES = ["", "", "", "en", "s", "nummer", "datum", "bedrag", "overzicht", "regeling", "termijn", "staat"]
NAME_WORDS = ["Utrecht", "Gent", "januari", "februari", "maart", "april", "mei", "juni", "Q1", "Q2", "Q3", "Q4"]


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """~1,000 distinct words with cumulative Zipf-like weights (frequent function words first)."""
    words = sorted({stem + suffix for stem in STEMS for suffix in SUFFIXES}, key=lambda w: (len(w), w))
    words = [w for w in words if not w.startswith((COMMON_WORD[:6], RARE_WORD[:6]))]
    rng.shuffle(words)
    function_words = STEMS[-26:]
    words = function_words + [w for w in words if w not in function_words]
    return words, list(itertools.accumulate(1 / (rank + 1) for rank in range(len(words))))


def _texts(n: int, rng: random.Random) -> Iterator[str]:
    words, weights = _vocabulary(rng)
    rare_at = {n // 7, n // 2, (5 * n) // 6}
    for i in range(n):
        chosen = rng.choices(words, cum_weights=weights, k=rng.randint(40, 160))
        if rng.random() < 0.2:
            chosen.insert(rng.randrange(len(chosen)), COMMON_WORD)
        if i in rare_at:
            chosen.insert(rng.randrange(len(chosen)), RARE_WORD)
        yield " ".join(chosen).capitalize() + "."


@transaction.atomic
def seed(n: int, *, organisations: int, log: Callable[[str], Any] = print) -> dict[str, int]:
    """Add ``organisations`` organisations with four folders each and ``n`` indexed documents."""
    started = time.monotonic()
    rng = random.Random(20241122)
    orgs = Organisation.objects.bulk_create(
        [
            Organisation(name=f"{rng.choice(TRADES)} {rng.choice(SURNAMES)} {i} B.V.", visit_city="Utrecht")
            for i in range(organisations)
        ],
        batch_size=1000,
    )
    folders = Folder.objects.bulk_create(
        [Folder(organisation=o, name=name, open_to_client=open_) for o in orgs for name, open_ in FOLDERS],
        batch_size=2000,
    )
    org_names = {o.pk: o.name for o in orgs}
    log(f"  organisations: {len(orgs)}, folders: {len(folders)}")

    pg = connection.vendor == "postgresql"
    adapt = connection.ops.adapt_datetimefield_value
    now = timezone.now()
    stamps = {"now": adapt(now), "future": adapt(now + datetime.timedelta(days=30))}
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM dossier_document")
        first_id = int(cursor.fetchone()[0]) + 1
        if pg:  # a GIN index is built much faster at once than row by row
            cursor.execute("DROP INDEX IF EXISTS dossier_search_vector")
        doc_sql = (
            "INSERT INTO dossier_document (id, public_id, created_at, updated_at, name, visible_from, deleted_at, "
            "organisation_id, folder_id) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        )
        if pg:
            index_sql = (
                "INSERT INTO dossier_search (document_id, name, folder, organisation, body, vector) "  # noqa: S608
                f"VALUES (%s, %s, %s, %s, %s, {search.PG_VECTOR_SQL})"
            )
        else:
            index_sql = (
                "INSERT INTO dossier_search (rowid, name, folder, organisation, body, scope) "
                "VALUES (%s, %s, %s, %s, %s, %s)"
            )
        texts = _texts(n, rng)
        for start in range(0, n, BATCH):
            docs: list[list[Any]] = []
            rows: list[list[Any]] = []
            for i in range(start, min(start + BATCH, n)):
                doc_id = first_id + i
                folder = folders[rng.randrange(len(folders))]
                if i == n // 2:  # one rare document for the measured client: in an open folder of theirs
                    folder = folders[len(FOLDERS) * (organisations // 2)]
                name = f"{rng.choice(DOC_KINDS)} {rng.choice(NAME_WORDS)} {2015 + i % 10}-{i % 997:04d}"
                r = rng.random()
                visible, deleted = (stamps["future"], None) if r < 0.02 else (None, stamps["now"] if r < 0.03 else None)
                public_id = uuid.UUID(int=rng.getrandbits(128), version=4)
                docs.append(
                    [doc_id, public_id if pg else public_id.hex, stamps["now"], stamps["now"], name, visible, deleted]
                    + [folder.organisation_id, folder.pk]
                )
                text, organisation = next(texts), org_names[folder.organisation_id]
                if pg:
                    body = text[: search.HEADLINE_CHARS]
                    params = search.pg_vector_params(name, folder.name, organisation, text)
                    rows.append([doc_id, name, folder.name, organisation, body, *params])
                else:
                    rows.append([doc_id, name, folder.name, organisation, text, f"o{folder.organisation_id}"])
            cursor.executemany(doc_sql, docs)
            cursor.executemany(index_sql, rows)
            if (start // BATCH) % 40 == 39:
                log(f"  documents: {start + len(docs)} ({time.monotonic() - started:.0f} s)")
        if pg:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("CREATE INDEX dossier_search_vector ON dossier_search USING gin (vector)")
            cursor.execute("SELECT setval(pg_get_serial_sequence('dossier_document', 'id'), %s)", [first_id + n])
        search.rebuild_terms()
    if pg:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE dossier_document")
            cursor.execute("ANALYZE dossier_search")
    log(f"  documents: {n} indexed in {time.monotonic() - started:.0f} s")
    return {"organisations": len(orgs), "folders": len(folders), "documents": n}


def _client_scope() -> search.Scope:
    """Three of the seeded organisations (one holds a rare document), and their open folders."""
    org_ids = list(
        Folder.objects.filter(name=FOLDERS[0][0]).order_by("organisation_id").values_list("organisation_id", flat=True)
    )
    mine = sorted({org_ids[len(org_ids) // 3], org_ids[len(org_ids) // 2], org_ids[(2 * len(org_ids)) // 3]})
    folder_ids = Folder.objects.filter(organisation_id__in=mine, open_to_client=True, deleted_at__isnull=True)
    return search.Scope.client(mine, folder_ids.values_list("pk", flat=True), timezone.now())


def measure(requests: int, *, log: Callable[[str], Any] | None = None) -> list[dict[str, Any]]:
    """Time ``search_documents`` (ranked page of 20 with snippets) for staff and client, rare and common."""
    client = _client_scope()
    cases = [
        ("search_staff_rare", RARE_WORD, search.Scope.staff()),
        ("search_staff_common", COMMON_WORD, search.Scope.staff()),
        ("search_client_rare", RARE_WORD, client),
        ("search_client_common", COMMON_WORD, client),
    ]
    timings: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for _name, query, scope in cases:
        for _ in range(min(10, requests)):
            search.search_documents(query, scope)
    for i in range(requests):
        for name, query, scope in cases:
            began = time.perf_counter()
            search.search_documents(query, scope)
            timings[name].append((time.perf_counter() - began) * 1000)
        if log and (i + 1) % 50 == 0:
            log(f"  {i + 1}/{requests} rounds")
    return [
        {
            "name": name,
            "p50_ms": round(statistics.median(timings[name]), 3),
            "p95_ms": round(_p95(timings[name]), 3),
            "rows": search.count_documents(query, scope, cap=10**9),
        }
        for name, query, scope in cases
    ]


def _p95(values: list[float]) -> float:
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[94]
