"""Versions of the reference data the hot path caches in-process (issue 17 item 2).

Organisations, people, the service catalogue, the business calendar's entered years, the
API tokens and the published YAML documents (routing rules, IVR scripts, SLA policies) change
rarely, but every request reads some of them. Each cache here (the routing
directory, `directory.queries.reference`, `sla.calendar_store`, the bearer-token check) keeps
what it built together with the version of its kinds it was built from, and rebuilds when
`current(session)` says another.

A kind's version is read from the rows themselves, not from a counter the writers must
remember to bump: every ORM update of an organisation, a person, a catalogue entry or an
entered year bumps the row's `version` column (their concurrent-edit check), and a token's
revocation moves the count of revoked tokens. So an edit made anywhere (another web process, a
CLI command, a bulk Core UPDATE that bumps `version`) moves the version, and no writer can
forget to.

All kinds are read in one SELECT, at most once every CHECK_EVERY (0.5) seconds per database
and process (about 0.08 ms of CPU on SQLite: twice a second costs nothing, and a rules version
published in one process is routed by in another within the 2 s issue 13 asks, compile
included): this is the documented bound for a change made in another process (an organisation
suspended in process A is skipped by routing in process B, a token revoked in A is refused by
B, within CHECK_EVERY). The process that makes a change calls `forget()`: every cache here
rebuilds at its next look (a local generation is part of every version), and the versions are
read again.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from sqlalchemy import case, func, inspect, literal, literal_column, select
from sqlalchemy.orm import Session, make_transient_to_detached
from sqlalchemy.orm.attributes import instance_state

from helpdesk.auth.models import ApiToken, User
from helpdesk.directory.models import Organisation, ServiceCategory
from helpdesk.sla.models import CalendarYear
from helpdesk.webhooks.models import Webhook
from helpdesk.yamldocs.models import DocumentVersion

T = TypeVar("T")
CHECK_EVERY = 0.5  # seconds: how stale another process's change can be here
Version = tuple[int, ...]
DOCUMENT_KINDS = ("rules", "ivr", "sla")  # helpdesk.yamldocs: the order of "documents"

# The tests move this clock (never sleep) to cross CHECK_EVERY.
monotonic: Callable[[], float] = time.monotonic


# Constants written into the statement, not bound: with no parameter PostgreSQL plans the
# prepared statement once (a generic plan); bound, it planned it again on each of the first
# five runs on each pooled connection, 0.53 ms a time (bench/api_create.py --log-statements).
_ZERO: Any = literal_column("0")
_ONE: Any = literal_column("1")


def _size_and_edits(table: Any) -> list[Any]:
    return [
        select(func.count(table.id)).scalar_subquery(),
        select(func.coalesce(func.max(table.id), _ZERO)).scalar_subquery(),
        select(func.coalesce(func.sum(table.version), _ZERO)).scalar_subquery(),
    ]


# Built once: building a statement costs more than SQLite takes to run it.
_KINDS: dict[str, list[Any]] = {
    "organisations": _size_and_edits(Organisation),
    "users": _size_and_edits(User),
    "catalogue": [
        select(func.count(ServiceCategory.code)).scalar_subquery(),
        select(func.coalesce(func.sum(ServiceCategory.version), _ZERO)).scalar_subquery(),
    ],
    "calendar": [
        select(func.count(CalendarYear.year)).scalar_subquery(),
        select(func.coalesce(func.sum(CalendarYear.version), _ZERO)).scalar_subquery(),
    ],
    "tokens": [
        select(func.count(ApiToken.id)).scalar_subquery(),
        select(
            func.coalesce(func.sum(case((ApiToken.revoked, _ONE), else_=_ZERO)), _ZERO)
        ).scalar_subquery(),
    ],
    # how many subscriptions send: none, and the outbox dispatcher skips its webhook step (its
    # read and commit per batch); one subscribed in another process is sent within CHECK_EVERY
    "webhooks": [select(func.count(Webhook.id)).where(Webhook.active.is_(True)).scalar_subquery()],
    # the newest published number of each YAML document (0: none); rows are only inserted, so
    # the number names the version (helpdesk.yamldocs.published reads its files once)
    "documents": [
        select(func.coalesce(func.max(DocumentVersion.number), _ZERO))
        # rendered into the SQL like _ZERO (no parameter), but quoted by SQLAlchemy
        .where(DocumentVersion.kind == literal(kind, literal_execute=True))
        .scalar_subquery()
        for kind in DOCUMENT_KINDS
    ],
}
_ALL = select(*(column for columns in _KINDS.values() for column in columns))

_read: dict[Any, tuple[float, dict[str, Version]]] = {}
_generation = [0]  # moved by forget(): this process's own changes, seen at once


_DATABASE = "helpdesk.reference_database"


def database(session: Session) -> Any:
    """The key of this session's database for caches kept per database: the engine itself
    (rendering its URL as text, as the caches once did, cost more than their whole look-up).
    Kept in the session's info: a new ticket asked about 30 times, and Flask-SQLAlchemy's
    get_bind looks through its engines each time (3 % of the request's CPU)."""
    info = session.info
    found = info.get(_DATABASE)
    if found is None:
        found = info[_DATABASE] = session.get_bind().engine
    return found


def current(session: Session) -> dict[str, Version]:
    """{kind: version} of this session's database, read at most every CHECK_EVERY seconds."""
    key = database(session)
    now = monotonic()
    seen = _read.get(key)
    if seen is not None and now - seen[0] < CHECK_EVERY:
        return seen[1]
    row = iter(int(v or 0) for v in session.execute(_ALL).one())
    versions = {kind: tuple(next(row) for _ in columns) for kind, columns in _KINDS.items()}
    _read[key] = (now, versions)
    return versions


def of(session: Session, *kinds: str) -> Version:
    """The version of `kinds` together, for a cache built from all of them."""
    versions = current(session)
    return (_generation[0], *(v for kind in kinds for v in versions[kind]))


def generation() -> int:
    """Moved by every forget(): a cache keyed by it starts afresh (the tests empty the
    database between runs, so a number may come back with other rows)."""
    return _generation[0]


def reread() -> None:
    """Read the versions again at the next look, without rebuilding the caches whose kinds did
    not move (this process published a YAML document)."""
    _read.clear()


def forget() -> None:
    """This process changed reference data: every cache rebuilds at its next look."""
    _read.clear()
    _generation[0] += 1


# Rows kept by get(): (database, model, id) -> (version of their kinds, the row's columns).
_rows: dict[tuple[Any, type, Any], tuple[Version, dict[str, Any]]] = {}
ROWS_KEPT = 2000


def get(session: Session, model: type[T], ident: Any, *kinds: str) -> T | None:
    """`session.get(model, ident)` without a query while `kinds` keep their version: a person
    (the bearer token's user, kind "users") or an organisation (kind "organisations") is read
    on every request and rarely changes. The row comes into the session as if just loaded (no
    SQL), from the columns read when the version was this one, so it is as fresh as the caches
    above (this process's changes at once, another's within CHECK_EVERY); one the session
    holds already is answered as it stands, as session.get would. Its relationships load on
    demand as usual; one it holds expired (after a commit) takes the kept columns, no SQL."""
    key = (database(session), model, ident)
    version = of(session, *kinds)
    kept = _rows.get(key)
    if kept is not None and kept[0] == version:
        held = session.identity_map.get(session.identity_key(model, ident))
        if held is None:
            return _attach(session, model, kept[1])
        if not instance_state(held).expired_attributes:
            return cast(T, held)
        return session.merge(_detached(model, kept[1]), load=False)
    row = session.get(model, ident)
    if row is None:
        return None
    if len(_rows) >= ROWS_KEPT:
        _rows.clear()
    _rows[key] = (version, {a.key: getattr(row, a.key) for a in inspect(model).column_attrs})
    return row


def _attach(session: Session, model: type[T], values: dict[str, Any]) -> T:
    """A new instance with these columns, in the session as if loaded. What merge(load=False)
    of a detached copy did, without its cascade walk and attribute-by-attribute copy (3 % of a
    new ticket's CPU, for the token's user and the organisation)."""
    row = _detached(model, values)
    session.add(row)
    return row


def _detached(model: type[T], values: dict[str, Any]) -> T:
    row = cast(T, inspect(model).class_manager.new_instance())
    instance_state(row).dict.update(values)
    make_transient_to_detached(row)
    return row
