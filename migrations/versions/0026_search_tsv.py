"""search: stored tsvector columns on PostgreSQL (public_tsv; all_tsv with internal notes),
generated from the words, with the GIN indexes on them instead of on to_tsvector(...)
expressions. Matching then reads the stored vector instead of segmenting every document it
looks at again. Nothing on SQLite (its FTS5 table is already an index of stored words).

Revision ID: 0026
Revises: 0025
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0026'
down_revision: str | None = '0025'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UPGRADE = [
    "DROP INDEX IF EXISTS ix_search_document_public_tsv",
    "DROP INDEX IF EXISTS ix_search_document_all_tsv",
    # One ALTER: the table is rewritten once for both columns.
    "ALTER TABLE search_document "
    "ADD COLUMN public_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, public_words)) STORED, "
    "ADD COLUMN all_tsv tsvector GENERATED ALWAYS AS "
    "(to_tsvector('simple'::regconfig, public_words || ' ' || internal_words)) STORED",
    "CREATE INDEX ix_search_document_public_tsv ON search_document USING gin (public_tsv)",
    "CREATE INDEX ix_search_document_all_tsv ON search_document USING gin (all_tsv)",
]
DOWNGRADE = [
    "DROP INDEX IF EXISTS ix_search_document_public_tsv",
    "DROP INDEX IF EXISTS ix_search_document_all_tsv",
    "ALTER TABLE search_document DROP COLUMN public_tsv, DROP COLUMN all_tsv",
    "CREATE INDEX ix_search_document_public_tsv ON search_document "
    "USING gin (to_tsvector('simple', public_words))",
    "CREATE INDEX ix_search_document_all_tsv ON search_document "
    "USING gin (to_tsvector('simple', public_words || ' ' || internal_words))",
]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in UPGRADE:
            op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        for statement in DOWNGRADE:
            op.execute(statement)
