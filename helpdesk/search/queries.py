"""Search: the question checked, the backend's matches scoped by the permission module (one
statement, at most CAP rows with their facet columns), then filtered, counted per facet,
ordered and paged from those rows in hand, and given snippets.

Scope comes first: every count (the total and each facet) is over tickets the person may see,
so a provider never learns how many of another organisation's tickets hold a word. Internal
notes are searched only for those the permission module lets read them.
"""

from __future__ import annotations

import gc
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import compress
from typing import Any

from markupsafe import Markup
from sqlalchemy import String, case, func, literal_column, select, type_coerce
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session, joinedload

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import Role, User
from helpdesk.db import stored
from helpdesk.directory.models import Enterprise
from helpdesk.kb import queries as kb_queries
from helpdesk.search import backends, stream
from helpdesk.search.inputs import PERIODS, SearchRequest
from helpdesk.search.models import DocumentKind, SearchDocument
from helpdesk.search.snippets import mark, snippet
from helpdesk.tickets.models import Comment, Ticket

# Facet name -> the column of the ticket's search document it counts (copies of the ticket's,
# search/index.py; platform and period are derived, see below): the capped matches come with
# their facets from the documents alone, no look-up of each in `ticket`.
FACET_COLUMNS: dict[str, Any] = {
    "type": SearchDocument.type,
    "status": SearchDocument.status,
    "channel": SearchDocument.channel,
    "category": SearchDocument.category_code,
    "district": SearchDocument.district_code,
    "organisation": SearchDocument.organisation_id,
}
# The facet columns as read: several facets of few values each packed into one text per match
# ("closed|request|phone"), counted once and split once per distinct text (a few hundred),
# not one str and one Counter pass per facet and match: 10,001 rows of six facets were about
# a fifth of a staff search's CPU on SQLite (bench/search_1m.py).
FACET_GROUPS: dict[str, tuple[str, ...]] = {
    "kind": ("status", "type", "channel"),
    "place": ("category", "district"),
    "organisation": ("organisation",),
}
SEPARATOR = "|"  # in no status, type, channel, service or district code
_IN_GROUP = {
    name: (group, n) for group, names in FACET_GROUPS.items() for n, name in enumerate(names)
}
# The most matches a search reads. A common word matches a fifth of a million tickets; reading
# them all (to rank or count them) took 0.8-1 s of CPU per statement at 1,000,000 tickets
# (bench/search_1m.py), and the page and each facet count used to re-run it: 12 statements,
# 13-27 s. Now the full-text match runs once, newest documents first in the index's own order
# (no sort of every match), at most CAP + 1 rows; the page, the total and every facet count
# come from those rows. Above CAP they are counts among the newest CAP matches, shown as
# approximate (约 10,000+).
CAP = 10_000
FACETS = ("type", "status", "channel", "platform", "category", "district", "organisation", "period")


@dataclass
class TicketHit:
    ticket: Ticket
    subject: Markup
    snippet: Markup | None


@dataclass
class EnterpriseHit:
    enterprise: Enterprise
    name: Markup


@dataclass
class Results:
    words: list[str]
    total: int
    tickets: list[TicketHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    enterprises: list[EnterpriseHit] = field(default_factory=list)
    enterprise_total: int = 0
    articles: list[Any] = field(default_factory=list)  # kb.queries.ArticleHit
    article_total: int = 0
    # More than CAP tickets matched: total and facet counts are among the newest CAP only.
    approximate: bool = False
    cap: int = CAP


def period_start(period: str, now: datetime | None = None) -> datetime:
    """Tickets created since then belong to the period (today: since local midnight)."""
    now = now or clock.now()
    if period == "today":
        local = now.astimezone(clock.HANGZHOU)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=PERIODS[period])


def _skipped(name: str) -> frozenset[str]:
    """The filters not applied when counting facet `name`: its own (and for the service
    facet, the platform's too, so that choosing a platform still lists its services)."""
    return frozenset({name, "platform"}) if name == "category" else frozenset({name})


@dataclass
class _Matches:
    """A batch of the matched tickets as columns (facet name -> one value per ticket), as
    the one statement's rows arrive (stream.py). Values are the database's own (enum values
    as stored, not Enum objects; created_at as the backend returns it, which orders
    correctly): turning 10,000 rows into objects cost more than the match itself."""

    ids: Sequence[int]
    # The words read for relevance: PostgreSQL's text (backends.words_read), SQLite's padded
    # bytes (backends.padded_words_read).
    texts: Sequence[str | bytes | None]
    ranks: Sequence[int] | None  # or search_walk's rank columns (backends.walk_relevance)
    per_word: Sequence[Sequence[float]]
    created: Sequence[Any]
    columns: dict[str, Sequence[Any]]  # platform: counted from the services (_count)
    since: dict[str, Sequence[int]]  # period -> 1 where the ticket was created in it


