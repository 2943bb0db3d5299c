"""The full-text index of the dossier (see accordo.dossier.search): FTS5 on SQLite, tsvector + GIN on PostgreSQL.

Not a model: a raw table per database, written and read by accordo.dossier.search only. A trigger
forgets a document's row when the document row is deleted (e.g. with its organisation).
dossier_search_term counts the documents of each word: it expands a prefix to its completions and
tells rare words from common ones.
"""

from django.db import DatabaseError, migrations, transaction

SQLITE_FORWARD = [
    "CREATE VIRTUAL TABLE dossier_search USING fts5("
    "name, folder, organisation, body, scope, tokenize = 'unicode61 remove_diacritics 2', prefix = '2 3')",
    "CREATE TRIGGER dossier_search_forget AFTER DELETE ON dossier_document "
    "BEGIN DELETE FROM dossier_search WHERE rowid = old.id; END",
    "CREATE TABLE dossier_search_term (term text PRIMARY KEY, docs integer NOT NULL) WITHOUT ROWID",
]
SQLITE_REVERSE = [
    "DROP TABLE IF EXISTS dossier_search_term",
    "DROP TRIGGER IF EXISTS dossier_search_forget",
    "DROP TABLE IF EXISTS dossier_search",
]

PG_FORWARD = [
    "CREATE TABLE dossier_search (document_id bigint PRIMARY KEY, name text NOT NULL, folder text NOT NULL, "
    "organisation text NOT NULL, body text NOT NULL, vector tsvector NOT NULL)",
    "ALTER TABLE dossier_search ALTER COLUMN vector SET STORAGE MAIN",  # inline: no TOAST fetch per row tested
    "CREATE INDEX dossier_search_vector ON dossier_search USING gin (vector)",
    "CREATE FUNCTION dossier_search_forget() RETURNS trigger LANGUAGE plpgsql AS "
    "$$ BEGIN DELETE FROM dossier_search WHERE document_id = OLD.id; RETURN OLD; END $$",
    "CREATE TRIGGER dossier_search_forget AFTER DELETE ON dossier_document "
    "FOR EACH ROW EXECUTE FUNCTION dossier_search_forget()",
    "CREATE TEXT SEARCH CONFIGURATION accordo_search (COPY = simple)",
    'CREATE TABLE dossier_search_term (term text COLLATE "C" PRIMARY KEY, docs integer NOT NULL)',
]
# unaccent is a trusted extension (PostgreSQL 13+): a database owner may create it. Without it,
# search still folds accents (in Python); only snippets miss marks on accented words.
PG_UNACCENT = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    "ALTER TEXT SEARCH CONFIGURATION accordo_search ALTER MAPPING FOR hword, hword_part, word WITH unaccent, simple",
]
PG_REVERSE = [
    "DROP TABLE IF EXISTS dossier_search_term",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS accordo_search",
    "DROP TRIGGER IF EXISTS dossier_search_forget ON dossier_document",
    "DROP FUNCTION IF EXISTS dossier_search_forget()",
    "DROP TABLE IF EXISTS dossier_search",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = SQLITE_FORWARD
    elif vendor == "postgresql":
        statements = PG_FORWARD
    else:
        raise RuntimeError(f"dossier search: no full-text index for {vendor}")
    for sql in statements:
        schema_editor.execute(sql, params=None)
    if vendor == "postgresql":
        try:
            with transaction.atomic(using=schema_editor.connection.alias):
                for sql in PG_UNACCENT:
                    schema_editor.execute(sql, params=None)
        except DatabaseError:
            pass


def reverse(apps, schema_editor):
    statements = SQLITE_REVERSE if schema_editor.connection.vendor == "sqlite" else PG_REVERSE
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("dossier", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
