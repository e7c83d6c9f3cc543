"""The two full-text backends behind one question: which documents of a kind hold all these
words, and how relevant is each (higher is better)?

SQLite: the FTS5 table `search_fts` (external content: search_document), whose third column
holds each ticket's scope as words (o<organisation id> e<enterprise id>, 0029_search_scope).
PostgreSQL: the stored tsvector columns `public_tsv` / `all_tsv` (generated from the words,
migration 0025_search_tsv) and their GIN indexes; they are not in the model (SQLite has
none). The words are letters and digits only (segment.py), so quoting them is enough: no
query syntax gets through either way.

Relevance is the same integer on both (`relevance`): how often the asked words occur per
10,000 words of the document. bm25 and ts_rank weigh differently (bm25 counts how rare a
word is, ts_rank does not), so ranking by them put the same hits in different orders on the
two backends. Ties go to the newest (created_at, then id: queries.search, kb.queries),
so both backends return the same list in the same order (tests/search/test_parity.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import compress, repeat
from operator import add
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    ColumnElement,
    Integer,
    LargeBinary,
    MetaData,
    Select,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    null,
    or_,
    select,
    table,
    text,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Session
from sqlalchemy.sql.visitors import replacement_traverse

from helpdesk.db import UTCDateTime
from helpdesk.search.models import DocumentKind, SearchDocument

FTS = table("search_fts", column("rowid"))  # SQLite: made by the migration, not a model
# PostgreSQL: the narrow copy of the ticket documents that a staff search walks (migration
# 0031, kept in step by its trigger): not a model, SQLite has none.
WALK = Table(
    "search_walk",
    MetaData(),
    Column("id", Integer, primary_key=True),  # search_document.id
    Column("ref_id", Integer),
    Column("all_tsv", TSVECTOR),
    Column("total", Integer),  # relevance's word count of the words (`relevance`)
    Column("exact", Boolean),  # the vector holds every word's every position
    *(Column(name, String) for name in ("status", "type", "channel")),
    *(Column(name, String) for name in ("category_code", "district_code")),
    Column("organisation_id", Integer),
    Column("created_at", UTCDateTime),
)
SIMPLE: ColumnElement[Any] = literal_column(
    "'simple'::regconfig"
)  # a literal, as in the index expressions


def matching(
    session: Session, kind: DocumentKind, words: list[str], internal: bool, any_word: bool = False
) -> Select[Any]:
    """SELECT ref_id, rank of the documents holding every word (`any_word`: at least one, the
    more the better, for suggestions while typing); `internal`: notes count too."""
    if kind is DocumentKind.ARTICLE:
        return _scanned(kind, words, internal, any_word)
    if session.get_bind().dialect.name == "postgresql":
        return _postgresql(kind, words, internal, any_word)
    return _sqlite(kind, words, internal, any_word)


def held_by(
    session: Session, kind: DocumentKind, words: list[str], internal: bool
) -> ColumnElement[bool]:
    """A condition on search_document rows: this document holds every word. For queries that
    start from a few rows (enterprises, one organisation's tickets) and look each document up
    in the matches, instead of reading every match (a common word: 200,000 tickets) to keep
    theirs: 0.45 s per statement for enterprises (131 ms of CPU), 245 against 70 ms of CPU for
    a provider's tickets, SQLite at 1,000,000 tickets."""
    if session.get_bind().dialect.name == "postgresql":
        return _vector(internal).op("@@")(_query(words, " & "))
    matched = select(FTS.c.rowid).where(
        text("search_fts MATCH :search_expression").bindparams(
            search_expression=_expression(words, internal, False)
        )
    )
    # The unary + keeps SQLite from walking the matches and seeking each document by id.
    return literal_column("+search_document.id").in_(matched)


# Documents a many-word search reads newest first before it looks at the older ones.
RECENT = 65_000
# The newest documents read to tell how many of the RECENT hold the words (PostgreSQL).
PROBE = 2_000


def newest_matching(
    session: Session,
    kind: DocumentKind,
    words: list[str],
    internal: bool,
    limit: int,
    columns: Sequence[ColumnElement[Any]] = (),
    ranked: bool = True,
) -> list[Select[Any]]:
    """SELECTs of ref_id, words (the text `relevance_of` ranks; NULL unless `ranked`),
    *columns (labelled, of the document row) of the documents holding every word, newest
    document first, at most `limit` of them: run them in turn, each for what the ones
    before left of `limit` (each reads older documents than the one before; the second is
    needed only when the first found fewer than `limit`).

    PostgreSQL's GIN index has no order: the newest `limit` ids are taken first, on their
    own (the planner walks the primary key backwards for a common word, or reads the
    matches through a bitmap of the GIN index and keeps the newest for a rarer one), and
    only those are joined. Joining first had it look up the ticket of every
    match (161,000 for three words) before the LIMIT: 1.3 s against 0.8 s (EXPLAIN ANALYZE
    at 1,000,000 tickets). SQLite: ordered by the FTS5 rowid, the index's own order, so the
    LIMIT stops early (ordering by search_document.id sorted every match: 0.9 s against
    60 ms)."""
    if session.get_bind().dialect.name != "postgresql":
        return [
            _sqlite(kind, words, internal, False, padded_words_read(internal, ranked))
            .add_columns(*columns)
            .order_by(FTS.c.rowid.desc())
            .limit(limit)
        ]
    walk = internal and kind is DocumentKind.TICKET  # staff: search_walk holds every word
    held = (_vector(internal).op("@@")(_query(words, " & ")), SearchDocument.kind == kind)
    # The ref_id and the words from the rows the walk reads anyway: joining the newest ids
    # back to search_document looked each up again (10,001 index scans, 25 of 180 ms for a
    # common word).
    found = (SearchDocument.ref_id, words_read(internal, ranked), *columns)
    ids = select(*found).where(*held).order_by(SearchDocument.id.desc()).limit(limit)
    if len(words) == 1 and not walk:
        return [ids]
    # The planner takes words as independent, so words that go together (出口 退税: 16%
    # of documents) look rare and it reads them all through the bitmap (0.9-1.1 s on a
    # table the stored vectors made 4.7 times wider). First the newest RECENT documents
    # only (a bounded range: 0.25-0.35 s); the older ones only when those held too few.
    # The bound read once, so that the two statements neither miss nor repeat a document
    # added between them. Two statements, not one UNION ALL of the two with the older part
    # run only when a count of the newest part fell short: materializing and sorting that
    # part again was 9-12 ms of a two- or three-word search's 46-58 ms of server CPU.
    newest, share = _newest_and_share(session, kind, words, internal, walk)
    bound = newest - RECENT
    # "id + 0" (and below): the range as a check on the rows the GIN index finds, not a
    # second bitmap from the primary key (65,000 ids: 8 ms; the older ones' 935,000: 220 of
    # a ticket number's 232 ms).
    recent = ids.where((SearchDocument.id + 0) > bound)
    common = share * RECENT * 4 >= limit
    if walk and common:
        # Staff: the same walk through search_walk's narrow rows (0031), ranked there.
        recent = _walked(words, bound, limit, columns, ranked)
    elif len(words) == 1:
        return [ids]  # the planner's own choice: the primary key backwards, or the GIN index
    elif common:
        # Words that the newest RECENT hold often (a quarter of `limit` or more): walk
        # those newest first, checking each row's vector, and stop at `limit`.
        # ts_match_vq is @@ that no index answers: through the GIN index the bitmap of
        # every match (241,806 for 融资 担保) took 55-95 ms before a row was read; the
        # walk of the newest 40,661 rows took 36-55 ms in all (EXPLAIN ANALYZE).
        walked = func.ts_match_vq(_vector(internal), _query(words, " & "))
        recent = select(*found).where(
            walked, SearchDocument.kind == kind, SearchDocument.id > bound
        )
        recent = recent.order_by(SearchDocument.id.desc()).limit(limit)
    older = ids.where((SearchDocument.id + 0) <= bound)
    return [recent, older]


def _walked(
    words: list[str], bound: int, limit: int, columns: Sequence[ColumnElement[Any]], ranked: bool
) -> Select[Any]:
    """The newest ticket documents after `bound` holding every word, walked through
    search_walk: ref_id, rank, *columns (search_document's, read from search_walk's copies),
    then with `ranked` one ts_rank per word (`walk_relevance` turns them and rank into
    `relevance`; unranked, rank is NULL). 10,001 rows of 1.65 kB of words were most of what a
    staff search moved and decoded, and the wide rows most of the walk's time
    (bench/search_1m.py)."""

    def copied(element: Any, **_: Any) -> Any:
        if isinstance(element, Column) and element.table is SearchDocument.__table__:
            return WALK.c[element.name]
        return None

    own = [replacement_traverse(c, {}, copied) for c in columns]
    walked = func.ts_match_vq(WALK.c.all_tsv, _query(words, " & "))
    if ranked:
        # Exact rows: minus their word count, and each word's ts_rank, which for positions of
        # one weight depends on their number alone. Others: `relevance` of the words.
        read = select(relevance(words, True)).where(SearchDocument.id == WALK.c.id)
        rank: ColumnElement[Any] = case((WALK.c.exact, -WALK.c.total), else_=read.scalar_subquery())
        per_word = [
            func.ts_rank(WALK.c.all_tsv, _query([word], "")).label(f"walk_rank_{n}")
            for n, word in enumerate(words)
        ]
    else:
        rank, per_word = null(), []
    return (
        select(WALK.c.ref_id, rank.label("rank"), *own, *per_word)
        .where(walked, WALK.c.id > bound)
        .order_by(WALK.c.id.desc())
        .limit(limit)
    )


# ts_rank of one word in a vector where it has n positions of the default weight -> n.
_POSITIONS: dict[float, int] = {}


def read_positions(connection: Any) -> None:
    """`walk_relevance`'s table, read once per process before a walk's rows stream in (the
    connection is busy until the last one)."""
    if not _POSITIONS:
        table = connection.exec_driver_sql(
            "SELECT n, ts_rank(to_tsvector('simple', repeat('x ', n)), to_tsquery('simple', 'x'))"
            " FROM generate_series(1, 256) AS n"
        )
        _POSITIONS.update((value, n) for n, value in table)


def walk_relevance(ranks: Sequence[int], per_word: Sequence[Sequence[float]]) -> list[int]:
    """`relevance` of `_walked`'s rows from their rank and per-word ts_rank columns: the
    same integers as `relevance_of` of their words. ts_rank (ts_rank_or in PostgreSQL) of
    one word is a sum over its positions that only their count changes, so the server's own
    values for 1 to 256 positions (the most a vector keeps; `exact` rows have them all)
    give the count back. Counting the positions on the server instead (setweight, ts_filter
    and the vector's text per row) was 20 of the walk's 45 ms for a common word."""
    counts = [[_POSITIONS[value] for value in column] for column in per_word]
    found = [sum(row) for row in zip(*counts, strict=True)] if counts else [0] * len(ranks)
    return [
        rank if rank >= 0 else count * 10_000 // -rank
        for rank, count in zip(ranks, found, strict=True)
    ]


def _newest_and_share(
    session: Session, kind: DocumentKind, words: list[str], internal: bool, walk: bool
) -> tuple[int, float]:
    """The share of the newest PROBE documents of the kind holding every word: words common
    one by one can be rare together (商标 冷库 年货 节: 16% each, 0.2% all four), which
    neither the planner nor its statistics of the vector tell. `walk`: read from
    search_walk's narrow rows (tickets, every word)."""
    newest = (
        select(WALK.c.all_tsv.label("vector")).order_by(WALK.c.id.desc()).limit(PROBE).subquery()
        if walk
        else select(_vector(internal).label("vector"))
        .where(SearchDocument.kind == kind)
        .order_by(SearchDocument.id.desc())
        .limit(PROBE)
        .subquery()
    )
    held = func.ts_match_vq(newest.c.vector, _query(words, " & "))
    # With the newest document's id, in one statement (one round trip less per search).
    found = select(func.count()).where(held).scalar_subquery()
    last = select(func.max(SearchDocument.id)).scalar_subquery()
    newest_id, count = session.execute(select(last, found)).one()
    return newest_id or 0, count / PROBE


def searched_words(internal: bool) -> ColumnElement[Any]:
    """The words a search looks in: the public ones, and with `internal` the notes' too."""
    words: ColumnElement[Any] = SearchDocument.public_words.expression
    if internal:
        words = SearchDocument.public_words.op("||")(literal_column("' '")).op("||")(
            SearchDocument.internal_words
        )
    return words


def words_read(internal: bool, ranked: bool = True) -> ColumnElement[Any]:
    """The column `words` of a capped read: the searched words when the matches are to be
    ranked (`relevance_of`), else NULL. Ordered by date, the 10,001 texts were a fifth of
    SQLite's read (11 of 36 ms of CPU for a common word at 1,000,000 tickets, decoding them
    to str included; bench/search_1m.py) for nothing."""
    return (searched_words(internal) if ranked else null()).label("words")


def padded_words_read(internal: bool, ranked: bool = True) -> ColumnElement[Any]:
    """SQLite: `words_read` as bytes between two spaces (" w1 w2 ", UTF-8, as stored), for
    `relevance_of_padded`. Decoding 10,001 texts to str was 7 of the three-word staff
    search's 24 ms of fetch, padding them in Python 3 more (bench/search_1m.py)."""
    if not ranked:
        return null().label("words")
    padded = literal(" ").op("||")(searched_words(internal)).op("||")(literal(" "))
    return cast(padded, LargeBinary).label("words")


RELEVANCE_MAX = 10_000  # `relevance` when every word of a document is an asked one


def relevance(words: list[str], internal: bool) -> ColumnElement[Any]:
    """Occurrences of the asked words per 10,000 words of the document, in integer arithmetic
    both databases do alike. Spaces are doubled first so that repeats next to each other
    (" 担保 担保 ") are each counted by replace()."""
    stored = searched_words(internal)
    padded = literal(" ").op("||")(func.replace(stored, " ", "  ")).op("||")(literal(" "))
    found: ColumnElement[Any] = literal(0)
    for n, word in enumerate(words):
        needle: ColumnElement[str] = bindparam(f"relevance_{n}", f" {word} ")
        removed = func.length(padded) - func.length(func.replace(padded, needle, ""))
        found = found + removed.self_group().op("/")(len(word) + 2).self_group()
    total = func.length(stored) - func.length(func.replace(stored, " ", "")) + 1
    # A plain "/": integers divide to an integer on both (SQLAlchemy's `//` adds FLOOR(),
    # which SQLite may lack).
    return (found * 10_000).self_group().op("/")(total.self_group())


def relevance_of(stored: list[str], words: list[str]) -> list[int]:
    """`relevance` in Python, for rows read with their words (`searched_words`): the same
    integers (the same integer division; everything is non-negative). Computing it in SQL
    for the CAP rows of a common word was 44 of a search's 66 ms of SQLite CPU.

    A word's occurrences are counted as " word " in " text ", which misses a repeat right
    after another (their space is shared); only then are the spaces doubled, as `relevance`
    does for every row: copying each text twice over was half this function's time
    (bench/search_1m.py)."""
    needles = [(f" {word} ", f" {word} {word} ") for word in words]
    ranks = []
    for s in stored:
        padded = f" {s} "
        found = 0
        for needle, repeated in needles:
            count = padded.count(needle)
            if count and repeated in padded:
                count = (" " + s.replace(" ", "  ") + " ").count(needle)
            found += count
        ranks.append(found * 10_000 // (s.count(" ") + 1))
    return ranks


def relevance_of_padded(padded: Sequence[bytes | None], words: list[str]) -> list[int]:
    """`relevance_of` of texts read by `padded_words_read` (" text " as UTF-8 bytes, or None
    for no text): the same integers. Counting " word " in the bytes counts what counting it
    in the str does (UTF-8: a character's bytes never start inside another's). Each count
    runs over every text in C (map), not in a Python loop per text and word. A repeat right
    after another (" word word ") is looked for in all the texts joined at once; only texts
    holding one are counted again with their spaces doubled, as `relevance_of` does."""
    texts = [text or b"  " for text in padded]  # 0.3 ms for 10,001
    # The texts' word counts: relevance's spaces + 1 of each text without its two pads.
    totals = map(bytes.count, texts, repeat(b" "))
    found: list[int] = [0] * len(texts)
    joined = b"\n".join(texts)  # no space across a joint: no repeat made of two texts
    for word in words:
        needle = f" {word} ".encode()
        counts = list(map(bytes.count, texts, repeat(needle)))
        repeated = f" {word} {word} ".encode()
        if repeated in joined:
            held = map(bytes.__contains__, texts, repeat(repeated))
            for n in compress(range(len(texts)), held):
                counts[n] = texts[n].replace(b" ", b"  ").count(needle)
        found = list(map(add, found, counts))
    return [count * 10_000 // (spaces - 1) for count, spaces in zip(found, totals, strict=True)]


def _scanned(kind: DocumentKind, words: list[str], internal: bool, any_word: bool) -> Select[Any]:
    """The documents of a small kind (guides: hundreds) read one by one, not through the
    full-text index, which they share with a million tickets: an OR of common words there
    walks the tickets' postings too (2.4 s per suggestion at 1,000,000 tickets, against a
    few ms reading the guides; bench/search_1m.py). The same SQL on both backends."""
    padded = literal(" ").op("||")(searched_words(internal)).op("||")(literal(" "))
    held = [padded.like(f"% {word} %") for word in words]  # words hold no % or _
    rank = relevance(words, internal)
    if any_word:
        # The more of the typed words a guide holds, the better, whatever its length:
        # relevance alone put a two-line guide holding 材料 twice before the loan guide
        # holding 融资, 贷款 and 材料. Relevance (at most 10,000) orders guides holding
        # as many.
        count = sum((case((h, 1), else_=0) for h in held), literal(0))
        rank = (count * (RELEVANCE_MAX + 1)).self_group() + rank
    return select(SearchDocument.ref_id, rank.label("rank")).where(
        SearchDocument.kind == kind, or_(*held) if any_word else and_(*held)
    )


def newest_in_scope(
    kind: DocumentKind,
    words: list[str],
    internal: bool,
    scope: str,
    limit: int,
    columns: Sequence[ColumnElement[Any]] = (),
    ranked: bool = True,
) -> Select[Any]:
    """SQLite: `newest_matching` within one scope's documents, `scope` being one of the words
    migration 0029 indexes in the column scope_words (o<organisation id>, e<enterprise id>).
    FTS5 intersects the scope's list with the words' itself, newest first, and stops at
    `limit`: only the scope's matches are read, where looking each of the organisation's
    documents up in every match read all of them (200,000 for a common word). The caller
    still applies the scope in SQL (permissions.scope_ticket_documents)."""
    expression = _expression(words, internal, False, scope)
    return (
        _sqlite(kind, words, internal, False, padded_words_read(internal, ranked), expression)
        .add_columns(*columns)
        .order_by(FTS.c.rowid.desc())
        .limit(limit)
    )


def _expression(words: list[str], internal: bool, any_word: bool, scope: str = "") -> str:
    """The FTS5 query. The words' columns are named even for internal searches: the third
    column (scope_words, 0029) holds o12/e5 words that a search for "o12" must not find."""
    phrase = (" OR " if any_word else " ").join(f'"{word}"' for word in words)
    columns = "{public_words internal_words}" if internal else "{public_words}"
    matched = f"{columns} : ({phrase})"
    return f'{{scope_words}} : "{scope}" AND {matched}' if scope else matched


def _sqlite(
    kind: DocumentKind,
    words: list[str],
    internal: bool,
    any_word: bool,
    second: ColumnElement[Any] | None = None,
    expression: str = "",
) -> Select[Any]:
    expression = expression or _expression(words, internal, any_word)
    rank = relevance(words, internal).label("rank") if second is None else second
    stmt: Select[Any] = (
        select(SearchDocument.ref_id, rank)
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
    """The stored vector (0025): reading it instead of to_tsvector(words) per row saves
    segmenting every document the planner looks at (1.0-1.5 s per staff search before)."""
    return literal_column("search_document.all_tsv" if internal else "search_document.public_tsv")


def _query(words: list[str], joiner: str) -> ColumnElement[Any]:
    return func.to_tsquery(SIMPLE, joiner.join(f"'{word}'" for word in words))


def _postgresql(
    kind: DocumentKind, words: list[str], internal: bool, any_word: bool
) -> Select[Any]:
    query = _query(words, " | " if any_word else " & ")
    return select(SearchDocument.ref_id, relevance(words, internal).label("rank")).where(
        _vector(internal).op("@@")(query), SearchDocument.kind == kind
    )
