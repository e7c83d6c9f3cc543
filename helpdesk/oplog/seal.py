"""Sealing and verifying the operations log's chain, the way audit.seal does ticket events.

Only changes older than audit.seal.GRACE are sealed, for the same reason (a transaction can
commit a lower id after a higher one is visible on PostgreSQL).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.audit import chain, twin
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import BATCH, GRACE, sealed_rows
from helpdesk.oplog.models import AdminChange, AdminSeal

CHAIN = "admin"  # its checkpoints' mark in the shared checkpoint file


@dataclass(frozen=True)
class ChangeRow:
    id: int
    at: datetime
    actor_id: int | None
    actor_login: str
    kind: str
    target_type: str
    target_id: int
    target_label: str
    before: dict[str, Any] | None
    after: dict[str, Any] | None


def record_of(change: ChangeRow, digest: chain.Digest) -> str:
    return chain.canonical(
        {
            "change": change.id,
            "at": change.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": change.actor_id,
            "actor_login": change.actor_login,
            "kind": change.kind,
            "target": [change.target_type, change.target_id, change.target_label],
            "before": chain.redact(change.before, digest),
            "after": chain.redact(change.after, digest),
        }
    )


def change_rows(session: Session, after_id: int, limit: int) -> list[ChangeRow]:
    t = AdminChange.__table__
    stmt = (
        select(t.c.id, t.c.at, t.c.actor_id, t.c.actor_login, t.c.kind, t.c.target_type,
               t.c.target_id, t.c.target_label, t.c.before, t.c.after)
        .where(t.c.id > after_id)
        .order_by(t.c.id)
        .limit(limit)
    )  # fmt: skip
    return [ChangeRow(*row) for row in session.execute(stmt)]  # type: ignore[call-arg]


def _sealable(cutoff: datetime, change: ChangeRow) -> bool:
    return change.at <= cutoff


def _head(session: Session) -> tuple[int, str, int]:
    row = session.execute(
        select(AdminSeal.seq, AdminSeal.hash, AdminSeal.change_id)
        .order_by(AdminSeal.seq.desc())
        .limit(1)
    ).first()
    return (row.seq, row.hash, row.change_id) if row else (0, chain.GENESIS, 0)


def seal_changes(session: Session, files: AuditFiles) -> int:
    """Seal every sealable change, then checkpoint the head; how many were sealed."""
    digest = chain.pii_digester(files.key)
    seq, head_hash, change_id = _head(session)
    total = 0
    while True:
        cutoff = clock.now() - GRACE
        fetched = change_rows(session, change_id, BATCH)
        changes = list(itertools.takewhile(partial(_sealable, cutoff), fetched))
        if not changes:
            break
        records = [record_of(c, digest) for c in changes]
        sealed = chain.seal(changes, seq, head_hash, digest, record=record_of)  # type: ignore[arg-type]
        now = clock.now()
        session.execute(
            insert(AdminSeal),
            [
                {"seq": s.seq, "change_id": s.event_id, "record": r, "prev_hash": s.prev_hash,
                 "hash": s.hash, "sealed_at": now}
                for s, r in zip(sealed, records, strict=True)
            ],
        )  # fmt: skip
        session.commit()
        total += len(sealed)
        seq, head_hash, change_id = sealed[-1].seq, sealed[-1].hash, sealed[-1].event_id
        if len(changes) < len(fetched) or len(fetched) < BATCH:
            break
    session.commit()
    if total:
        at = clock.now().isoformat(timespec="seconds")
        twin.save(session, files, seq, head_hash, at, CHAIN, chain_identity(session) or "")
        session.commit()
    return total


def chain_identity(session: Session) -> str | None:
    """The hash of the log's first sealed record: which chain its checkpoints belong to."""
    return session.scalar(select(AdminSeal.hash).where(AdminSeal.seq == 1))


def _changes(session: Session) -> Iterator[ChangeRow]:
    last = 0
    while True:
        rows = change_rows(session, last, BATCH)
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify_changes(
    session: Session, files: AuditFiles, checkpoints: list[chain.Checkpoint]
) -> tuple[list[chain.Problem], int]:
    """The operations log's chain checked like the ticket chain: problems, records checked.
    `checkpoints`: this log's, from the file and the database (helpdesk.audit.twin)."""
    digest = chain.pii_digester(files.key)
    return chain.verify(
        sealed_rows(session, AdminSeal, AdminSeal.change_id),
        _changes(session),
        digest,
        checkpoints,
        record=record_of,
    )