@dataclass
class _Kept:
    """What a search keeps of its capped matches, added a batch at a time as the rows
    arrive (stream.py): ids and created times to order and page them, the positions
    passing every filter with their relevance, and each facet's counts."""

    ids: list[int] = field(default_factory=list)
    created: list[Any] = field(default_factory=list)
    kept: list[int] = field(default_factory=list)  # positions in ids
    ranks: dict[int, int] = field(default_factory=dict)  # position -> relevance; by date none
    tallies: dict[str, Counter[Any]] = field(default_factory=dict)  # facet -> value -> count

    def add(self, found: _Matches, request: SearchRequest) -> None:
        at = len(self.ids)
        passes = _passes(found, request)
        kept = _eligible(len(found.ids), list(passes.values()))
        if at:
            kept = [at + n for n in kept]
        if request.order != "date":
            # Relevance from the words read (the same integer as backends.relevance), of the
            # matches passing the filters only: a filter keeps 224 of 3,000 (bench).
            if found.ranks is not None:
                ranks = backends.walk_relevance(
                    [found.ranks[n - at] for n in kept],
                    [[column[n - at] for n in kept] for column in found.per_word],
                )
                self.ranks.update(zip(kept, ranks, strict=True))
            else:
                every = len(kept) == len(found.ids)  # no filter, or none that left one out
                texts = found.texts if every else [found.texts[n - at] for n in kept]
                if texts and isinstance(texts[0], bytes):  # SQLite's
                    ranks = backends.relevance_of_padded(texts, request.words)  # type: ignore[arg-type]
                else:
                    ranks = backends.relevance_of([t or "" for t in texts], request.words)  # type: ignore[misc]
                self.ranks.update(zip(kept, ranks, strict=True))
        self.kept += kept
        self.ids += found.ids
        self.created += found.created
        for name, counted in _tally(found, passes).items():
            self.tallies.setdefault(name, Counter()).update(counted)


def _matches(session: Session, user: User, request: SearchRequest) -> tuple[_Kept, bool]:
    """The newest CAP tickets this person may see that hold the words, and whether there
    were more: one read of the documents, which carry the tickets' facets and scope."""
    internal = permissions.can_see_internal(user)
    ranked = request.order != "date"  # the words are read only to rank the matches
    connection = session.connection()
    sqlite = connection.dialect.name == "sqlite"
    columns: list[Any] = [
        type_coerce(SearchDocument.created_at, String()).label("created"),
        *(_read(names).label(f"facet_{group}") for group, names in FACET_GROUPS.items()),
    ]
    if not sqlite:  # SQLite's are compared in Python, from `created` (_since_stored)
        columns += [
            case((SearchDocument.created_at >= period_start(p), 1), else_=0).label(f"since_{p}")
            for p in PERIODS
        ]
    if permissions.sees_all_tickets(user):
        # From the full-text index, newest first in its own order: stops after CAP + 1.
        # No scope to apply (sees_all_tickets), so the newest CAP + 1 matches are the rows.
        parts = backends.newest_matching(
            session, DocumentKind.TICKET, request.words, internal, CAP + 1, columns, ranked
        )
    elif scope := _scope_words(session, user):
        # SQLite: FTS5 gives the scope's matches only, newest first (migration 0029); the
        # scope again in SQL, as for everyone.
        stmt = backends.newest_in_scope(
            DocumentKind.TICKET, request.words, internal, scope, CAP + 1, columns, ranked
        )
        parts = [permissions.scope_ticket_documents(stmt, user)]
    else:
        # The person's own documents holding the words (PostgreSQL: the organisation's matches
        # from one btree_gin index, migration 0028), newest first.
        held = backends.held_by(session, DocumentKind.TICKET, request.words, internal)
        read = backends.padded_words_read if sqlite else backends.words_read
        stmt = select(SearchDocument.ref_id, read(internal, ranked), *columns).where(
            SearchDocument.kind == DocumentKind.TICKET, held
        )
        stmt = permissions.scope_ticket_documents(stmt, user).order_by(SearchDocument.id.desc())
        parts = [stmt.limit(CAP + 1)]
    # Core, not the ORM: these are plain columns, and the ORM's per-row work on 10,001 rows
    # cost more than SQLite's (bench/search_1m.py).
    if connection.dialect.name == "postgresql":
        # psycopg prepares a statement run five times, and PostgreSQL then plans it once for
        # any words: that plan, blind to how many tickets hold them, took 2.6-4.7 s where a
        # plan for the words asked took 0.27-0.38 s (a provider's search, 1,000,000 tickets,
        # bench/search_1m.py). Until the transaction ends: the request's, or the CLI's
        # (set_config's `true`: SET LOCAL). JIT off: the statement's estimated cost set it
        # compiling (22-25 ms of a two-word search's server CPU) for a run of 0.1-0.2 s.
        # work_mem: at the default 4 MB the bitmap of the newest documents' matches went
        # lossy (19,931 rows rechecked) and the CAP rows were sorted on disk.
        connection.exec_driver_sql(
            "SELECT set_config('plan_cache_mode', 'force_custom_plan', true),"
            " set_config('jit', 'off', true), set_config('work_mem', '32MB', true)"
        )
    # Each batch turned into columns, filtered, ranked and counted as it arrives: on
    # PostgreSQL while the server still walks and sends the next (stream.py).
    seen, found = 0, _Kept()
    for part in parts:  # newest first; each part older than the one before
        if seen > CAP:
            break
        ranked_there = "rank" in part.selected_columns  # search_walk's (backends._walked)
        if ranked_there:
            backends.read_positions(connection)
        for rows in stream.batches(connection, part.limit(CAP + 1 - seen) if seen else part):
            counted = rows[: max(0, CAP - seen)]  # the row after the CAP only tells "more"
            seen += len(rows)
            if counted:
                matches = _columns(counted, len(columns), connection.dialect, ranked_there)
                found.add(matches, request)
    return found, seen > CAP


