"""Due times and timer stages follow the ticket's events, in the change's own transaction."""

from __future__ import annotations

from datetime import timedelta

from helpdesk import clock
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.sla.models import PAUSED, PENDING, STOPPED, TicketSla
from helpdesk.tickets import service
from helpdesk.tickets.models import TicketType

from .conftest import MONDAY_9, stages


def local(day: int, hour: int, minute: int = 0):
    return MONDAY_9.replace(day=day, hour=hour, minute=minute).astimezone(HANGZHOU)


def new_ticket(make_ticket, centre, **fields):
    return make_ticket(
        organisation_id=centre["provider"].id, assignee_id=centre["staff"].id, **fields
    )


def test_a_new_ticket_gets_due_times_and_a_ladder(session, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    sla = session.get(TicketSla, ticket.id)
    assert (sla.policy, sla.calendar) == ("standard", "business")
    assert sla.first_response_due == local(23, 13, 0) + timedelta(minutes=90)  # 4 h, lunch skipped
    assert sla.resolution_due == local(30, 9, 0)  # 37.5 h = 5 working days later
    found = stages(session, ticket.id)
    assert found[("first_response", "warn", 0)].fire_at == local(23, 13, 42)  # 80 % of 4 h
    assert found[("first_response", "supervise", 0)].fire_at == local(23, 16, 30)  # 150 %
    assert {k[0] for k in found} == {"first_response", "resolution"}
    assert all(s.state == PENDING for s in found.values())


def test_complaints_get_the_stricter_policy(session, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre, type=TicketType.COMPLAINT)
    sla = session.get(TicketSla, ticket.id)
    assert sla.policy == "complaint"
    assert sla.first_response_due == local(23, 10, 0)


def test_accepting_stops_the_first_response_ladder(session, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    clock.advance(timedelta(minutes=30))
    service.accept(session, centre["staff"], ticket)
    session.commit()
    found = stages(session, ticket.id)
    assert {s.state for k, s in found.items() if k[0] == "first_response"} == {STOPPED}
    assert found[("next_update", "warn", 1)].state == PENDING
    assert session.get(TicketSla, ticket.id).responded


def test_pending_pauses_and_resuming_adds_exactly_the_paused_business_time(
    session, make_ticket, centre, monday
):
    ticket = new_ticket(make_ticket, centre)
    service.accept(session, centre["staff"], ticket)
    session.commit()
    before = session.get(TicketSla, ticket.id).resolution_due
    clock.advance(timedelta(hours=1))  # 10:00
    service.pend(session, centre["staff"], ticket, "需要企业补充营业执照")
    session.commit()
    sla = session.get(TicketSla, ticket.id)
    assert sla.paused_at is not None and sla.resolution_due is None
    assert {s.state for s in stages(session, ticket.id).values()} == {STOPPED, PAUSED}
    clock.advance(timedelta(hours=6))  # 16:00: 4.5 h of business time paused (lunch excluded)
    service.resume(session, centre["staff"], ticket)
    session.commit()
    sla = session.get(TicketSla, ticket.id)
    assert sla.paused_seconds == 4.5 * 3600
    assert before == local(30, 9, 0)
    assert sla.resolution_due == local(30, 15, 0)  # 4.5 working hours later, lunch skipped
    assert stages(session, ticket.id)[("resolution", "warn", 0)].state == PENDING


def test_closing_stops_every_timer(session, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    service.accept(session, centre["staff"], ticket)
    service.resolve(session, centre["staff"], ticket, "已办结")
    service.close(session, centre["staff"], ticket)
    session.commit()
    assert {s.state for s in stages(session, ticket.id).values()} == {STOPPED}


def _publish(session, actor, old: str, new: str) -> None:
    """A policies version with one line changed, stored as the console stores it."""
    from helpdesk.sla import policy_store
    from helpdesk.sla.holidays import sla_folder

    text = (sla_folder() / "policies.yaml").read_text(encoding="utf-8")
    assert old in text
    policy_store.save(session, actor, text.replace(old, new, 1), sla_folder(), {}, {}, None)
    session.commit()


def _pend_for_six_hours(session, centre, ticket):
    service.accept(session, centre["staff"], ticket)
    session.commit()
    clock.advance(timedelta(hours=1))  # 10:00
    service.pend(session, centre["staff"], ticket, "需要企业补充营业执照")
    session.commit()
    clock.advance(timedelta(hours=6))  # 16:00: 4.5 h of business time
    return session.get(TicketSla, ticket.id)


def test_a_policy_that_does_not_pause_on_pended_keeps_counting(
    session, make_ticket, centre, monday
):
    older = new_ticket(make_ticket, centre)  # planned under the shipped file: pauses
    _publish(session, centre["supervisor"], "    resolution: 5d\n",
             "    resolution: 5d\n    pause_when: [resolved]\n")  # fmt: skip
    ticket = new_ticket(make_ticket, centre)
    sla = _pend_for_six_hours(session, centre, ticket)
    assert sla.paused_at is None and sla.resolution_due == local(30, 9, 0)  # still due
    assert stages(session, ticket.id)[("resolution", "warn", 0)].state == PENDING
    service.resume(session, centre["staff"], ticket)
    session.commit()
    sla = session.get(TicketSla, ticket.id)
    assert sla.paused_seconds == 0 and sla.resolution_due == local(30, 9, 0)  # nothing added

    clock.freeze(MONDAY_9)
    sla = _pend_for_six_hours(session, centre, older)
    assert sla.paused_at is not None and sla.resolution_due is None  # its own version: paused


def test_the_default_pause_rule_is_the_old_one(session, make_ticket, centre, monday):
    ticket = new_ticket(make_ticket, centre)
    sla = _pend_for_six_hours(session, centre, ticket)
    assert sla.paused_at is not None and sla.resolution_due is None
    service.resume(session, centre["staff"], ticket)
    session.commit()
    assert session.get(TicketSla, ticket.id).resolution_due == local(30, 15, 0)
