"""search: PostgreSQL's narrow copy of the ticket documents for a staff search's walk,
`search_walk` (the document's id, its ticket, the vector of every word, the facet columns,
and what relevance needs besides the asked words' counts), kept in step by a trigger on
search_document and filled here from the documents. Nothing on SQLite (FTS5 walks its own
index).

A staff search for common words walks the newest documents backwards checking each vector
(backends.newest_matching): through search_document, rows of 1.65 kB of words plus two
vectors (3.3 GB at 1,000,000 tickets), that walk was most of the server's time; the narrow
rows are about a third of that. Relevance needs each match's count of the asked words: the
vector's positions give it (one position per word, migration 0026's 'simple' parsing of
words joined by spaces) where `exact` says they are all there (a vector keeps at most 256
positions per word, none past 16,383, and drops a word PostgreSQL would not parse as one);
`total` is relevance's word count of the same text (backends.relevance).

A trigger, not a statement in search/index.py: documents are written by Core inserts and
updates and by the ORM's flush (a comment's words, retention's rewrite, the reindex), and
deleted with their ticket; the trigger sees every one of them, in the same transaction
(and a TRUNCATE, its statement trigger).

Revision ID: 0031
Revises: 0030
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0031'
down_revision: str | None = '0030'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACETS = ('status', 'type', 'channel', 'category_code', 'district_code', 'organisation_id')


def _row(d: str) -> str:
    """The walk's columns from document `d` (a table alias, or NEW in the trigger)."""
    words = f"({d}.public_words || ' ' || {d}.internal_words)"
    shown = f'{d}.all_tsv::text'
    # Positions in the vector's text ('w':1,5 'v':3): a colon per word, a comma per repeat.
    positions = (
        f"(length({shown}) - length(replace({shown}, ',', ''))"
        f" + length({shown}) - length(replace({shown}, ':', '')))"
    )
    counted = f"cardinality(array_remove(string_to_array({words}, ' '), ''))"
    facets = ', '.join(f'{d}.{name}' for name in FACETS)
    return (
        f'{d}.id AS id, {d}.ref_id AS ref_id, {d}.all_tsv AS all_tsv, '
        f"length({words}) - length(replace({words}, ' ', '')) + 1 AS total, "
        f'{positions} = {counted} AS exact, {facets}, {d}.created_at AS created_at'
    )


COLUMNS = f'id, ref_id, all_tsv, total, exact, {", ".join(FACETS)}, created_at'
UPDATED = ', '.join(f'{c} = excluded.{c}' for c in COLUMNS.split(', ')[1:])


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute(
        f'CREATE TABLE search_walk AS SELECT {_row("d")} FROM search_document d '
        "WHERE d.kind = 'ticket'"
    )
    op.execute('ALTER TABLE search_walk ADD CONSTRAINT pk_search_walk PRIMARY KEY (id)')
    op.execute(
        f"""CREATE FUNCTION search_walk_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        TRUNCATE search_walk;
    ELSIF TG_OP = 'DELETE' THEN
        DELETE FROM search_walk WHERE id = OLD.id;
    ELSIF NEW.kind = 'ticket' THEN
        INSERT INTO search_walk ({COLUMNS}) SELECT {_row('NEW')}
        ON CONFLICT (id) DO UPDATE SET {UPDATED};
    END IF;
    RETURN NULL;
END $$"""
    )
    op.execute(
        'CREATE TRIGGER search_walk_keep AFTER INSERT OR UPDATE OR DELETE ON search_document '
        'FOR EACH ROW EXECUTE FUNCTION search_walk_keep()'
    )
    # A TRUNCATE fires no row trigger (the tests empty their tables so between tests).
    op.execute(
        'CREATE TRIGGER search_walk_truncate AFTER TRUNCATE ON search_document '
        'FOR EACH STATEMENT EXECUTE FUNCTION search_walk_keep()'
    )
    op.execute('ANALYZE search_walk')


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    op.execute('DROP TRIGGER IF EXISTS search_walk_truncate ON search_document')
    op.execute('DROP TRIGGER IF EXISTS search_walk_keep ON search_document')
    op.execute('DROP FUNCTION IF EXISTS search_walk_keep()')
    op.execute('DROP TABLE IF EXISTS search_walk')
