"""Sealing: chain the ticket events not yet sealed, in id order, then write a checkpoint.

Only events older than `GRACE` are sealed: on PostgreSQL a transaction can commit an event with a
lower id after a higher one is visible, and sealing past it would leave a hole that `verify`
reports as an insertion. Ticket transactions are short; two seconds covers them.
Two sealers at once cannot both win: `seq` is the primary key, the loser's insert fails and it
retries on its next run.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
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


def head(session: Session) -> tuple[int, str, int]:
    row = session.execute(
        select(AuditRecord.seq, AuditRecord.hash, AuditRecord.event_id)
        .order_by(AuditRecord.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash, row.event_id) if row else (0, chain.GENESIS, 0)


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


def _sealable(cutoff: datetime, event: chain.EventRow) -> bool:
    return event.at <= cutoff


def seal(
    session: Session, files: AuditFiles, batch: int = BATCH, limit: int | None = None
) -> SealResult:
    """Seal everything sealable (in batches, one commit each); checkpoint the final head."""
    digest = chain.pii_digester(files.key)
    total = 0
    seq, head_hash, event_id = head(session)
    while limit is None or total < limit:
        cutoff = clock.now() - GRACE
        fetched = event_rows(session, event_id, None, batch)
        # a gapless prefix in id order: stop at the first event still inside the grace period
        events = list(itertools.takewhile(partial(_sealable, cutoff), fetched))
        if not events:
            break
        sealed = chain.seal(events, seq, head_hash, digest)
        now = clock.now()
        session.execute(
            insert(AuditRecord),
            [
                {
                    "seq": s.seq,
                    "event_id": s.event_id,
                    "ticket_id": e.ticket_id,
                    "record": s.record,
                    "prev_hash": s.prev_hash,
                    "hash": s.hash,
                    "sealed_at": now,
                }
                for s, e in zip(sealed, events, strict=True)
            ],
        )
        session.commit()
        total += len(sealed)
        seq, head_hash, event_id = sealed[-1].seq, sealed[-1].hash, sealed[-1].event_id
        if len(events) < len(fetched) or len(fetched) < batch:
            break
    session.commit()
    if total:
        chain_id = session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 1)) or ""
        at = clock.now().isoformat(timespec="seconds")
        twin.save(session, files, seq, head_hash, at, chain.TICKETS, chain_id)
        session.commit()
    return SealResult(total, seq, head_hash)


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
