"""回访: a resolved phone ticket enters the call-back list; the agent's answers become the
ticket's rating (the same table as the portal's), each step a ticket event; a 不满意 opens the
supervisor's follow-up and offers a complaint; unrated tickets close by themselves."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import csrf_token, login, page

from helpdesk import clock
from helpdesk.loop import jobs
from helpdesk.loop.config import LoopConfig
from helpdesk.loop.models import FollowUp
from helpdesk.portal.models import TicketRating
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Status, Ticket, TicketEvent, TicketType

from .conftest import People

MONDAY_9 = datetime(2025, 3, 17, 9, 0, tzinfo=clock.HANGZHOU)


def resolved_phone_ticket(
    session: Session, make_ticket: Callable[..., Ticket], people: People, **fields: object
) -> Ticket:
    ticket = make_ticket(
        channel=fields.pop("channel", Channel.PHONE),
        contact_name="周杰",
        contact_phone="13812345678",
        organisation_id=people.provider.id,
        **fields,
    )
    service.accept(session, people.provider_staff, ticket)
    service.resolve(session, people.provider_staff, ticket, "已联系银行办理")
    session.commit()
    return ticket


def kinds(session: Session, ticket: Ticket) -> list[str]:
    return list(
        session.scalars(
            select(TicketEvent.kind)
            .where(TicketEvent.ticket_id == ticket.id)
            .order_by(TicketEvent.id)
        )
    )


def post(client: FlaskClient, url: str, data: dict[str, str], status: int = 200) -> str:
    token = csrf_token(page(client, "/followups"))
    response = client.post(url, data={"csrf_token": token, **data}, follow_redirects=True)
    assert response.status_code == status
    return response.get_data(as_text=True)


def test_phone_answer_becomes_the_rating_and_dissatisfied_goes_to_a_supervisor(
    client: FlaskClient, session: Session, make_ticket: Callable[..., Ticket], people: People
) -> None:
    clock.freeze(MONDAY_9)
    ticket = resolved_phone_ticket(session, make_ticket, people)
    portal = make_ticket(channel=Channel.PORTAL, organisation_id=people.provider.id)
    service.accept(session, people.provider_staff, portal)
    service.resolve(session, people.provider_staff, portal, "已答复")
    session.commit()
    task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
    assert session.scalars(select(FollowUp).where(FollowUp.ticket_id == portal.id)).all() == []

    login(client, people.agent)
    body = page(client, "/followups")
    assert ticket.number in body and "tel:13812345678" in body  # click to dial the caller
    assert portal.number not in body  # the portal user has the rating prompt instead

    body = post(client, f"/followups/{task.id}/no-answer", {})
    assert "未接通" in body or "无人接听" in body
    body = post(
        client,
        f"/followups/{task.id}/answer",
        {"outcome": "dissatisfied", "comment": "银行一直没有联系我"},
    )
    assert "不满意" in body
    session.expire_all()
    rating = session.scalars(select(TicketRating).where(TicketRating.ticket_id == ticket.id)).one()
    assert (rating.score, rating.channel, rating.comment) == (1, "callback", "银行一直没有联系我")
    assert rating.rated_by_id == people.agent.id
    assert kinds(session, ticket)[-3:] == [
        "callback_attempted",
        "rated",
        "supervisor_followup_opened",
    ]
    assert ticket.number not in page(client, "/followups").split('id="recent"')[0]

    # the agent files the complaint the low rating with a comment offers
    body = page(client, "/followups")
    assert "登记为投诉" in body
    response = client.post(
        f"/followups/{task.id}/complaint",
        data={"csrf_token": csrf_token(body), "description": rating.comment},
    )
    assert response.status_code == 302
    complaint = session.scalars(select(Ticket).where(Ticket.type == TicketType.COMPLAINT)).one()
    assert complaint.related_ticket_id == ticket.id
    assert kinds(session, ticket)[-1] == "complaint_filed"

    # the supervisor sees the follow-up and finishes it; the agent may not
    login(client, people.supervisor)
    body = page(client, "/followups")
    assert f'id="supervise-{ticket.number}"' in body
    supervise = session.scalars(
        select(FollowUp).where(FollowUp.ticket_id == ticket.id, FollowUp.kind == "supervisor")
    ).one()
    post(client, f"/followups/{supervise.id}/finish", {"comment": "已致电银行，约定今日回电"})
    session.expire_all()
    assert supervise.state == "done"
    assert kinds(session, ticket)[-1] == "supervisor_followup_done"


def test_unreachable_after_the_set_number_of_tries(
    client: FlaskClient,
    session: Session,
    make_ticket: Callable[..., Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
) -> None:
    loop_settings(callback_tries=2)
    ticket = resolved_phone_ticket(session, make_ticket, people, channel=Channel.WALK_IN)
    task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
    login(client, people.agent)
    post(client, f"/followups/{task.id}/no-answer", {})
    body = post(client, f"/followups/{task.id}/no-answer", {})
    assert "无法联系" in body
    session.expire_all()
    assert (task.state, task.tries) == ("unreachable", 2)
    assert kinds(session, ticket)[-2:] == ["callback_attempted", "callback_unreachable"]
    assert f'id="followup-{ticket.number}"' not in page(client, "/followups")
    # a finished task takes no answer: a clear message, not an error page
    body = post(client, f"/followups/{task.id}/answer", {"outcome": "satisfied"})
    assert "已经结束" in body


def test_bad_answers_are_refused_in_words(
    client: FlaskClient, session: Session, make_ticket: Callable[..., Ticket], people: People
) -> None:
    ticket = resolved_phone_ticket(session, make_ticket, people)
    task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
    login(client, people.agent)
    body = post(client, f"/followups/{task.id}/answer", {"outcome": "great"}, 400)
    assert "请选择来电人的回答" in body
    body = post(
        client, f"/followups/{task.id}/answer", {"outcome": "basic", "comment": "长" * 1001}, 400
    )
    assert "内容太长" in body
    login(client, people.provider_staff)
    assert client.get("/followups").status_code == 403


def test_unrated_tickets_close_after_the_set_days(
    session: Session,
    make_ticket: Callable[..., Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
) -> None:
    config = loop_settings(auto_close_days=3)
    clock.freeze(MONDAY_9)
    unrated = resolved_phone_ticket(session, make_ticket, people)
    rated = make_ticket(channel=Channel.PORTAL, organisation_id=people.provider.id)
    service.accept(session, people.provider_staff, rated)
    service.resolve(session, people.provider_staff, rated, "已答复")
    session.commit()
    service.rate(session, None, rated, 4, "", channel="portal")
    session.commit()

    clock.advance(timedelta(days=3) - timedelta(minutes=1))
    assert jobs.close_unrated(session, config) == 0
    clock.advance(timedelta(minutes=1))
    assert jobs.close_unrated(session, config) == 1
    session.expire_all()
    assert unrated.status is Status.CLOSED and rated.status is Status.RESOLVED
    closed = session.scalars(
        select(TicketEvent)
        .where(TicketEvent.ticket_id == unrated.id)
        .order_by(TicketEvent.id.desc())
    ).first()
    assert closed is not None and closed.kind == "closed" and closed.actor_id is None
    assert closed.data == {"auto": True, "days": 3}
    assert jobs.close_unrated(session, config) == 0