def _read(names: tuple[str, ...]) -> Any:
    """The column of a facet group (FACET_GROUPS): the facet's own, or the texts of several
    joined by SEPARATOR (a missing one as nothing, `_part` gives None back)."""
    if len(names) == 1:
        return FACET_COLUMNS[names[0]]
    parts = [func.coalesce(FACET_COLUMNS[name], literal_column("''")) for name in names]
    packed: Any = parts[0]
    for part in parts[1:]:
        packed = packed.op("||")(literal_column(f"'{SEPARATOR}'")).op("||")(part)
    return type_coerce(packed, String())


def _part(value: Any, group: str, n: int) -> Any:
    """Facet n of a group's value as read (`_read`)."""
    if len(FACET_GROUPS[group]) == 1:
        return value
    return value.split(SEPARATOR)[n] or None


def _columns(rows: Sequence[Any], width: int, dialect: Dialect, ranked_there: bool) -> _Matches:
    """Rows (ref_id, words or rank, *columns) as columns."""
    read: list[Any] = list(zip(*rows, strict=True)) or [() for _ in range(width + 2)]
    named = {group: read[3 + n] for n, group in enumerate(FACET_GROUPS)}
    flags = read[3 + len(FACET_GROUPS) : 2 + width]
    since = (
        _since_stored(dialect, read[2])
        if dialect.name == "sqlite"
        else {p: flags[n] for n, p in enumerate(PERIODS)}
    )
    texts, ranks = ((), read[1]) if ranked_there else (read[1], None)
    per_word = read[2 + width :]  # search_walk's ts_rank per word (backends._walked)
    return _Matches(read[0], texts, ranks, per_word, read[2], named, since)


def _since_stored(dialect: Dialect, created: Sequence[str | None]) -> dict[str, Sequence[int]]:
    """SQLite: per period, which of these tickets were created in it, `created` being the
    stored text: compared, as SQLite compares it (text, byte by byte), with each period's start
    in the same storage format. Four CASE columns in the statement cost SQLite 4-5 ms of CPU
    per 10,001 rows, these comparisons about 2 (bench/search_1m.py)."""
    stored = SearchDocument.created_at.type.dialect_impl(dialect).bind_processor(dialect)
    assert stored is not None  # UTCDateTime's, then SQLite's text format
    since: dict[str, Sequence[int]] = {}
    missing = None in created
    for p in PERIODS:
        start = stored(period_start(p))
        # start <= c through map, in C (0.4 against 0.8 ms per period); None has no order.
        since[p] = (
            [c is not None and c >= start for c in created]
            if missing
            else list(map(start.__le__, created))
        )
    return since


