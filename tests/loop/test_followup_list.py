"""The 回访 list a supervisor works through on a busy morning: 30 a page with the total, the
most overdue first, filters that stay on every page link; and a form sent without JavaScript
that misses its answer keeps what was typed, the message beside the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from html import unescape

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import csrf_token, login, page

from helpdesk import clock
from helpdesk.loop.models import FollowUp
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket

from .conftest import People

MONDAY_9 = datetime(2025, 3, 17, 9, 0, tzinfo=clock.HANGZHOU)


def resolved(
    session: Session, make_ticket: Callable[..., Ticket], people: People, org_id: int
) -> Ticket:
    staff = people.provider_staff if org_id == people.provider.id else people.other_staff
    ticket = make_ticket(
        channel=Channel.PHONE, contact_name="周杰", contact_phone="13812345678",
        organisation_id=org_id,
    )  # fmt: skip
    service.accept(session, staff, ticket)
    service.resolve(session, staff, ticket, "已联系银行办理")
    session.commit()
    return ticket


def shown(body: str) -> list[str]:
    """The ticket numbers of the call backs on the page, top to bottom."""
    return re.findall(r'id="followup-([^"]+)"', body)


def links(body: str) -> dict[str, str]:
    """The pager's links by their text."""
    return {
        unescape(text).strip(): unescape(href)
        for href, text in re.findall(r'<a href="([^"]*page=[^"]*)"[^>]*>([^<]+)</a>', body)
    }


def test_thirty_a_page_oldest_first_with_the_total_and_filters_kept(
    client: FlaskClient, session: Session, make_ticket: Callable[..., Ticket], people: People
) -> None:
    clock.freeze(MONDAY_9)
    ours = []
    for n in range(32):
        ours.append(resolved(session, make_ticket, people, people.provider.id).number)
        if n == 1:  # the two first wait since Monday; the rest came in on Tuesday
            clock.freeze(MONDAY_9 + timedelta(days=1))
        clock.advance(timedelta(minutes=1))
    theirs = [resolved(session, make_ticket, people, people.other.id).number for _n in range(2)]
    clock.freeze(MONDAY_9 + timedelta(days=1, hours=3))

    login(client, people.supervisor)
    first = page(client, "/followups")
    assert "共 34 条" in first
    assert shown(first) == (ours + theirs)[:30]  # the longest waiting first
    assert "逾期 1 天" in first.split(f'id="followup-{ours[0]}"')[1].split("</article>")[0]
    second = page(client, links(first)["下一页"])
    assert shown(second) == (ours + theirs)[30:]
    assert "共 34 条" in second

    # one organisation: the count and the pages follow the filter, and the links keep it
    only = page(client, f"/followups?organisation_id={people.provider.id}")
    assert "共 32 条" in only and not set(theirs) & set(shown(only))
    to_second = links(only)["2"]
    assert f"organisation_id={people.provider.id}" in to_second
    assert shown(page(client, to_second)) == ours[30:]

    overdue = page(client, "/followups?due=overdue")
    assert "共 2 条" in overdue and shown(overdue) == ours[:2]
    today = page(client, "/followups?due=today&resolved_from=2025-03-18&resolved_to=2025-03-18")
    assert "共 32 条" in today

    # a page past the last, a page that is no number: the list, not an error
    assert shown(page(client, "/followups?page=99")) == (ours + theirs)[30:]
    assert shown(page(client, "/followups?page=x")) == (ours + theirs)[:30]
    assert "筛选条件无效：办结日期从" in page(client, "/followups?resolved_from=2025-13-40", 400)


def test_answered_and_unreachable_calls_are_listed_by_state(
    client: FlaskClient, session: Session, make_ticket: Callable[..., Ticket], people: People
) -> None:
    clock.freeze(MONDAY_9)
    ticket = resolved(session, make_ticket, people, people.provider.id)
    waiting = resolved(session, make_ticket, people, people.provider.id)
    task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
    login(client, people.supervisor)
    token = csrf_token(page(client, "/followups"))
    answered = {"csrf_token": token, "outcome": "basic", "comment": "还行"}
    assert client.post(f"/followups/{task.id}/answer", data=answered).status_code == 302
    assert shown(page(client, "/followups")) == [waiting.number]
    done = page(client, "/followups?state=done")
    assert shown(done) == [ticket.number] and "已回访" in done and "还行" in done
    assert shown(page(client, "/followups?state=")) == [ticket.number, waiting.number]


def test_an_answer_missing_without_javascript_keeps_the_comment_beside_the_message(
    client: FlaskClient, session: Session, make_ticket: Callable[..., Ticket], people: People
) -> None:
    clock.freeze(MONDAY_9)
    ticket = resolved(session, make_ticket, people, people.provider.id)
    task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
    login(client, people.agent)
    listed = page(client, f"/followups?organisation_id={people.provider.id}")
    action = unescape(re.findall(r'action="([^"]*/answer[^"]*)"', listed)[0])
    assert f"organisation_id={people.provider.id}" in action  # the filters come back with it

    typed = "来电人说银行还没回电话，下午再打"
    data = {"csrf_token": csrf_token(listed), "comment": typed}
    response = client.post(action, data=data)
    assert response.status_code == 400
    body = response.get_data(as_text=True)
    article = body.split(f'id="followup-{ticket.number}"')[1].split("</article>")[0]
    assert f">{typed}</textarea>" in article  # nothing typed is lost
    assert re.search(r'<p class="error" id="outcome-\d+-error">请选择来电人的回答', article)
    on_top = body.split("<main")[1].split('id="callbacks"')[0]
    assert "请修改下面表单中的错误" in on_top  # and a line on top, as the ticket page
    session.expire_all()
    assert task.state == "open"

    # with the answer given, the list comes back filtered as it was
    response = client.post(action, data={**data, "outcome": "satisfied"})
    assert response.status_code == 302
    assert f"organisation_id={people.provider.id}" in response.headers["Location"]
