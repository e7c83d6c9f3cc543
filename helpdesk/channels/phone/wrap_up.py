"""话后整理 (after-call work) timed per call, for the agent assessment (issue 14 item 4).

Presence puts an agent who hung up into after-call work (helpdesk.realtime.presence,
reason "call_ended"). It ends when they press 完成整理 or choose another state on the console,
or by itself after HELPDESK_AFTER_CALL_SECONDS; then the seconds since the hang-up are written
on their newest answered call that has none yet (capped at that limit).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.channels.phone.models import CallRecord
from helpdesk.realtime import presence

log = logging.getLogger(__name__)
NO_LIMIT_WINDOW = timedelta(hours=8)  # with no limit: a wrap-up longer than a shift is not one
SLACK = timedelta(minutes=5)  # the timeout is noticed a little after the limit


def finish(
    session: Session, user_id: int, limit_seconds: int, now: datetime | None = None
) -> CallRecord | None:
    """Write the wrap-up time on the agent's newest ended call without one; the call, or None
    when there is none recent enough to be this wrap-up's. The caller commits."""
    now = now or clock.now()
    window = timedelta(seconds=limit_seconds) if limit_seconds > 0 else NO_LIMIT_WINDOW
    call = session.scalars(
        select(CallRecord)
        .where(
            CallRecord.answered_by_id == user_id,
            CallRecord.end_at.is_not(None),
            CallRecord.end_at >= now - window - SLACK,
            CallRecord.wrap_up_seconds.is_(None),
        )
        .order_by(CallRecord.end_at.desc())
        .limit(1)
    ).first()
    if call is None or call.end_at is None:
        return None
    seconds = max(0, int((now - call.end_at).total_seconds()))
    call.wrap_up_seconds = min(seconds, limit_seconds) if limit_seconds > 0 else seconds
    return call


def _record(user_ids: list[int], limit_seconds: int) -> None:
    """After the presence change: written in its own transaction; a failure is logged, never
    raised (the agent's state has already changed)."""
    from helpdesk.extensions import db

    if not user_ids:
        return
    session = db.session()
    try:
        for user_id in user_ids:
            finish(session, user_id, limit_seconds)
        session.commit()
    except Exception:
        session.rollback()
        log.exception("could not record the wrap-up time of %s", user_ids)


def chosen(user_id: int, state: str, name: str | None, limit_seconds: int) -> dict[str, Any]:
    """The console's choice (完成整理 is "available"): a wrap-up it ends is timed."""
    before = presence.get(user_id)
    wrapping = before.get("state") == presence.AFTER_CALL and before.get("reason") == "call_ended"
    after = presence.choose(user_id, state, name)
    if wrapping and after.get("state") != presence.AFTER_CALL:
        _record([user_id], limit_seconds)
    return after


def timed_out(limit_seconds: int) -> list[int]:
    """presence.end_wrap_up, and each wrap-up it ended timed (at the limit)."""
    ended = presence.end_wrap_up(limit_seconds)
    _record(ended, limit_seconds)
    return ended
