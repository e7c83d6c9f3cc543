"""The sweep: live calls whose PBX never sent a hang-up are ended after HELPDESK_CALL_STALE_MINUTES
with no event, so no ghost stays on the wallboard or the phone console for ever.

It runs at each worker's maintenance (every minute) and as an RQ job (`run`). A swept call's
cause says so (models.SWEPT), and its ticket, if it has one, gets an internal note. Before that,
queued calls whose ticket a web process left to make (later.py) get it.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.channels.phone import later, service
from helpdesk.channels.phone.models import SWEPT, CallRecord, CallStatus
from helpdesk.errors import DomainError
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)
BATCH = 200  # calls per transaction; a backlog is worked through in several


def sweep(session: Session, max_age: timedelta) -> list[str]:
    """End the live calls with no event for `max_age`; their call ids. Commits per batch."""
    swept: list[str] = []
    while True:
        cutoff = clock.now() - max_age
        stale = list(
            session.scalars(
                select(CallRecord)
                .where(
                    CallRecord.status.in_([CallStatus.RINGING, CallStatus.ANSWERED]),
                    CallRecord.updated_at < cutoff,
                )
                .order_by(CallRecord.id)
                .limit(BATCH)
            )
        )
        if not stale:
            return swept
        for record in stale:
            quiet = clock.now() - record.updated_at
            service.hang_up(session, record, SWEPT)
            _note_on_ticket(session, record, quiet)
            swept.append(record.call_id)
        session.commit()
        log.warning("swept %d calls with no hang-up from the PBX", len(stale))


def _note_on_ticket(session: Session, record: CallRecord, quiet: timedelta) -> None:
    ticket = session.get(Ticket, record.ticket_id) if record.ticket_id else None
    if ticket is None:
        return
    minutes = int(quiet.total_seconds() // 60)
    text = (
        f"通话 {record.call_id} 在 {minutes} 分钟内没有收到交换机的挂机事件，系统已将其结束。\n"
        f"Call {record.call_id}: no hang-up from the PBX for {minutes} minutes; "
        "ended by the helpdesk."
    )
    try:
        with session.begin_nested():
            tickets.comment(session, None, ticket, text, internal=True)
    except DomainError as exc:  # a closed ticket takes no note; the call ends all the same
        log.info("call %s: no note on ticket %s: %s", record.call_id, ticket.number, exc)


def run() -> list[str]:
    """The RQ job: sweep with the app's configured age."""
    from helpdesk.channels.phone.config import phone_config
    from helpdesk.extensions import db

    minutes = phone_config().stale_call_minutes
    later.make_pending(db.session())  # tickets a dead web process left to make
    return sweep(db.session(), timedelta(minutes=minutes))