def _scope_words(session: Session, user: User) -> str:
    """SQLite: the word its full-text index holds for the tickets this person may see
    (migration 0029: o<organisation id>, e<enterprise id>), or "" for none (staff see all;
    PostgreSQL scopes with its own index)."""
    if session.get_bind().dialect.name == "postgresql" or user.is_staff:
        return ""
    if user.role is Role.PROVIDER and user.organisation_id is not None:
        return f"o{user.organisation_id}"
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        return f"e{user.enterprise_id}"
    return ""


def _passes(found: _Matches, request: SearchRequest) -> dict[str, list[bool]]:
    """Per filter asked, which matches pass it."""
    passes: dict[str, list[bool]] = {}
    for name, wanted in request.filters.items():
        if name == "period":
            passes[name] = [bool(flag) for flag in found.since[wanted]]
            continue
        group, n = _IN_GROUP["category" if name == "platform" else name]
        column = found.columns[group]
        # Decided once per distinct value of the group's column, then looked up per match.
        if name == "platform":
            ok = {v: _part(v, group, n).split("/", 1)[0] == wanted for v in set(column)}
        else:
            value = wanted if name == "organisation" else str(stored(wanted))
            ok = {v: _part(v, group, n) == value for v in set(column)}
        passes[name] = list(map(ok.__getitem__, column))
    return passes


def _eligible(count: int, passes: list[list[bool]]) -> list[int]:
    """The positions passing all of these filters."""
    if not passes:
        return list(range(count))
    # compress and map in C: a comprehension calling all() per match was 12% of a provider's
    # filtered search (cProfile, 1,000,000 tickets).
    passing: Iterable[bool] = passes[0] if len(passes) == 1 else map(all, zip(*passes, strict=True))
    return list(compress(range(count), passing))


def _tally(found: _Matches, passes: dict[str, list[bool]]) -> dict[str, Counter[Any]]:
    """Every facet's counts among these matches, each with the other facets' filters
    (platform: per service, `_facets` adds them up)."""
    tallies: dict[str, Counter[Any]] = {}
    # Facets whose counts apply the same filters share their positions (no filter: all).
    shared: dict[frozenset[str], list[int]] = {}
    counted: dict[tuple[str, frozenset[str]], Counter[Any]] = {}  # per group and filters
    for name in FACETS:
        applied = frozenset(passes) - _skipped(name)
        if applied not in shared:
            shared[applied] = _eligible(len(found.ids), [passes[f] for f in applied])
        at = shared[applied]
        if name == "period":
            every = len(at) == len(found.ids)
            tallies[name] = Counter(
                {
                    p: sum(flags if every else map(flags.__getitem__, at))
                    for p, flags in found.since.items()
                }
            )
            continue
        group, n = _IN_GROUP["category" if name == "platform" else name]
        whole = counted.get((group, applied))
        if whole is None:
            values = found.columns[group]
            every = len(at) == len(values)
            whole = counted[(group, applied)] = Counter(
                values if every else map(values.__getitem__, at)
            )
        if len(FACET_GROUPS[group]) == 1:
            tallies[name] = whole
            continue
        tallies[name] = Counter()
        for value, count in whole.items():
            tallies[name][_part(value, group, n)] += count
    return tallies


