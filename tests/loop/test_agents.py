"""Agent assessment against a hand-counted day (2025-04-08, Hangzhou):

- calls: 李娜 answered two (120 s, 300 s), 张伟 one (60 s); an abandoned call rang both, an
  unanswered one rang 李娜 by her extension 8001, and one abandoned call was the day before;
- chats: 李娜 accepted one;
- tickets 李娜 created: #1 kept by the centre and resolved by her (first contact, rated 满意 5),
  #2 sent to the bank (rated 1), #3 kept by the centre but resolved by 张伟.

李娜: 2 answered, 2 abandoned while ringing, 210 s average, 1 chat, 3 created, FCR 1/3 = 33.3 %,
satisfaction (5 + 1) / 2 = 3.0. 张伟: 1, 1, 60 s. The centre: 3 answered, 160 s average.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta

from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.channels.chat.models import Conversation, ConversationStatus
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus
from helpdesk.loop import agents
from helpdesk.stats.period import Period
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket

from .conftest import People

DAY = datetime(2025, 4, 8, 9, 0, tzinfo=clock.HANGZHOU)


def call(session: Session, n: int, at: datetime, **fields: object) -> None:
    session.add(
        CallRecord(
            call_id=f"call-{n}",
            source="cti",
            direction=CallDirection.IN,
            status=CallStatus.ENDED,
            ring_at=at,
            updated_at=at,
            **fields,
        )
    )


def test_agent_and_team_figures(
    client: FlaskClient,
    session: Session,
    make_ticket: Callable[..., Ticket],
    make_user: Callable[..., User],
    people: People,
) -> None:
    clock.freeze(DAY)
    li = people.agent
    li.extension = "8001"
    zhang = make_user(Role.AGENT, people.centre, name="张伟")
    answered = CallOutcome.ANSWERED
    # 话后整理 30 s and 90 s: 李娜's average 60 s; 张伟's call has none recorded
    call(
        session,
        1,
        DAY,
        answered_by_id=li.id,
        answer_at=DAY,
        talk_seconds=120,
        outcome=answered,
        wrap_up_seconds=30,
    )
    call(
        session,
        2,
        DAY,
        answered_by_id=li.id,
        answer_at=DAY,
        talk_seconds=300,
        outcome=answered,
        wrap_up_seconds=90,
    )
    call(session, 3, DAY, answered_by_id=zhang.id, answer_at=DAY, talk_seconds=60, outcome=answered)
    call(session, 4, DAY, users=["李娜", "张伟"], outcome=CallOutcome.ABANDONED)
    call(session, 5, DAY, users=["8001"], outcome=CallOutcome.NO_ANSWER)
    call(session, 6, DAY - timedelta(days=1), users=["李娜"], outcome=CallOutcome.ABANDONED)
    session.commit()

    kept = make_ticket(li, channel=Channel.PHONE, organisation_id=people.centre.id)
    sent = make_ticket(li, channel=Channel.PHONE, organisation_id=people.provider.id)
    other = make_ticket(li, channel=Channel.PHONE, organisation_id=people.centre.id)
    for ticket, who in ((kept, li), (sent, people.provider_staff), (other, zhang)):
        service.accept(session, who, ticket)
        service.resolve(session, who, ticket, "已答复")
    service.rate_by_callback(session, li, kept, 5, "", "satisfied")
    service.rate_by_callback(session, li, sent, 1, "", "dissatisfied")
    session.add(
        Conversation(
            token_hash="x" * 64, ticket_id=kept.id, status=ConversationStatus.ENDED,
            visitor_name="访客", category_code="finance/guarantee", agent_id=li.id,
            accepted_at=DAY,
        )
    )  # fmt: skip
    session.commit()

    people_cards, teams = agents.build(session, Period(date(2025, 4, 8), date(2025, 4, 8)))
    cards = {c.name: c for c in people_cards}
    mine = cards["李娜"]
    assert (mine.answered, mine.abandoned_ringing, mine.handling_seconds) == (2, 2, 210.0)
    assert (mine.chats, mine.created, mine.first_contact, mine.fcr) == (1, 3, 1, 33.3)
    assert (mine.ratings, mine.satisfaction) == (2, 3.0)
    assert (cards["张伟"].answered, cards["张伟"].abandoned_ringing) == (1, 1)
    assert cards["张伟"].handling_seconds == 60.0
    assert (mine.wrap_up_average, cards["张伟"].wrap_up_average) == (60.0, None)
    centre = {t.name: t for t in teams}["服务中心"]
    assert (centre.answered, centre.handling_seconds, centre.wrap_up_average) == (3, 160.0, 60.0)

    login(client, people.supervisor)
    body = page(client, "/assessment?from=2025-04-08&to=2025-04-08")
    row = body.split(f'id="agent-{li.id}"')[1].split("</tr>")[0]
    for shown in (">2<", ">210.0<", ">33.3%<", "3.0", '"num wrap-up">60.0<'):
        assert shown in row, shown
    assert "not recorded" not in body and "没有按通话记录" not in body
    # each table's first column says what its rows are, not 坐席或班组 in both
    firsts = [
        re.findall(r"<th[^>]*>([^<]*)</th>", body.split(f'id="{table}"')[1].split("</tr>")[0])
        for table in ("agents", "teams")
    ]
    assert firsts[0][:2] == ["坐席", "班组"] and firsts[1][0] == "班组", firsts
    sheet = load_workbook(
        io.BytesIO(client.get("/assessment/export.xlsx?from=2025-04-08&to=2025-04-08").data)
    ).active
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["李娜"][2:9] == (2, 2, 210.0, 60.0, 1, 3, 33.3)
    login(client, people.agent)
    assert client.get("/assessment").status_code == 403
