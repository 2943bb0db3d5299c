import datetime

import pytest
from django.db import connection
from django.utils import timezone

from accordo.dossier import search
from accordo.dossier.models import Document, DocumentVersion, Folder
from accordo.dossier.search import Scope, count_documents, index_document, search_documents, unindex_document
from accordo.testing.factories import OrganisationFactory

pytestmark = pytest.mark.django_db

HOSTILE = [
    '"',
    "*",
    "NEAR(",
    "NEAR(factuur",
    "a OR",
    "OR",
    "-",
    "-factuur",
    "'; DROP TABLE dossier_document; --",
    "factuur'",
    "{name} : factuur",
    "body:factuur",
    "factuur^",
    "\\",
    "%",
    "_",
    "'':*",
    "!()&|<->",
    "x" * 500,
    "factuur " * 100,
    "é" * 500,
    "?!.,;:()[]{}<>@#$%^&*~`|\\/\"'",
    "\x00\x02\x03",
]


def make_document(organisation, *, folder=None, name="Document", text="", visible_from=None, deleted=False):
    if folder is None:
        folder = Folder.objects.create(organisation=organisation, name="Algemeen", open_to_client=True)
    document = Document.objects.create(
        organisation=organisation,
        folder=folder,
        name=name,
        visible_from=visible_from,
        deleted_at=timezone.now() if deleted else None,
    )
    set_text(document, text)
    return document


def set_text(document, text):
    number = document.versions.count() + 1
    document.current = DocumentVersion.objects.create(
        document=document,
        number=number,
        file=f"dossier/test/{document.pk}-{number}",
        original_name=f"{document.name}.txt",
        size=len(text),
        mime="text/plain",
        sha256="0" * 64,
        text=text,
    )
    document.save(update_fields=["current"])
    index_document(document.pk)


def found(query, scope=None, **kwargs):
    return [hit.document_id for hit in search_documents(query, scope or Scope.staff(), **kwargs)]


@pytest.fixture
def organisation():
    return OrganisationFactory(name="Bakkerij Jansen B.V.")


@pytest.fixture
def other_organisation():
    return OrganisationFactory(name="Garage de Vries")


def client_scope(organisation, *folders):
    return Scope.client([organisation.pk], [f.pk for f in folders], timezone.now())


def test_it_finds_a_document_by_a_word_in_its_text(organisation):
    document = make_document(organisation, text="De jaarrekening over 2023 is goedgekeurd.")
    make_document(organisation, text="Iets anders.")

    assert found("goedgekeurd") == [document.pk]


def test_it_finds_a_document_by_its_name_folder_and_organisation(organisation):
    folder = Folder.objects.create(organisation=organisation, name="Loonadministratie")
    document = make_document(organisation, folder=folder, name="Loonstrook maart", text="")

    assert found("loonstrook") == [document.pk]
    assert found("loonadministratie") == [document.pk]
    assert found("bakkerij") == [document.pk]


def test_it_folds_accents_and_case(organisation):
    accented = make_document(organisation, text="Facturé le 3 mars")
    plain = make_document(organisation, text="FACTURE numéro 12")

    assert sorted(found("facture")) == sorted([accented.pk, plain.pk])
    assert sorted(found("FACTURÉ")) == sorted([accented.pk, plain.pk])
    assert found("numero") == [plain.pk]
    snippets = {hit.document_id: hit.snippet for hit in search_documents("facture", Scope.staff())}
    assert "<mark>Facturé</mark>" in snippets[accented.pk]


def test_it_matches_the_last_word_as_a_prefix(organisation):
    document = make_document(organisation, text="De jaarrekening en de aangifte omzetbelasting")

    assert found("jaarrek") == [document.pk]
    assert found("omzetbelasting jaarr") == [document.pk]
    assert found("jaarrek omzetbelasting") == []  # only the last word is a prefix


def test_it_matches_short_prefixes_through_the_prefix_index(organisation):
    document = make_document(organisation, text="jaarrekening")

    assert found("ja") == [document.pk]
    assert found("jaa") == [document.pk]
    assert found("j") == []  # one letter: that word only


def test_it_expands_a_long_prefix_to_the_indexed_words(organisation):
    documents = [make_document(organisation, text=word) for word in ("aangifte", "aangiftebrief", "aangiftes")]
    make_document(organisation, text="aangeleverd")

    assert sorted(found("aangif")) == sorted(d.pk for d in documents)
    assert found("aangiftebr") == [documents[1].pk]


def test_it_keeps_prefix_search_working_after_recounting_the_words(organisation):
    document = make_document(organisation, text="omzetbelasting")
    if connection.vendor == "sqlite":
        search.rebuild_terms()

    assert found("omzetbel") == [document.pk]


