"""`helpdesk audit verify`: recompute the chain from the database, check the checkpoints (in
the file and their copy in the database, helpdesk.audit.twin), and replay each ticket's events
against its current row and comments (helpdesk.audit.replay)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.audit import chain, replay, twin
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
    # ticket rows and comments that differ from what their events recorded
    row_problems: list[str] = field(default_factory=list)
    replayed: int = 0  # tickets whose row was compared with their last event
    other_chain: int = 0  # checkpoints of another database's chain, set aside
    anonymised: int = 0  # records whose personal data retention erased (helpdesk.retention)

    @property
    def ok(self) -> bool:
        return not (
            self.problems or self.checkpoint_errors or self.admin_problems or self.row_problems
        )

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


def verify(session: Session, files: AuditFiles, require_checkpoints: bool = True) -> Report:
    from helpdesk.oplog.models import AdminSeal
    from helpdesk.oplog.seal import CHAIN as ADMIN
    from helpdesk.oplog.seal import chain_identity, verify_changes

    in_file, errors = read(files)
    in_database, database_errors = twin.stored(session, files)
    errors = errors + database_errors
    tickets = twin.sort_out(
        chain.TICKETS,
        session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 1)),
        session.scalar(select(func.count()).select_from(AuditRecord)) or 0,
        in_file,
        in_database,
        require_checkpoints,
    )
    admin = twin.sort_out(
        ADMIN,
        chain_identity(session),
        session.scalar(select(func.count()).select_from(AdminSeal)) or 0,
        in_file,
        in_database,
        require_checkpoints,
    )
    digest = chain.pii_digester(files.key)
    problems, checked = chain.verify(
        sealed_rows(session, AuditRecord, AuditRecord.event_id, CHUNK),
        _events(session),
        digest,
        tickets.usable,
    )
    admin_problems, admin_checked = verify_changes(session, files, admin.usable)
    row_problems, replayed = replay.check(session)
    from helpdesk.retention.models import Erasure

    anonymised = session.scalar(select(func.count()).select_from(Erasure)) or 0
    return Report(
        checked,
        problems,
        errors + tickets.problems + admin.problems,
        len(tickets.usable) + len(admin.usable),
        admin_problems,
        admin_checked,
        row_problems,
        replayed,
        tickets.other_chain + admin.other_chain,
        anonymised,
    )