def _facets(tallies: dict[str, Counter[Any]]) -> dict[str, list[tuple[str, int]]]:
    """Each facet's values, most matches first."""
    facets: dict[str, list[tuple[str, int]]] = {}
    for name in FACETS:
        counted = tallies.get(name, Counter())
        if name == "period":  # in PERIODS' order
            facets[name] = [(p, c) for p, c in counted.items() if c]
            continue
        if name == "platform":  # from the services' counts: a few dozen splits, not 10,000
            platforms: Counter[Any] = Counter()
            for code, c in counted.items():
                platforms[code.split("/", 1)[0]] += c
            counted = platforms
        counts = {str(v): c for v, c in counted.items() if v is not None}
        facets[name] = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return facets


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector off while the CAP rows are read and counted: they
    are tens of thousands of new objects with no cycles among them, and the collections
    they set off took 25-30 ms of a search's 85-120 ms of CPU (bench/search_1m.py). Back on
    after, as it was."""
    was_on = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_on:
            gc.enable()


def _counted_and_paged(
    session: Session, user: User, request: SearchRequest
) -> tuple[Results, list[int]]:
    """The total and facet counts, and the page's ticket ids, from the capped matches. A
    function of its own so that the CAP rows are gone (freed as it returns) before the
    collector resumes: left alive, its first pass after walked their columns, 2 ms per
    search and up to 54 ms on a loaded machine (bench/search_1m.py)."""
    found, approximate = _matches(session, user, request)
    kept = found.kept
    total = len(kept)
    # Only the matches that can be on the page or before it are ordered: those at least as
    # relevant (as new, by date) as the page's last. The order (relevance, created_at, id)
    # has no ties (ids are unique), so theirs is the same as among all the matches.
    shown = request.offset + request.limit
    if total > shown:
        key = found.created if request.order == "date" else found.ranks
        least = sorted(map(key.__getitem__, kept))[total - shown]
        kept = [n for n in kept if key[n] >= least]
    # Newest first (created_at, then id), then, for relevance, the most relevant first:
    # sorts by one key each, which keep the order of the one before among equals (no
    # tuple built per match). Ties (the same integer relevance, backends.relevance) go
    # to the newest: both backends give the same order.
    kept.sort(key=found.ids.__getitem__, reverse=True)
    kept.sort(key=found.created.__getitem__, reverse=True)
    if request.order != "date":
        kept.sort(key=found.ranks.__getitem__, reverse=True)
    results = Results(
        words=request.words,
        total=total,
        approximate=approximate,
        cap=CAP,
        facets=_facets(found.tallies),
    )
    return results, [found.ids[n] for n in kept[request.offset : request.offset + request.limit]]


def search(session: Session, user: User, request: SearchRequest) -> Results:
    with _collector_paused():
        results, ids = _counted_and_paged(session, user, request)
    loaded = (
        session.scalars(
            select(Ticket)
            .where(Ticket.id.in_(ids))
            # Joined, not a SELECT per relation: one statement for the page's twenty tickets
            # (4.4 -> 2.6 ms of SQLite CPU per search, bench/search_1m.py).
            .options(
                joinedload(Ticket.category),
                joinedload(Ticket.district),
                joinedload(Ticket.enterprise),
                joinedload(Ticket.assigned_org),
            )
        ).all()
        if ids
        else []
    )
    by_id = {t.id: t for t in loaded}
    page = [by_id[i] for i in ids if i in by_id]
    results.tickets = _hits(session, user, page, request.words)
    results.enterprises, results.enterprise_total = _enterprises(session, user, request)
    # Service guides: published ones the person may read (internal ones for staff).
    results.articles, results.article_total = kb_queries.search(session, user, request.words)
    return results


def _hits(session: Session, user: User, tickets: list[Ticket], words: list[str]) -> list[TicketHit]:
    """Each ticket with its subject marked and a snippet from text this person may read."""
    ids = [t.id for t in tickets]
    stmt = select(Comment).where(Comment.ticket_id.in_(ids)).order_by(Comment.id)
    if not permissions.can_see_internal(user):
        stmt = stmt.where(Comment.internal.is_(False))
    bodies: dict[int, list[str]] = {}
    for comment in session.scalars(stmt) if ids else []:
        bodies.setdefault(comment.ticket_id, []).append(comment.body)
    return [
        TicketHit(
            ticket,
            mark(ticket.subject, words),
            snippet([ticket.description, *bodies.get(ticket.id, [])], words),
        )
        for ticket in tickets
    ]


ENTERPRISE_PAGE = 5


def _enterprises(
    session: Session, user: User, request: SearchRequest
) -> tuple[list[EnterpriseHit], int]:
    """Enterprises for staff (all) and an enterprise's users (their own); nothing for others."""
    if not permissions.can_search_enterprises(user):
        return [], 0
    held = backends.held_by(session, DocumentKind.ENTERPRISE, request.words, False)
    rank = backends.relevance(request.words, False)
    # The total beside the first few in one statement (a window count), not a second match.
    stmt = (
        select(Enterprise, func.count().over().label("total"))
        .join(
            SearchDocument,
            (SearchDocument.kind == DocumentKind.ENTERPRISE)
            & (SearchDocument.ref_id == Enterprise.id),
        )
        .where(held)
    )
    if not permissions.can_list_enterprises(user):
        stmt = stmt.where(Enterprise.id == user.enterprise_id)
    rows = session.execute(
        stmt.order_by(rank.desc(), Enterprise.id.desc()).limit(ENTERPRISE_PAGE)
    ).all()
    total = rows[0].total if rows else 0
    return [EnterpriseHit(row[0], mark(row[0].name, request.words)) for row in rows], total
