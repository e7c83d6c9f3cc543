"""search: one document of words per ticket and enterprise (search_document), and the
backend's full-text index over it: SQLite's FTS5 table search_fts kept in step by triggers,
PostgreSQL's GIN indexes of to_tsvector('simple', ...) (public words; public and internal).
Existing tickets and enterprises are segmented into it here.

Revision ID: 0011
Revises: 0010
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SQLITE_INDEX = [
    "CREATE VIRTUAL TABLE search_fts USING fts5(public_words, internal_words, "
    "content='search_document', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
    "CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN "
    "INSERT INTO search_fts(rowid, public_words, internal_words) "
    "VALUES (new.id, new.public_words, new.internal_words); END",
    "CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, public_words, internal_words) "
    "VALUES ('delete', old.id, old.public_words, old.internal_words); END",
    "CREATE TRIGGER search_fts_update AFTER UPDATE ON search_document BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, public_words, internal_words) "
    "VALUES ('delete', old.id, old.public_words, old.internal_words); "
    "INSERT INTO search_fts(rowid, public_words, internal_words) "
    "VALUES (new.id, new.public_words, new.internal_words); END",
]
POSTGRES_INDEX = [
    "CREATE INDEX ix_search_document_public_tsv ON search_document "
    "USING gin (to_tsvector('simple', public_words))",
    "CREATE INDEX ix_search_document_all_tsv ON search_document "
    "USING gin (to_tsvector('simple', public_words || ' ' || internal_words))",
]


def upgrade() -> None:
    op.create_table(
        'search_document',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.Enum('ticket', 'enterprise', name='documentkind', native_enum=False, length=24), nullable=False),
        sa.Column('ref_id', sa.Integer(), nullable=False),
        sa.Column('public_words', sa.Text(), nullable=False),
        sa.Column('internal_words', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_search_document')),
        sa.UniqueConstraint('kind', 'ref_id', name=op.f('uq_search_document_kind_ref_id')),
    )
    bind = op.get_bind()
    for statement in SQLITE_INDEX if bind.dialect.name == 'sqlite' else POSTGRES_INDEX:
        op.execute(statement)
    _fill(bind)


def _fill(bind) -> None:  # type: ignore[no-untyped-def]
    """Segment what is already there (plain SQL: the models may change after this revision)."""
    from helpdesk.search.segment import as_text, document_words

    def words(*parts):  # type: ignore[no-untyped-def]
        return as_text(document_words(' '.join(p for p in parts if p)))

    notes: dict[int, tuple[list[str], list[str]]] = {}
    for ticket_id, body, internal in bind.execute(
        sa.text('SELECT ticket_id, body, internal FROM ticket_comment ORDER BY id')
    ):
        notes.setdefault(ticket_id, ([], []))[1 if internal else 0].append(words(body))
    insert = sa.text(
        'INSERT INTO search_document (kind, ref_id, public_words, internal_words) '
        'VALUES (:kind, :ref_id, :public, :internal)'
    )
    for ticket_id, number, subject, description in bind.execute(
        sa.text('SELECT id, number, subject, description FROM ticket ORDER BY id')
    ):
        public, internal = notes.get(ticket_id, ([], []))
        bind.execute(insert, {
            'kind': 'ticket',
            'ref_id': ticket_id,
            'public': ' '.join([words(number, subject, description), *public]).strip(),
            'internal': ' '.join(internal),
        })
    for row in bind.execute(
        sa.text('SELECT id, name, uscc, address, industry FROM enterprise ORDER BY id')
    ):
        bind.execute(insert, {
            'kind': 'enterprise', 'ref_id': row[0], 'public': words(*row[1:]), 'internal': '',
        })


def downgrade() -> None:
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('DROP TABLE search_fts')  # its triggers go with search_document
    op.drop_table('search_document')
