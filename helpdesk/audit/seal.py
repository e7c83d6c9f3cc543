"""Sealing: chain the ticket events not yet sealed, in id order, then write a checkpoint.

Only events older than `GRACE` are sealed: on PostgreSQL a transaction can commit an event with a
lower id after a higher one is visible, and sealing past it would leave a hole that `verify`
reports as an insertion. Ticket transactions are short; two seconds covers them.
Two sealers at once cannot both win: `seq` is the primary key, the loser's insert fails and it
retries on its next run.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.audit import chain, twin
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.models import AuditRecord
from helpdesk.tickets.models import TicketEvent

GRACE = timedelta(seconds=2)
BATCH = 5000


@dataclass(frozen=True)
class SealResult:
    sealed: int
    head_seq: int
    head_hash: str


def event_rows(session: Session, after_id: int, before: object, limit: int) -> list[chain.EventRow]:
    t = TicketEvent.__table__
    stmt = (
        select(t.c.id, t.c.ticket_id, t.c.kind, t.c.actor_id, t.c.at, t.c.from_status,
               t.c.to_status, t.c.data, t.c.internal, t.c.state)
        .where(t.c.id > after_id)
        .order_by(t.c.id)
        .limit(limit)
    )  # fmt: skip
    if before is not None:
        stmt = stmt.where(t.c.at <= before)
    return [chain.EventRow(*row) for row in session.execute(stmt)]  # type: ignore[call-arg]


@dataclass(frozen=True)
class Ledger:
    """A chain that `seal_ledger` seals: the ticket events' (`TICKETS`) or the operations
    log's (helpdesk.oplog.seal)."""

    table: Any  # the sealed records' model: AuditRecord, AdminSeal
    ref: Any  # its column naming the row each record seals
    name: str  # the chain's mark in the checkpoint file
    # (session, after id, at most n): rows to seal in id order, each with `.id` and `.at`
    rows: Callable[[Session, int, int], Sequence[Any]]
    record: Callable[[Any, chain.Digest], str]  # a row's canonical record
    columns: Callable[[Any], dict[str, object]] = lambda row: {}  # more columns from the row


TICKETS = Ledger(
    AuditRecord,
    AuditRecord.event_id,
    chain.TICKETS,
    lambda session, after_id, limit: event_rows(session, after_id, None, limit),
    chain.record_of,
    lambda event: {"ticket_id": event.ticket_id},
)


def head(session: Session, ledger: Ledger = TICKETS) -> tuple[int, str, int]:
    """The last sealed record's seq, hash and row id (0, GENESIS, 0 before the first)."""
    table = ledger.table
    row = session.execute(
        select(table.seq, table.hash, ledger.ref).order_by(table.seq.desc()).limit(1)
    ).first()
    return (row[0], row[1], row[2]) if row else (0, chain.GENESIS, 0)


def chain_identity(session: Session, ledger: Ledger = TICKETS) -> str | None:
    """The hash of the first sealed record: which chain its checkpoints belong to."""
    table = ledger.table
    return session.scalar(select(table.hash).where(table.seq == 1))


def seal(
    session: Session, files: AuditFiles, batch: int = BATCH, limit: int | None = None
) -> SealResult:
    """Seal every sealable ticket event (in batches, one commit each); checkpoint the head."""
    return seal_ledger(session, files, TICKETS, batch, limit)


def seal_ledger(
    session: Session,
    files: AuditFiles,
    ledger: Ledger,
    batch: int = BATCH,
    limit: int | None = None,
) -> SealResult:
    """Seal the ledger's sealable rows (in batches, one commit each); checkpoint the head."""
    digest = chain.pii_digester(files.key)
    total = 0
    seq, head_hash, last_id = head(session, ledger)
    while limit is None or total < limit:
        cutoff = clock.now() - GRACE
        fetched = ledger.rows(session, last_id, batch)
        # a gapless prefix in id order: stop at the first row still inside the grace period
        rows = list(itertools.takewhile(partial(_sealable, cutoff), fetched))
        if not rows:
            break
        sealed = chain.seal(rows, seq, head_hash, digest, record=ledger.record)
        now = clock.now()
        session.execute(
            insert(ledger.table),
            [
                {
                    "seq": s.seq,
                    ledger.ref.key: s.event_id,
                    "record": s.record,
                    "prev_hash": s.prev_hash,
                    "hash": s.hash,
                    "sealed_at": now,
                    **ledger.columns(row),
                }
                for s, row in zip(sealed, rows, strict=True)
            ],
        )
        session.commit()
        total += len(sealed)
        seq, head_hash, last_id = sealed[-1].seq, sealed[-1].hash, sealed[-1].event_id
        if len(rows) < len(fetched) or len(fetched) < batch:
            break
    session.commit()
    if total:
        at = clock.now().isoformat(timespec="seconds")
        identity = chain_identity(session, ledger) or ""
        twin.save(session, files, seq, head_hash, at, ledger.name, identity)
        session.commit()
    return SealResult(total, seq, head_hash)


def _sealable(cutoff: datetime, row: Any) -> bool:
    return row.at <= cutoff


def sealed_rows(
    session: Session, table: Any, ref: Any, batch: int = BATCH
) -> Iterator[chain.Sealed]:
    """A sealed chain's rows in order (`table`: AuditRecord or the admin log's AdminSeal, `ref`
    its column naming what each record seals), read a batch at a time by seq."""
    last = 0
    while True:
        rows = session.execute(
            select(table.seq, ref, table.record, table.prev_hash, table.hash)
            .where(table.seq > last)
            .order_by(table.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        for row in rows:
            yield chain.Sealed(*row)
        last = rows[-1].seq
