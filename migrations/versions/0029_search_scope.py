"""search: SQLite's full-text index holds each ticket's scope as words (o<organisation id>,
e<enterprise id>, in a third FTS5 column `scope_words`), so a provider's or an enterprise's
search asks FTS5 for `o12 AND (words)` and FTS5 intersects the two lists itself: only the
organisation's matches come out, not every match (200,000 for a common word) to be checked
against the organisation one by one. The column is a virtual generated column of
search_document (nothing stored), so the external-content table reads it like the words
('rebuild', integrity-check); the update trigger also fires when the organisation or the
enterprise changes (a transfer). The index is rebuilt from the documents here. Nothing on
PostgreSQL (its btree_gin index of 0028 does the same).

Revision ID: 0029
Revises: 0028
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0029'
down_revision: str | None = '0028'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCOPE = (
    "trim(coalesce('o' || organisation_id, '') || ' ' || coalesce('e' || enterprise_id, ''))"
)
FTS_COLUMNS = ('public_words', 'internal_words', 'scope_words')
OLD_COLUMNS = ('public_words', 'internal_words')


def _changed(columns: str) -> str:
    return ' OR '.join(f'old.{c} IS NOT new.{c}' for c in columns.split(', '))


def _index(columns: Sequence[str], update_of: str) -> list[str]:
    names = ', '.join(columns)
    old = ', '.join(f'old.{c}' for c in columns)
    new = ', '.join(f'new.{c}' for c in columns)
    return [
        'DROP TRIGGER IF EXISTS search_fts_insert',
        'DROP TRIGGER IF EXISTS search_fts_delete',
        'DROP TRIGGER IF EXISTS search_fts_update',
        'DROP TABLE IF EXISTS search_fts',
        f'CREATE VIRTUAL TABLE search_fts USING fts5({names}, '
        "content='search_document', content_rowid='id', tokenize='unicode61 remove_diacritics 0')",
        'CREATE TRIGGER search_fts_insert AFTER INSERT ON search_document BEGIN '
        f'INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END',
        'CREATE TRIGGER search_fts_delete AFTER DELETE ON search_document BEGIN '
        f'INSERT INTO search_fts(search_fts, rowid, {names}) '
        f"VALUES ('delete', old.id, {old}); END",
        # Only when what the index holds changes: not on a status change, which sets the
        # organisation and enterprise again with the same values (index.ticket_changed).
        f'CREATE TRIGGER search_fts_update AFTER UPDATE OF {update_of} ON search_document '
        f'WHEN {_changed(update_of)} BEGIN '
        f"INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); "
        f'INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END',
        # From the documents, then merged into one segment (what a query walks).
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
        "INSERT INTO search_fts(search_fts) VALUES ('optimize')",
    ]


def upgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        return
    op.execute(
        f'ALTER TABLE search_document ADD COLUMN scope_words TEXT '
        f'GENERATED ALWAYS AS ({SCOPE}) VIRTUAL'
    )
    for statement in _index(
        FTS_COLUMNS, 'public_words, internal_words, organisation_id, enterprise_id'
    ):
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        return
    for statement in _index(OLD_COLUMNS, 'public_words, internal_words'):
        op.execute(statement)
    op.execute('ALTER TABLE search_document DROP COLUMN scope_words')
