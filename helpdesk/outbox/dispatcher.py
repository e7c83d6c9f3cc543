"""Claims committed outbox entries in batches and does their effects once (see the package doc).

A batch: claim up to BATCH free entries (one UPDATE, committed), read what the effects need
(the tickets' summaries and next timers, in a query each), end that read, talk to Redis (the
fan-out emits, one pipeline of timer bookings, one seal request), then delete the entries. If
the process dies before the delete, the claim's lease runs out and another dispatcher does the
batch again: effects are idempotent (a console keeps the newest version of a ticket, a timer's
job id is its stage and due time, a seal request is skipped while one waits). If Redis is
unreachable (a connection error or time-out), the claim is given back and the next wake or poll
tries again. Any other error (Redis refusing one ticket's command, a WRONGTYPE key, a bug in an
effect) comes from some change's content and would come again at every try: the batch is then
done again one ticket at a time (its changes together, in order, consoles not told twice), each
ticket that succeeds is finished, and a failing ticket's entries keep their claim until its
lease ends (logged at ERROR, retried then; nothing lost, the rows stay), so one bad change does
not stall every later one.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta

from flask import Flask, has_app_context
from redis.exceptions import ConnectionError as RedisUnreachable
from redis.exceptions import TimeoutError as RedisTimedOut
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import Session

from helpdesk.extensions import db
from helpdesk.outbox.models import OutboxEntry
from helpdesk.tickets.changes import TicketChange

log = logging.getLogger(__name__)

BATCH = 200
LEASE = timedelta(seconds=30)
POLL_SECONDS = 5.0  # a background dispatcher looks even when nobody woke it
# After a wake, how long a background dispatcher lets the loop's ready requests run first
# (their commits join the batch): at most this, so a never idle loop still gets its consoles told.
GATHER_SECONDS = 0.005
# Only when its last batch ended this recently (a burst): a trickle (a console's few updates a
# second) is claimed at its wake as before (bench/console_fanout.py's p99 rose with the gather).
GATHER_AFTER_SECONDS = 0.05


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _free(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxEntry.claimed_until.is_(None), OutboxEntry.claimed_until < now)


# The claimed entry's id (to keep the order), then what TicketChange needs.
_CHANGE_COLUMNS = (
    OutboxEntry.id,
    OutboxEntry.ticket_id,
    OutboxEntry.number,
    OutboxEntry.version,
    OutboxEntry.kind,
    OutboxEntry.organisation_id,
    OutboxEntry.assignee_id,
    OutboxEntry.enterprise_id,
)


def claim(session: Session, size: int = BATCH) -> tuple[str, list[TicketChange]]:
    """Claim up to `size` free entries, oldest first; returns the claim's token and changes."""
    token, now = secrets.token_hex(8), _wall_clock()
    oldest = session.scalars(
        select(OutboxEntry.id).where(_free(now)).order_by(OutboxEntry.id).limit(size)
    ).all()
    if not oldest:  # the common poll: a read, no write transaction
        return token, []
    # The free test again: on PostgreSQL a concurrent claimer of the same rows waits for the
    # first one's commit, re-checks it and skips them. RETURNING gives the claimed rows in the
    # same statement (no read after the commit before the consoles are told).
    rows = session.execute(
        update(OutboxEntry)
        .where(OutboxEntry.id.in_(oldest), _free(now))
        .values(claim=token, claimed_until=now + LEASE)
        .returning(*_CHANGE_COLUMNS)
        .execution_options(synchronize_session=False)
    ).all()
    session.commit()
    changes = [
        TicketChange(ticket_id, number, version, kind, org_id, assignee_id, enterprise_id)
        for _, ticket_id, number, version, kind, org_id, assignee_id, enterprise_id in sorted(
            rows, key=lambda row: row[0]
        )
    ]
    return token, changes


# Redis not answering (TimeoutError is not a ConnectionError in redis-py): the batch waits.
UNREACHABLE = (RedisUnreachable, RedisTimedOut)


def finish(session: Session, token: str, ticket_ids: list[int] | None = None) -> None:
    """Delete the claim's entries (of `ticket_ids` only, when given): their effects are done."""
    done = delete(OutboxEntry).where(OutboxEntry.claim == token)
    if ticket_ids is not None:
        done = done.where(OutboxEntry.ticket_id.in_(ticket_ids))
    session.execute(done)
    session.commit()


def release(session: Session, token: str, ticket_ids: list[int] | None = None) -> None:
    """Give a claim back at once (the next wake or poll retries it), not at its lease's end;
    only the entries of `ticket_ids` when given."""
    given_back = update(OutboxEntry).where(OutboxEntry.claim == token)
    if ticket_ids is not None:
        given_back = given_back.where(OutboxEntry.ticket_id.in_(ticket_ids))
    session.execute(
        given_back.values(claim=None, claimed_until=None).execution_options(
            synchronize_session=False
        )
    )
    session.commit()


def dispatch_batch(size: int = BATCH) -> int:
    """One batch, in the app context; returns how many entries it dispatched."""
    return _dispatch_batch(size)[1]


