"""Scorecards against a hand-computed fortnight across the Qingming holiday (Fri 2025-04-04 to
Sun 04-06 off), the watch bar firing and a supervisor confirming the suspension, and who may
read which scorecard.

Business hours are 8:30-12:00 and 13:30-17:30 on working days. The provider 杭州银行科技支行
holds (local times):

| # | created (local) | first response  | resolved        | resp. h | resolution h   | rating  |
|---|------------------|------------------|------------------|---------|-----------------|----------|
| 1 | Thu 04-03 16:30 | 04-03 17:00     | Mon 04-07 09:30 | 0.5    | 1 + 1 = 2      | 满意 (5) |
| 2 | Thu 04-03 10:00 | 04-03 11:00     | 04-03 15:00     | 1      | 2 + 1.5 = 3.5  | portal 2 |
| 3 | Wed 04-02 09:00 | 04-02 09:15     | Mon 04-07 10:00 | 0.25   | 7+7.5+1.5 = 16 | 基本 (3) |
| 4 | Thu 04-03 17:00 | Mon 04-07 13:45 | 04-07 15:00     | 4.25 * | 0.5+3.5+1.5=5.5 | —       |
| 5 | Mon 04-07 09:00 | —               | —               | —      | —              | —       |
| 6 | Wed 04-02 10:00 | declined 10:30, "不在服务范围"                                        |

(* 0.5 + 3.5 + 0.25: over its 4 h first-response target.)

Response: [0.25, 0.5, 1, 4.25] -> median 0.75, P90 (nearest rank, 4th of 4) 4.25.
Resolution: [2, 3.5, 5.5, 16] -> median 4.5, P90 16. SLA (4 h response, 5 d resolution):
#1-#3 met, #4 late to respond -> 3 of 4 = 75.0 %. Satisfaction (5 + 2 + 3) / 3 = 3.33.
Received 5 held + 1 declined = 6; accepted 4. A complaint about #2, upheld: 1.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Callable
from datetime import datetime

import pytest
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import csrf_token, login, page
from web.test_chinese_pages import ascii_punctuation

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import OrgStatus
from helpdesk.errors import InvalidInput
from helpdesk.loop import followups, scorecards, watch
from helpdesk.loop.config import LoopConfig
from helpdesk.loop.models import FollowUp, ProviderWatch
from helpdesk.oplog.models import AdminChange
from helpdesk.stats.period import Period
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket, TicketType

from .conftest import People

APRIL = "from=2025-04-01&to=2025-04-10"


def at(day: int, hour: int, minute: int = 0) -> None:
    clock.freeze(datetime(2025, 4, day, hour, minute, tzinfo=clock.HANGZHOU))


@pytest.fixture
def fortnight(session: Session, make_ticket: Callable[..., Ticket], people: People) -> list[Ticket]:
    staff, agent = people.provider_staff, people.agent
    plan = [
        ((3, 16, 30), (3, 17, 0), (7, 9, 30), Channel.PHONE),
        ((3, 10, 0), (3, 11, 0), (3, 15, 0), Channel.PORTAL),
        ((2, 9, 0), (2, 9, 15), (7, 10, 0), Channel.PHONE),
        ((3, 17, 0), (7, 13, 45), (7, 15, 0), Channel.PORTAL),
        ((7, 9, 0), None, None, Channel.PORTAL),
    ]
    made = []
    for created, accepted, resolved, channel in plan:
        at(*created)
        ticket = make_ticket(
            channel=channel,
            organisation_id=people.provider.id,
            contact_name="周杰",
            contact_phone="13812345678",
        )
        made.append((ticket, accepted, resolved))
    for ticket, accepted, _resolved in sorted(made, key=lambda m: m[1] or (99,)):
        if accepted:
            at(*accepted)
            service.accept(session, staff, ticket)
            session.commit()
    for ticket, _accepted, resolved in sorted(made, key=lambda m: m[2] or (99,)):
        if resolved:
            at(*resolved)
            service.resolve(session, staff, ticket, "已办结")
            session.commit()
    at(2, 10, 0)
    declined = make_ticket(organisation_id=people.provider.id, route=False)
    at(2, 10, 30)
    service.decline(session, staff, declined, "不在服务范围")
    session.commit()

    tickets = [m[0] for m in made]
    at(8, 9, 0)
    config = LoopConfig()
    for ticket, outcome in ((tickets[0], "satisfied"), (tickets[2], "basic")):
        task = session.scalars(select(FollowUp).where(FollowUp.ticket_id == ticket.id)).one()
        followups.record_answer(session, agent, task, outcome, "")
    service.rate(session, None, tickets[1], 2, "办理太慢", channel="portal")
    session.commit()
    complaint = followups.file_complaint(session, agent, tickets[1], "办理太慢，多次催促")
    session.commit()
    followups.record_verdict(session, people.supervisor, complaint, True, "确有拖延")
    session.commit()
    assert config.callback_tries == 3
    at(10, 12, 0)
    return tickets


def card_of(session: Session, people: People) -> scorecards.Scorecard:
    period = Period(datetime(2025, 4, 1).date(), datetime(2025, 4, 10).date())
    cards = {c.organisation_id: c for c in scorecards.build(session, period)}
    return cards[people.provider.id]


def test_the_numbers_are_the_hand_computed_ones(
    session: Session, fortnight: list[Ticket], people: People
) -> None:
    card = card_of(session, people)
    assert (card.received, card.accepted, card.declined) == (6, 4, 1)
    assert card.decline_reasons == {"不在服务范围": 1}
    assert (card.response_median, card.response_p90) == (0.75, 4.25)
    assert (card.resolution_median, card.resolution_p90) == (4.5, 16.0)
    assert (card.sla_met, card.sla_judged, card.compliance) == (3, 4, 75.0)
    assert (card.ratings, card.satisfaction) == (3, 3.33)
    assert card.complaints_upheld == 1
    assert card.escalated == 0
    # score = 60 * (3.33 - 1) / 4 + 40 * 0.75 - 5 * 1
    assert card.score == round(60 * 2.33 / 4 + 30 - 5, 1)


def test_a_median_between_two_times_reads_as_written() -> None:
    """13.18 and 13.38 hours: 13.28 in the csv export, not 13.280000000000001."""
    assert scorecards._median(Counter({1318: 1, 1338: 1})) == 13.28
    assert str(scorecards._median(Counter({17: 1, 40: 1}))) == "0.285"


def test_the_ranking_page_and_its_xlsx(
    client: FlaskClient, session: Session, fortnight: list[Ticket], people: People
) -> None:
    login(client, people.supervisor)
    body = page(client, f"/scorecards?{APRIL}")
    row = body.split(f'id="card-{people.provider.id}"')[1].split("</tr>")[0]
    for shown in ("杭州银行科技支行", ">6<", "0.75 / 4.25", "4.50 / 16.00", "75.0%", "3.33"):
        assert shown in row, shown
    response = client.get(f"/scorecards/export.xlsx?{APRIL}")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.data)).active
    header = [c.value for c in sheet[1]]
    assert header[:4] == ["排名", "服务机构", "类型", "接收"]
    rows = {r[1]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    bank = rows["杭州银行科技支行"]
    assert bank[3:6] == (6, 4, 1) and bank[6] == "不在服务范围（1）"
    assert bank[7:12] == (0.75, 4.25, 4.5, 16.0, 75.0)
    assert bank[14] == 3.33 and bank[15] == 1
    response = client.get(f"/scorecards/export.csv?{APRIL}")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
    csv = response.get_data(as_text=True)
    assert csv.startswith("\ufeff排名,服务机构") and "杭州银行科技支行" in csv
    # an empty period says so; a future one is refused in words
    assert "本期没有工单" in page(client, "/scorecards?from=2025-01-01&to=2025-01-31")
    assert "不能" in page(client, "/scorecards?from=2025-04-01&to=2099-01-01", status=400)


def test_a_provider_reads_only_its_own_scorecard(
    client: FlaskClient, fortnight: list[Ticket], people: People
) -> None:
    login(client, people.other_staff)
    assert client.get(f"/scorecards/{people.provider.id}?{APRIL}").status_code == 404
    assert client.get(f"/scorecards/export.xlsx?{APRIL}").status_code == 403
    response = client.get("/scorecards")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/scorecards/{people.other.id}")
    login(client, people.provider_staff)
    body = page(client, f"/scorecards/{people.provider.id}?{APRIL}")
    assert 'id="received">6<' in body and "75.0%" in body
    assert "浙江律师事务所" not in body


def test_the_watch_bar_fires_and_the_suspension_is_confirmed(
    client: FlaskClient,
    session: Session,
    fortnight: list[Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
    make_user: Callable[..., User],
) -> None:
    loop_settings(watch_min_tickets=3, watch_days=30)
    login(client, people.supervisor)
    body = page(client, "/scorecards")
    response = client.post("/scorecards/evaluate", data={"csrf_token": csrf_token(body)})
    assert response.status_code == 302
    item = session.scalars(select(ProviderWatch)).one()
    assert item.organisation_id == people.provider.id and item.state == "watch"
    assert {r["measure"] for r in item.reasons} == {"satisfaction", "sla"}
    # evaluating again opens no second watch
    assert watch.evaluate(session, "job", LoopConfig(watch_min_tickets=3, watch_days=30)) == []

    # the provider's staff see why
    login(client, people.provider_staff)
    body = page(client, f"/scorecards/{people.provider.id}")
    assert "观察中" in body and "满意度" in body and "3.33" in body and "75.0" in body
    assert "确认暂停服务" not in body  # not theirs to decide
    assert ascii_punctuation(body) == set()  # "SLA 达标率：46.7%", not "…: 46.7"
    # a percentage with its sign, not 46.7（标准 80.0）after a label saying （百分比）
    assert re.search(r"SLA 达标率：<strong>[\d.]+%</strong>（标准 [\d.]+%）", body), body
    login(client, people.supervisor)
    ranking = page(client, "/scorecards")
    assert re.search(r"SLA 达标率 [\d.]+%（标准 [\d.]+%）", ranking)
    login(client, make_user(Role.ADMIN, login="root9"))
    assert re.search(r"SLA 达标率 [\d.]+%（标准 [\d.]+%）", page(client, "/admin/changes"))
    login(client, people.supervisor)

    login(client, people.supervisor)
    body = page(client, f"/scorecards/{people.provider.id}")
    url = f"/watches/{item.id}/suspend"
    empty = client.post(url, data={"csrf_token": csrf_token(body), "note": ""})
    assert empty.status_code == 302
    assert "请写明理由" in page(client, f"/scorecards/{people.provider.id}")
    client.post(url, data={"csrf_token": csrf_token(body), "note": "连续两项不达标"})
    session.expire_all()
    assert item.state == "suspended" and item.organisation.status is OrgStatus.SUSPENDED
    kinds = list(session.scalars(select(AdminChange.kind).order_by(AdminChange.id)))
    assert kinds == ["provider.watched", "provider.suspended"]
    assert "已暂停服务" in page(client, f"/scorecards/{people.provider.id}")
    # no new routing to it
    with pytest.raises(InvalidInput, match="suspended"):
        service.create(
            session,
            people.agent,
            service.NewTicket(
                subject="再次咨询", category="finance/guarantee", district="330109",
                organisation_id=people.provider.id,
            ),
        )  # fmt: skip
    session.rollback()


def test_excellent_list_and_upheld_bar(
    session: Session,
    fortnight: list[Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
) -> None:
    period = Period(datetime(2025, 4, 1).date(), datetime(2025, 4, 10).date())
    config = loop_settings(watch_min_tickets=3)
    assert watch.excellent(session, period, config) == []  # its one upheld complaint
    config = loop_settings(watch_min_tickets=3, watch_upheld=1, watch_satisfaction=1.0,
                           watch_sla_percent=10)  # fmt: skip
    card = card_of(session, people)
    assert [r["measure"] for r in watch.reasons_for(card, config)] == ["upheld"]
    complaint = session.scalars(select(Ticket).where(Ticket.type == TicketType.COMPLAINT)).one()
    with pytest.raises(InvalidInput):
        followups.record_verdict(session, people.supervisor, complaint, False, "再议")


def test_excellent_list_names_none_below_the_bar_or_on_watch(
    session: Session,
    fortnight: list[Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
) -> None:
    """The ranking page named a provider 观察中 among the 优秀服务机构. Up to 04-07 the
    provider has no complaint (it came on 04-08) but its SLA compliance (75.0 %) is below the
    80 % bar: not excellent; with the bar cleared it is, until it is put on watch."""
    period = Period(datetime(2025, 4, 1).date(), datetime(2025, 4, 7).date())
    config = loop_settings(watch_min_tickets=3, watch_sla_percent=80)
    card = next(
        c for c in scorecards.build(session, period) if c.organisation_id == people.provider.id
    )
    assert card.complaints_upheld == 0 and watch.reasons_for(card, config)
    assert people.provider.id not in [
        c.organisation_id for c in watch.excellent(session, period, config)
    ]

    config = loop_settings(watch_min_tickets=3, watch_sla_percent=10, watch_satisfaction=1.0)
    assert people.provider.id in [
        c.organisation_id for c in watch.excellent(session, period, config)
    ]
    session.add(ProviderWatch(organisation_id=people.provider.id, state="watch", reasons=[],
                              opened_at=clock.now()))  # fmt: skip
    session.flush()
    assert people.provider.id not in [
        c.organisation_id for c in watch.excellent(session, period, config)
    ]
