"""search: a ticket's facet columns and scope in its search document (status, type, channel,
service, district, organisation, enterprise, created time), copied from the ticket here and
kept current by search/index.py, so a search reads its capped matches with their facets from
the documents alone. A provider's documents newest first: SQLite's btree (organisation_id,
id); PostgreSQL's btree_gin index (organisation_id, all_tsv), which finds one organisation's
matches in one index read.

Revision ID: 0028
Revises: 0027
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from helpdesk.db import UTCDateTime

revision: str = '0028'
down_revision: str | None = '0027'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

COLUMNS = [
    ('status', 'status'),
    ('type', 'type'),
    ('channel', 'channel'),
    ('category_code', 'category_code'),
    ('district_code', 'district_code'),
    ('organisation_id', 'assigned_org_id'),
    ('enterprise_id', 'enterprise_id'),
    ('created_at', 'created_at'),
]


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == 'postgresql'
    with op.batch_alter_table('search_document') as batch:
        batch.add_column(sa.Column('status', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('type', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('channel', sa.String(length=24), nullable=True))
        batch.add_column(sa.Column('category_code', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('district_code', sa.String(length=6), nullable=True))
        batch.add_column(sa.Column('organisation_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('enterprise_id', sa.Integer(), nullable=True))
        batch.add_column(sa.Column('created_at', UTCDateTime(), nullable=True))
    copied = ', '.join(f'{mine} = ticket.{theirs}' for mine, theirs in COLUMNS)
    if postgres:
        # The fill rewrites every ticket's row: the words' GIN indexes are built again once
        # after it, not grown row by row (and left holding the old rows' entries).
        op.execute('DROP INDEX IF EXISTS ix_search_document_public_tsv')
        op.execute('DROP INDEX IF EXISTS ix_search_document_all_tsv')
        op.execute(
            f"UPDATE search_document SET {copied} FROM ticket "
            "WHERE search_document.kind = 'ticket' AND ticket.id = search_document.ref_id"
        )
        op.execute(
            'CREATE INDEX ix_search_document_public_tsv ON search_document USING gin (public_tsv)'
        )
        op.execute('CREATE INDEX ix_search_document_all_tsv ON search_document USING gin (all_tsv)')
        op.execute('CREATE EXTENSION IF NOT EXISTS btree_gin')
        # Partial: a staff search (no organisation asked) cannot take it for its words alone,
        # which the planner did, 0.47 s against the words' own index (EXPLAIN, 1,000,000).
        op.execute(
            'CREATE INDEX ix_search_document_org_tsv ON search_document '
            'USING gin (organisation_id, all_tsv) WHERE organisation_id IS NOT NULL'
        )
    else:
        # FTS5 re-reads a document's words only when they change: its trigger fired on any
        # UPDATE, so every status change (and this fill) would delete and re-add them.
        for statement in fts_update_trigger('UPDATE OF public_words, internal_words'):
            op.execute(statement)
        names = ', '.join(mine for mine, _ in COLUMNS)
        values = ', '.join(f'ticket.{theirs}' for _, theirs in COLUMNS)
        op.execute(
            f"UPDATE search_document SET ({names}) = (SELECT {values} FROM ticket "
            "WHERE ticket.id = search_document.ref_id) WHERE kind = 'ticket'"
        )
        op.execute(
            'CREATE INDEX ix_search_document_org ON search_document (organisation_id, id)'
        )
    op.create_index(
        'ix_search_document_enterprise', 'search_document', ['enterprise_id', 'id'], unique=False
    )


def fts_update_trigger(when: str) -> list[str]:
    """SQLite: migration 0011's trigger keeping search_fts in step, AFTER `when`."""
    return [
        'DROP TRIGGER IF EXISTS search_fts_update',
        f'CREATE TRIGGER search_fts_update AFTER {when} ON search_document BEGIN '
        'INSERT INTO search_fts(search_fts, rowid, public_words, internal_words) '
        "VALUES ('delete', old.id, old.public_words, old.internal_words); "
        'INSERT INTO search_fts(rowid, public_words, internal_words) '
        'VALUES (new.id, new.public_words, new.internal_words); END',
    ]


def downgrade() -> None:
    op.drop_index('ix_search_document_enterprise', table_name='search_document')
    op.execute('DROP INDEX IF EXISTS ix_search_document_org_tsv')
    op.execute('DROP INDEX IF EXISTS ix_search_document_org')
    if op.get_bind().dialect.name != 'postgresql':
        for statement in fts_update_trigger('UPDATE'):
            op.execute(statement)
    with op.batch_alter_table('search_document') as batch:
        for name, _ in reversed(COLUMNS):
            batch.drop_column(name)