def _dispatch_batch(size: int) -> tuple[int, int]:
    """(entries handled, entries dispatched) of one batch: handled is dispatched, or left
    claimed until its lease ends (a failing ticket's), not given back for Redis."""
    from helpdesk.outbox import effects

    with Session(db.engine) as session:
        token, changes = claim(session, size)
        if not changes:
            session.rollback()
            return 0, 0
        try:
            effects.apply(session, changes)
        except UNREACHABLE as exc:
            log.warning("outbox: %d change(s) wait for Redis (%s)", len(changes), exc)
            session.rollback()
            release(session, token)
            return 0, 0
        except Exception as exc:
            log.warning("outbox: a batch failed (%s); its tickets one at a time", _said(exc))
            session.rollback()
            return _by_ticket(session, token, changes)
        finish(session, token)
    return len(changes), len(changes)


def _by_ticket(session: Session, token: str, changes: list[TicketChange]) -> tuple[int, int]:
    """The failed batch again, a ticket at a time; returns (handled, dispatched) as above.
    A failing ticket's entries keep the claim until its lease ends (retried then, not now)."""
    from helpdesk.outbox import effects

    tickets: dict[int, list[TicketChange]] = {}
    for change in changes:
        tickets.setdefault(change.ticket_id, []).append(change)
    done: list[int] = []
    failed: list[tuple[str, Exception]] = []
    waiting: list[int] = []  # Redis went away meanwhile: given back, as for a whole batch
    for ticket_id, own in tickets.items():
        if waiting:
            waiting.append(ticket_id)
            continue
        try:
            effects.apply(session, own, announce=False)  # the batch's try told the consoles
            done.append(ticket_id)
        except UNREACHABLE as exc:
            log.warning("outbox: changes wait for Redis (%s)", exc)
            waiting.append(ticket_id)
        except Exception as exc:
            failed.append((own[0].number, exc))
        session.rollback()
    if failed:
        log.error(
            "outbox: the changes of ticket(s) %s failed, kept until their claim's lease ends: %s",
            ", ".join(number for number, _ in failed),
            "; ".join(f"{number}: {_said(exc)}" for number, exc in failed),
            exc_info=failed[0][1],
        )
    if waiting:
        release(session, token, waiting)
    if done:
        finish(session, token, done)
    given_back = sum(len(tickets[ticket_id]) for ticket_id in waiting)
    return len(changes) - given_back, sum(len(tickets[ticket_id]) for ticket_id in done)


def _said(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"


def dispatch_all(size: int = BATCH) -> int:
    """Batches until none is left (or Redis is unreachable); returns how many entries were
    done. A failing ticket's entries keep their claim, so the next batch takes later ones."""
    return sum(dispatched for _handled, dispatched in _batches(size))


def _batches(size: int) -> Iterator[tuple[int, int]]:
    """Each batch's (handled, dispatched), until one handles less than a full batch."""
    while True:
        handled, dispatched = _dispatch_batch(size)
        yield handled, dispatched
        if handled < size:
            return


class _Background:
    """A web process's dispatcher: a greenlet woken by commits, polling in between."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self.wanted = threading.Event()  # gevent's Event once the process is patched
        self.batches = 0  # dispatched so far (tests/sla/test_outbox_web_batches.py)
        self.last_done = float("-inf")  # time.monotonic() at the end of the last dispatch

    def run(self) -> None:
        from helpdesk.runner.idle import OFFERS, when_idle

        while True:
            self.wanted.wait(POLL_SECONDS)
            # A burst (the last batch just ended) commits one after another on this loop: let those
            # already running reach their commit, so that it is one batch (a claim, three reads,
            # a pipeline, a delete) rather than one per ticket. Their wakes are this batch's.
            if time.monotonic() - self.last_done < GATHER_AFTER_SECONDS:
                when_idle(GATHER_SECONDS, OFFERS)
            self.wanted.clear()
            try:
                with self.app.app_context():
                    for handled, _dispatched in _batches(BATCH):
                        if handled:
                            self.batches += 1
            except Exception:
                log.exception("outbox dispatch failed; retrying at the next wake or poll")
            self.last_done = time.monotonic()


_background: _Background | None = None
# Inside `held()`: commits only note that entries wait (None outside it).
_held: ContextVar[list[bool] | None] = ContextVar("outbox_held", default=None)


@contextmanager
def held() -> Iterator[None]:
    """Commits inside the block leave their entries for one dispatch when it ends, in batches.

    For a process that commits many changes in a row with no background dispatcher (a worker
    catching up on due timers): dispatching after each commit cost three more commits per
    change, more than half of each timer's time (profiled: 38 of 69 ms)."""
    wanted: list[bool] = []
    token = _held.set(wanted)
    try:
        yield
    finally:
        _held.reset(token)
        if wanted:
            wake()


def start_background(app: Flask) -> None:
    """Dispatch in a background task of this (web) process instead of after each commit."""
    from helpdesk.extensions import socketio

    global _background
    if _background is None:
        _background = _Background(app)
        socketio.start_background_task(_background.run)


def wake() -> None:
    """After a commit that wrote entries: tell the background dispatcher, or dispatch now."""
    waiting = _held.get()
    if waiting is not None:
        waiting.append(True)
    elif _background is not None:
        _background.wanted.set()
    elif has_app_context():
        try:
            dispatch_all()
        except Exception:  # the change is committed; the entries wait for the next dispatcher
            log.exception("outbox dispatch after commit failed; the entries are kept")
