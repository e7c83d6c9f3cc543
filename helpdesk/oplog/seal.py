"""Sealing and verifying the operations log's chain, the way audit.seal does ticket events.

Only changes older than audit.seal.GRACE are sealed, for the same reason (a transaction can
commit a lower id after a higher one is visible on PostgreSQL).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.audit import chain
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import BATCH, Ledger, seal_ledger, sealed_rows
from helpdesk.audit.seal import chain_identity as ledger_identity
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


ADMIN = Ledger(AdminSeal, AdminSeal.change_id, CHAIN, change_rows, record_of)


def seal_changes(session: Session, files: AuditFiles) -> int:
    """Seal every sealable change, then checkpoint the head; how many were sealed."""
    return seal_ledger(session, files, ADMIN).sealed


def chain_identity(session: Session) -> str | None:
    """The hash of the log's first sealed record: which chain its checkpoints belong to."""
    return ledger_identity(session, ADMIN)


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