def test_it_requires_every_word(organisation):
    both = make_document(organisation, text="factuur van de garage")
    make_document(organisation, text="factuur van de bakker")
    make_document(organisation, text="onderhoud garage")

    assert found("garage factuur") == [both.pk]
    assert found("garage factuur fietsen") == []


def test_it_shows_a_client_only_their_organisations_open_published_documents(organisation, other_organisation):
    open_folder = Folder.objects.create(organisation=organisation, name="Stukken", open_to_client=True)
    closed_folder = Folder.objects.create(organisation=organisation, name="Intern")
    visible = make_document(organisation, folder=open_folder, text="btw aangifte")
    make_document(organisation, folder=closed_folder, text="btw aangifte intern")
    make_document(
        organisation, folder=open_folder, text="btw aangifte later", visible_from=timezone.now() + datetime.timedelta(1)
    )
    earlier = make_document(
        organisation,
        folder=open_folder,
        text="btw aangifte eerder",
        visible_from=timezone.now() - datetime.timedelta(1),
    )
    make_document(organisation, folder=open_folder, text="btw aangifte weg", deleted=True)
    make_document(other_organisation, text="btw aangifte van een ander")

    scope = client_scope(organisation, open_folder)
    assert sorted(found("btw aangifte", scope)) == sorted([visible.pk, earlier.pk])
    assert count_documents("btw aangifte", scope) == 2


def test_it_shows_staff_every_document_but_deleted_ones(organisation, other_organisation):
    closed_folder = Folder.objects.create(organisation=organisation, name="Intern")
    documents = [
        make_document(organisation, folder=closed_folder, text="memo"),
        make_document(organisation, text="memo", visible_from=timezone.now() + datetime.timedelta(days=3)),
        make_document(other_organisation, text="memo"),
    ]
    make_document(organisation, text="memo", deleted=True)

    assert sorted(found("memo")) == sorted(d.pk for d in documents)
    assert sorted(found("memo", Scope.staff([organisation.pk]))) == sorted(d.pk for d in documents[:2])
    assert found("memo", Scope.staff([])) == []


def test_it_filters_a_long_organisation_list_in_sql(organisation, other_organisation):
    document = make_document(organisation, text="memo")
    make_document(other_organisation, text="memo")
    many = [organisation.pk, *range(10**6, 10**6 + search.SCOPE_TOKENS_MAX + 5)]

    assert found("memo", Scope.staff(many)) == [document.pk]
    assert found("memo", Scope.client(many, [document.folder_id], timezone.now())) == [document.pk]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL chooses among three plans; FTS5 has one")
@pytest.mark.parametrize("plan", ["index", "walk", "scope"])
def test_it_finds_the_same_documents_whatever_the_postgresql_plan(organisation, other_organisation, monkeypatch, plan):
    monkeypatch.setattr(search, "_pg_plan", lambda *args: plan)
    open_folder = Folder.objects.create(organisation=organisation, name="Stukken", open_to_client=True)
    visible = [make_document(organisation, folder=open_folder, name=f"Memo {i}", text="btw memo") for i in range(3)]
    make_document(organisation, text="btw memo", deleted=True)
    make_document(
        organisation, folder=open_folder, text="btw memo", visible_from=timezone.now() + datetime.timedelta(1)
    )
    theirs = make_document(other_organisation, text="btw memo")

    assert found("memo btw", client_scope(organisation, open_folder)) == sorted((d.pk for d in visible), reverse=True)
    assert len(found("memo btw")) == 5 and theirs.pk in found("memo btw")
    assert count_documents("memo bt", client_scope(organisation, open_folder), cap=2) == 3
    assert "<mark>memo</mark>" in search_documents("memo", Scope.staff())[0].snippet


def test_it_hides_documents_of_a_deleted_folder(organisation):
    document = make_document(organisation, text="memo")
    Document.objects.filter(pk=document.pk).update(deleted_at=timezone.now())  # a folder delete marks them

    assert found("memo") == []
    assert found("memo", client_scope(organisation, document.folder)) == []


def test_it_never_matches_scope_tokens(organisation):
    make_document(organisation, text="memo")

    assert found(f"o{organisation.pk}") == []
    assert found(f"~o{organisation.pk}") == []


@pytest.mark.parametrize("query", HOSTILE)
def test_it_survives_hostile_queries(organisation, query):
    document = make_document(organisation, text="factuur x é a or near " + "x" * 64)
    scope = client_scope(organisation, document.folder)

    for hits in (search_documents(query, Scope.staff()), search_documents(query, scope)):
        assert all(hit.document_id == document.pk for hit in hits)
    assert count_documents(query, scope) in (0, 1)
    assert Document.objects.filter(pk=document.pk).exists()


@pytest.mark.parametrize("query", ["", "   ", "?!", "***", '""', "-- ;", "\u200b"])
def test_it_finds_nothing_without_a_word(organisation, query):
    make_document(organisation, text="factuur")

    assert search_documents(query, Scope.staff()) == []
    assert count_documents(query, Scope.staff()) == 0


