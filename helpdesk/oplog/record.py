"""Writing an admin change: one row, in the same transaction as the change itself."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.oplog.models import AdminChange


def record_change(
    session: Session,
    actor: Any,
    kind: str,
    target_type: str,
    target_id: int,
    target_label: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> AdminChange:
    """`actor` is the signed-in user, or a string naming a CLI caller ("cli:root")."""
    if isinstance(actor, str):
        actor_id, actor_login = None, actor
    else:
        actor_id, actor_login = actor.id, actor.login
    change = AdminChange(
        at=clock.now(),
        actor_id=actor_id,
        actor_login=actor_login[:64],
        kind=kind,
        target_type=target_type,
        target_id=target_id,
        target_label=target_label[:64],
        before=before,
        after=after,
    )
    session.add(change)
    return change


def changed_fields(
    before: dict[str, Any], after: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Only the fields that differ, so the log says what changed and nothing else."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
