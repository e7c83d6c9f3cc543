"""`helpdesk audit verify`: recompute the chain from the database and check the checkpoints."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from helpdesk.audit import chain
from helpdesk.audit.checkpoints import AuditFiles, read
from helpdesk.audit.models import AuditRecord
from helpdesk.audit.seal import event_rows, sealed_rows

CHUNK = 10_000


@dataclass
class Report:
    checked: int
    problems: list[chain.Problem]
    checkpoint_errors: list[str] = field(default_factory=list)
    checkpoints: int = 0
    # the operations log's own chain (helpdesk.oplog): its problems and records checked
    admin_problems: list[chain.Problem] = field(default_factory=list)
    admin_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems and not self.checkpoint_errors and not self.admin_problems

    @property
    def first_bad(self) -> int | None:
        return self.problems[0].seq if self.problems else None


def _events(session: Session) -> Iterator[chain.EventRow]:
    last = 0
    while True:
        rows = event_rows(session, last, None, CHUNK)
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def verify(session: Session, files: AuditFiles) -> Report:
    from helpdesk.oplog.seal import verify_changes

    checkpoints, errors = read(files)
    mine = [c for c in checkpoints if c.chain == chain.TICKETS]
    digest = chain.pii_digester(files.key)
    problems, checked = chain.verify(
        sealed_rows(session, AuditRecord, AuditRecord.event_id, CHUNK),
        _events(session),
        digest,
        mine,
    )
    admin_problems, admin_checked = verify_changes(session, files)
    return Report(checked, problems, errors, len(checkpoints), admin_problems, admin_checked)
