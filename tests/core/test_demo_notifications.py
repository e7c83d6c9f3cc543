"""The demo's history does not greet the supervisor with hundreds of unread notifications:
the SLA steps its 30 days made due are fired at the time they fell due while seeding, and all
but the newest few per person are read (they were, back then)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.demo import KEEP_UNREAD, seed_demo
from helpdesk.notifications import service as notifications
from helpdesk.notifications.models import Notification
from helpdesk.sla.models import SlaStage
from helpdesk.sla.timers import next_timers


def test_the_supervisor_meets_a_few_unread_notifications(session: Session) -> None:
    seed_demo(session, tickets=120)
    session.commit()
    supervisor = session.scalars(select(User).where(User.login == "supervisor")).one()
    everything = session.scalar(
        select(func.count()).select_from(Notification).where(Notification.user_id == supervisor.id)
    )
    unread = notifications.unread_count(session, supervisor.id)
    assert everything and everything > 50  # the history did escalate to them
    assert 0 < unread <= KEEP_UNREAD <= 10
    # the unread ones are the newest; nothing left due for the first worker to fire at once
    newest = session.scalars(
        select(Notification.read_at)
        .where(Notification.user_id == supervisor.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(unread)
    ).all()
    assert newest == [None] * unread
    now = clock.now()
    assert not [at for _id, at in next_timers(session) if at <= now]
    assert session.scalar(
        select(func.count()).select_from(SlaStage).where(SlaStage.state == "fired")
    )