def test_it_escapes_the_snippet_and_marks_the_words(organisation):
    make_document(organisation, name="Brief", text='Uw factuur & "bon" <script>alert(1)</script> \x02 5 < 6 <b>nr</b>')

    [hit] = search_documents("factuur", Scope.staff())

    assert "<mark>factuur</mark>" in hit.snippet
    rest = str(hit.snippet).replace("<mark>", "", 1).replace("</mark>", "", 1)
    assert not set("<>\"'\x02\x03") & set(rest)  # PostgreSQL drops tags, SQLite escapes them
    assert "&amp;" in rest and "&quot;bon&quot;" in rest
    if connection.vendor == "sqlite":
        assert "&lt;script&gt;" in rest


def test_it_marks_a_word_found_in_the_name(organisation):
    make_document(organisation, name="Jaarrekening <2023>", text="Zonder die woorden")

    [hit] = search_documents("jaarrekening", Scope.staff())

    assert "<mark>Jaarrekening</mark>" in hit.snippet
    assert "&lt;2023&gt;" in hit.snippet


def test_it_ranks_a_match_in_the_name_first(organisation):
    in_text = make_document(organisation, name="Brief", text="over de hypotheek van het pand")
    in_name = make_document(organisation, name="Hypotheek", text="over het pand")

    hits = search_documents("hypotheek", Scope.staff())

    assert [hit.document_id for hit in hits] == [in_name.pk, in_text.pk]
    assert hits[0].rank > hits[1].rank


def test_it_pages_and_counts(organisation):
    documents = [make_document(organisation, name=f"Memo {i}", text="memo") for i in range(5)]

    first, second = found("memo", limit=3), found("memo", limit=3, offset=3)

    assert len(first) == 3 and len(second) == 2
    assert sorted(first + second) == sorted(d.pk for d in documents)
    assert first == sorted(first, reverse=True)  # equal ranks: newest first
    assert count_documents("memo", Scope.staff()) == 5
    assert count_documents("memo", Scope.staff(), cap=2) == 3  # "more than 2"


def test_it_replaces_the_old_text_when_reindexed(organisation):
    document = make_document(organisation, text="concept versie")
    set_text(document, "definitieve versie")
    index_document(document.pk)  # idempotent

    assert found("concept") == []
    assert found("definitieve") == [document.pk]
    assert found("versie") == [document.pk]


def test_it_indexes_a_document_without_a_version_by_its_name(organisation):
    folder = Folder.objects.create(organisation=organisation, name="Algemeen")
    document = Document.objects.create(organisation=organisation, folder=folder, name="Volmacht")
    index_document(document.pk)

    assert found("volmacht") == [document.pk]


def test_it_caps_the_indexed_text(organisation, monkeypatch):
    monkeypatch.setattr(search, "MAX_TEXT_CHARS", 20)
    document = make_document(organisation, text="begin van de tekst en dan het einde")

    assert found("begin") == [document.pk]
    assert found("einde") == []


def test_it_indexes_a_text_too_big_for_one_postgresql_vector(organisation):
    text = " ".join(f"w{i:06d}x" for i in range(120_000))  # 1 MB of distinct words: a vector over 1 MB
    document = make_document(organisation, text=text)

    assert found("w000001x") == [document.pk]
    assert found("w100000x") == ([] if connection.vendor == "postgresql" else [document.pk])  # at 900,000 chars


def test_it_counts_the_documents_of_each_word(organisation):
    first = make_document(organisation, text="memo memo")
    second = make_document(organisation, text="Memo")
    assert term_docs("memo") == 2

    set_text(second, "brief")
    assert (term_docs("memo"), term_docs("brief")) == (1, 1)

    unindex_document(first.pk)
    assert term_docs("memo") == 0
    search.rebuild_terms()
    assert (term_docs("memo"), term_docs("brief"), term_docs("algemeen")) == (0, 1, 1)


def term_docs(word):
    with connection.cursor() as cursor:
        cursor.execute("SELECT docs FROM dossier_search_term WHERE term = %s", [word])
        row = cursor.fetchone()
        return row[0] if row else 0


def test_it_unindexes_a_document(organisation):
    document = make_document(organisation, text="memo")
    unindex_document(document.pk)
    unindex_document(document.pk)  # twice is fine

    assert found("memo") == []


def test_it_forgets_a_document_removed_from_the_database(organisation):
    document = make_document(organisation, text="memo")
    pk = document.pk
    document.delete()

    assert indexed_rows(pk) == 0
    index_document(pk)  # a late job for a vanished document
    assert indexed_rows(pk) == 0
    assert found("memo") == []


def indexed_rows(document_id):
    key = "document_id" if connection.vendor == "postgresql" else "rowid"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM dossier_search WHERE {key} = %s", [document_id])
        return cursor.fetchone()[0]
