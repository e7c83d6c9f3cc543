"""Reading the operations log: the 操作记录 page's filters, and one record's history."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.clock import HANGZHOU
from helpdesk.oplog.models import AdminChange, AdminSeal


@dataclass
class Found:
    changes: list[AdminChange] = field(default_factory=list)
    sealed: set[int] = field(default_factory=set)  # ids already in the hash chain
    errors: dict[str, str] = field(default_factory=dict)  # filter field -> message
    next_before: int | None = None  # keyset: the next page's changes have smaller ids


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        return None


def _start(day: date) -> datetime:
    """Midnight in Hangzhou: the dates staff type are their own."""
    return datetime.combine(day, time(), HANGZHOU)


def search(
    session: Session,
    kind: str = "",
    actor: str = "",
    target: str = "",
    since: str = "",
    until: str = "",
    before_id: int | None = None,
    limit: int = 50,
) -> Found:
    found = Found()
    stmt = select(AdminChange).order_by(AdminChange.id.desc())
    if kind:
        stmt = stmt.where(AdminChange.kind == kind)
    if actor.strip():
        stmt = stmt.where(func.lower(AdminChange.actor_login) == actor.strip().lower())
    if target.strip():
        stmt = stmt.where(func.lower(AdminChange.target_label) == target.strip().lower())
    first = _day(since) if since.strip() else None
    last = _day(until) if until.strip() else None
    if since.strip() and first is None:
        found.errors["since"] = _("A date like 2026-12-01.")
    if until.strip() and last is None:
        found.errors["until"] = _("A date like 2026-12-01.")
    if first is not None and last is not None and last < first:
        # said beside 截止, as the statistics page says it (helpdesk.stats.period)
        found.errors["until"] = _("The period ends before it starts.")
    if first is not None:
        stmt = stmt.where(AdminChange.at >= _start(first))
    if last is not None:
        stmt = stmt.where(AdminChange.at < _start(last + timedelta(days=1)))
    if found.errors:
        return found
    if before_id is not None:
        stmt = stmt.where(AdminChange.id < before_id)
    rows = session.scalars(stmt.limit(limit + 1)).all()
    found.changes = list(rows[:limit])
    if len(rows) > limit:
        found.next_before = found.changes[-1].id
    found.sealed = _sealed(session, [c.id for c in found.changes])
    return found


def for_target(session: Session, target_type: str, target_id: int, limit: int = 20) -> Found:
    rows = session.scalars(
        select(AdminChange)
        .where(AdminChange.target_type == target_type, AdminChange.target_id == target_id)
        .order_by(AdminChange.id.desc())
        .limit(limit)
    ).all()
    return Found(list(rows), _sealed(session, [c.id for c in rows]))


def _sealed(session: Session, ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(session.scalars(select(AdminSeal.change_id).where(AdminSeal.change_id.in_(ids))))


def target_names(session: Session, changes: list[AdminChange]) -> dict[tuple[str, int], str]:
    """What people call each change's record (an organisation's name, a person's name, an
    enterprise's name), where the log keeps a code: one query per kind of record on the page."""
    from helpdesk.auth.models import User
    from helpdesk.directory.models import Enterprise, Organisation

    columns = {
        "organisation": (Organisation.id, Organisation.name),
        "user": (User.id, User.name),
        "enterprise": (Enterprise.id, Enterprise.name),
    }
    names: dict[tuple[str, int], str] = {}
    for target_type, (id_column, name_column) in columns.items():
        ids = {c.target_id for c in changes if c.target_type == target_type}
        if ids:
            rows = session.execute(select(id_column, name_column).where(id_column.in_(ids)))
            names.update({(target_type, row[0]): row[1] for row in rows})
    return names
