"""The two full-text backends behind one question: which documents of a kind hold all these
words, and how relevant is each (higher is better)?

SQLite: the FTS5 table `search_fts` (external content: search_document), ranked by bm25.
PostgreSQL: `to_tsvector('simple', ...)` of the stored words, matching the GIN indexes of
migration 0011_search, ranked by ts_rank. The words are letters and digits only
(segment.py), so quoting them is enough: no query syntax gets through either way.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Select, column, func, literal_column, select, table, text
from sqlalchemy.orm import Session

from helpdesk.search.models import DocumentKind, SearchDocument

FTS = table("search_fts", column("rowid"))  # SQLite: made by the migration, not a model
SIMPLE: ColumnElement[Any] = literal_column(
    "'simple'::regconfig"
)  # a literal, as in the index expressions


def matching(
    session: Session, kind: DocumentKind, words: list[str], internal: bool, any_word: bool = False
) -> Select[Any]:
    """SELECT ref_id, rank of the documents holding every word (`any_word`: at least one, the
    more the better, for suggestions while typing); `internal`: notes count too."""
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql(kind, words, internal, any_word)
    return _sqlite(kind, words, internal, any_word)


def _sqlite(kind: DocumentKind, words: list[str], internal: bool, any_word: bool) -> Select[Any]:
    phrase = (" OR " if any_word else " ").join(f'"{word}"' for word in words)
    expression = phrase if internal else f"{{public_words}} : ({phrase})"
    rank: ColumnElement[Any] = -literal_column("bm25(search_fts)")
    stmt: Select[Any] = (
        select(SearchDocument.ref_id, rank.label("rank"))
        .select_from(SearchDocument)
        .join(FTS, FTS.c.rowid == SearchDocument.id)
        .where(text("search_fts MATCH :search_expression").bindparams(search_expression=expression))
        # The unary + keeps SQLite from walking the (kind, ref_id) index and running the
        # MATCH once per document of the kind: alone (kb.queries) that took 440 ms for 400
        # guides, against 4 ms with the full-text index first.
        .where(literal_column("+search_document.kind") == kind.value)
    )
    return stmt


def _vector(internal: bool) -> ColumnElement[Any]:
    words: ColumnElement[Any] = SearchDocument.public_words.expression
    if internal:
        words = SearchDocument.public_words.op("||")(literal_column("' '")).op("||")(
            SearchDocument.internal_words
        )
    return func.to_tsvector(SIMPLE, words)


def _postgresql(
    kind: DocumentKind, words: list[str], internal: bool, any_word: bool
) -> Select[Any]:
    joiner = " | " if any_word else " & "
    query = func.to_tsquery(SIMPLE, joiner.join(f"'{word}'" for word in words))
    vector = _vector(internal)
    return select(SearchDocument.ref_id, func.ts_rank(vector, query).label("rank")).where(
        vector.op("@@")(query), SearchDocument.kind == kind
    )
