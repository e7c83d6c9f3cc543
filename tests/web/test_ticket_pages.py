"""Ticket list, detail and actions through the pages, as each role sees them."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Comment, Priority, Status, Ticket, TicketEvent
from web.helpers import login, page


def _numbers(html: str) -> set[str]:
    return set(re.findall(r"HZ-\d{8}-\d{5}", html))


def _action_buttons(html: str) -> set[str]:
    return set(re.findall(r'data-action="([a-z]+)"', html))


@pytest.fixture
def org_a(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="杭州银行科技支行")


@pytest.fixture
def org_b(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(name="浙江天和律师事务所", categories=("manage",))


@pytest.fixture
def staff_a(make_user: Callable[..., User], org_a: Organisation) -> User:
    return make_user(Role.PROVIDER, org_a, name="陈静")


def test_root_redirects_to_the_list(client: FlaskClient, agent: User) -> None:
    login(client, agent)
    response = client.get("/")
    assert response.status_code == 302 and response.headers["Location"] == "/tickets"


def test_list_filters(
    client: FlaskClient,
    agent: User,
    org_a: Organisation,
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    finance = make_ticket(subject="担保贷款", category="finance/guarantee", district="330109")
    legal = make_ticket(
        subject="合同纠纷",
        category="manage/legal",
        district="330106",
        channel=Channel.CHAT,
        priority=Priority.URGENT,
        organisation_id=org_a.id,
    )
    done = make_ticket(subject="展会咨询", category="market/exhibition")
    service.cancel(session, None, done, "duplicate")
    session.commit()
    login(client, agent)

    assert _numbers(page(client, "/tickets")) == {finance.number, legal.number, done.number}
    assert _numbers(page(client, "/tickets?status=open")) == {finance.number, legal.number}
    assert _numbers(page(client, "/tickets?status=cancelled")) == {done.number}
    assert _numbers(page(client, "/tickets?category=finance")) == {finance.number}
    assert _numbers(page(client, "/tickets?category=manage")) == {legal.number}
    assert _numbers(page(client, "/tickets?district=330106")) == {legal.number}
    assert _numbers(page(client, "/tickets?channel=chat")) == {legal.number}
    assert _numbers(page(client, "/tickets?priority=urgent")) == {legal.number}
    assert _numbers(page(client, f"/tickets?organisation_id={org_a.id}")) == {legal.number}
    html = page(client, "/tickets?status=open&district=330109")
    assert _numbers(html) == {finance.number}
    assert '<option selected value="330109">萧山区</option>' in html  # the filter is kept
    # Labels in Chinese: status, category, district.
    assert "已作废" in page(client, "/tickets?status=cancelled")
    assert "担保" in html and "萧山区" in html


def test_bad_filter_says_so(client: FlaskClient, agent: User) -> None:
    login(client, agent)
    assert "筛选条件无效" in page(client, "/tickets?status=bogus", status=400)
    assert "筛选条件无效" in page(client, "/tickets?before=abc", status=400)
    huge = 2**70  # digits, but beyond any row id
    assert "筛选条件无效" in page(client, f"/tickets?before={huge}", status=400)
    assert "筛选条件无效" in page(client, f"/tickets?organisation_id={huge}", status=400)


def test_keyset_next_page(
    client: FlaskClient, agent: User, make_ticket: Callable[..., Ticket]
) -> None:
    tickets = [make_ticket(subject=f"咨询{i}") for i in range(53)]
    login(client, agent)
    first = page(client, "/tickets?status=open")
    assert len(_numbers(first)) == 50
    found = re.search(r'href="([^"]+)" class="button" rel="next"', first)
    assert found, "no next-page link"
    next_url = found.group(1).replace("&amp;", "&")
    assert "status=open" in next_url and "before=" in next_url
    second = page(client, next_url)
    assert _numbers(second) == {t.number for t in tickets[:3]}
    assert 'rel="next"' not in second
    assert "第一页" in second


def test_detail_shows_fields_timeline_and_only_allowed_actions(
    client: FlaskClient,
    agent: User,
    supervisor: User,
    org_a: Organisation,
    make_enterprise: Callable[..., object],
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    enterprise = make_enterprise()
    ticket = make_ticket(
        actor=agent,
        enterprise_id=enterprise.id,  # type: ignore[attr-defined]
        contact_name="周杰",
        contact_phone="13812345678",
        description="需要一笔短期担保贷款",
    )
    service.assign(session, agent, ticket, org_a.id)
    service.comment(session, agent, ticket, "已联系银行", internal=True)
    service.comment(session, agent, ticket, "已为您转给银行", internal=False)
    session.commit()

    login(client, agent)
    html = page(client, f"/tickets/{ticket.number}")
    assert ticket.subject in html and "需要一笔短期担保贷款" in html
    assert "13812345678" in html  # platform staff see the whole number
    assert "投资融资 · 担保" in html and "萧山区" in html
    assert "已派单" in html and org_a.name in html
    # Timeline, oldest first: created, routed, internal note, reply.
    timeline = html[html.index('<ol class="timeline">') :]
    order = [timeline.index(s) for s in ("创建工单", "已派单", "已联系银行", "已为您转给银行")]
    assert order == sorted(order)
    assert "新建 → 已派单" in timeline and "内部备注" in timeline
    # Assigned: an agent may accept, transfer; only supervisors cancel and merge.
    assert _action_buttons(html) == {"accept", "transfer"}
    client.post("/logout")
    login(client, supervisor)
    assert _action_buttons(page(client, f"/tickets/{ticket.number}")) == {
        "accept",
        "transfer",
        "cancel",
        "merge",
    }


def test_provider_sees_a_masked_phone_and_provider_actions(
    client: FlaskClient,
    agent: User,
    staff_a: User,
    org_a: Organisation,
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(
        actor=agent, contact_phone="13812345678", contact_name="周杰", organisation_id=org_a.id
    )
    login(client, staff_a)
    html = page(client, f"/tickets/{ticket.number}")
    assert "138****5678" in html and "13812345678" not in html
    assert _action_buttons(html) == {"accept", "decline"}


def _post(client: FlaskClient, ticket: Ticket, action: str, **fields: str) -> str:
    data = {f"{action}-{name}": value for name, value in fields.items()}
    response = client.post(f"/tickets/{ticket.number}/action/{action}", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    return page(client, response.headers["Location"])


def test_every_action_through_the_pages(
    client: FlaskClient,
    supervisor: User,
    staff_a: User,
    org_a: Organisation,
    org_b: Organisation,
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    ticket = make_ticket(actor=supervisor)
    login(client, supervisor)

    def status() -> Status:
        session.expire_all()
        return session.get(Ticket, ticket.id).status  # type: ignore[union-attr]

    html = _post(client, ticket, "assign", organisation_id=str(org_a.id))
    assert status() is Status.ASSIGNED and "派单：已完成" in html
    _post(client, ticket, "accept")
    assert status() is Status.ACCEPTED
    _post(client, ticket, "start")
    assert status() is Status.IN_PROGRESS
    html = _post(client, ticket, "pend", reason="请企业补充营业执照")
    assert status() is Status.PENDING and "请企业补充营业执照" in html
    _post(client, ticket, "resume")
    assert status() is Status.IN_PROGRESS
    html = _post(client, ticket, "resolve", summary="已发放贷款")
    assert status() is Status.RESOLVED and "已发放贷款" in html
    _post(client, ticket, "close")
    assert status() is Status.CLOSED
    _post(client, ticket, "reopen", reason="企业反映未到账")
    assert status() is Status.IN_PROGRESS
    html = _post(client, ticket, "transfer", organisation_id=str(org_b.id), reason="需要法律意见")
    assert status() is Status.ASSIGNED and org_b.name in html
    _post(client, ticket, "cancel", reason="duplicate")
    assert status() is Status.CANCELLED
    assert "重复工单" in page(client, f"/tickets/{ticket.number}")

    first, second = make_ticket(subject="重复来电"), make_ticket(subject="原工单")
    html = _post(client, first, "merge", into=second.number)
    session.expire_all()
    assert session.get(Ticket, first.id).status is Status.MERGED  # type: ignore[union-attr]
    assert second.number in html

    # Decline belongs to the provider the ticket was sent to.
    sent = make_ticket(actor=supervisor, organisation_id=org_a.id)
    client.post("/logout")
    login(client, staff_a)
    response = client.post(
        f"/tickets/{sent.number}/action/decline", data={"decline-reason": "不在服务范围"}
    )
    assert response.status_code == 302
    session.expire_all()
    declined = session.get(Ticket, sent.id)
    assert declined is not None and declined.status is Status.NEW
    assert declined.assigned_org_id is None
    # ...and after sending it back the provider no longer sees it: back to the desk, where
    # the flash says it was done (not a "not found" page under it).
    assert response.headers["Location"] == "/provider"
    assert "退单：已完成。" in page(client, "/provider")
    assert client.get(f"/tickets/{sent.number}").status_code == 404


def test_reply_and_internal_note(
    client: FlaskClient, agent: User, make_ticket: Callable[..., Ticket], session: Session
) -> None:
    ticket = make_ticket(actor=agent)
    login(client, agent)
    response = client.post(
        f"/tickets/{ticket.number}/comments",
        data={"comment-body": "内部：先查征信", "comment-internal": "y"},
    )
    assert response.status_code == 302
    response = client.post(f"/tickets/{ticket.number}/comments", data={"comment-body": "已受理"})
    assert response.status_code == 302
    notes = session.scalars(select(Comment).order_by(Comment.id)).all()
    assert [(c.body, c.internal) for c in notes] == [("内部：先查征信", True), ("已受理", False)]
    html = page(client, f"/tickets/{ticket.number}")
    assert "内部备注" in html and "先查征信" in html
    # An empty reply is refused next to the field, nothing written.
    response = client.post(f"/tickets/{ticket.number}/comments", data={"comment-body": ""})
    assert response.status_code == 400
    assert session.scalar(select(func.count(Comment.id))) == 2


def test_forbidden_transition_shows_the_localized_reason(
    client: FlaskClient, supervisor: User, make_ticket: Callable[..., Ticket], session: Session
) -> None:
    ticket = make_ticket(actor=supervisor)
    login(client, supervisor)
    events = session.scalar(select(func.count(TicketEvent.id)))
    response = client.post(f"/tickets/{ticket.number}/action/close", data={})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "当前状态为“新建”，不能执行“关闭”" in html
    assert "派单" in html and "转派" in html  # what is possible now
    assert session.scalar(select(func.count(TicketEvent.id))) == events


def test_role_refused_and_form_errors_keep_input(
    client: FlaskClient,
    agent: User,
    staff_a: User,
    org_a: Organisation,
    make_ticket: Callable[..., Ticket],
) -> None:
    ticket = make_ticket(actor=agent, organisation_id=org_a.id)
    login(client, staff_a)
    response = client.post(
        f"/tickets/{ticket.number}/action/cancel", data={"cancel-reason": "spam"}
    )
    assert response.status_code == 403
    assert "您的角色无权执行：作废" in response.get_data(as_text=True)
    client.post("/logout")
    login(client, agent)
    response = client.post(
        f"/tickets/{ticket.number}/action/transfer",
        data={"transfer-organisation_id": str(org_a.id), "transfer-reason": ""},
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="transfer-reason-error"' in html
    assert "<details open>" in html


def test_merge_into_a_missing_ticket_is_a_field_error(
    client: FlaskClient, supervisor: User, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket(actor=supervisor)
    login(client, supervisor)
    response = client.post(
        f"/tickets/{ticket.number}/action/merge", data={"merge-into": "HZ-20000101-00001"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "请合并到一个存在且未办结的工单" in html and 'value="HZ-20000101-00001"' in html


def test_unknown_action_and_ticket_are_404(
    client: FlaskClient, agent: User, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket()
    login(client, agent)
    assert client.post(f"/tickets/{ticket.number}/action/explode").status_code == 404
    assert client.get("/tickets/HZ-20000101-00001").status_code == 404


def test_provider_scoping(
    client: FlaskClient,
    agent: User,
    staff_a: User,
    org_a: Organisation,
    org_b: Organisation,
    make_user: Callable[..., User],
    make_ticket: Callable[..., Ticket],
) -> None:
    mine = make_ticket(actor=agent, organisation_id=org_a.id, subject="A的工单")
    theirs = make_ticket(actor=agent, organisation_id=org_b.id, subject="B的工单")
    unrouted = make_ticket(actor=agent, subject="未派单")
    login(client, staff_a)
    listed = page(client, "/tickets")
    assert _numbers(listed) == {mine.number}
    assert "B的工单" not in listed
    assert _numbers(page(client, f"/tickets?organisation_id={org_b.id}")) == set()
    for other in (theirs, unrouted):
        missing = client.get(f"/tickets/{other.number}")
        nonexistent = client.get("/tickets/HZ-20000101-00099")
        assert missing.status_code == nonexistent.status_code == 404
        # Nothing tells them apart but the address itself (in the language links).
        same = missing.get_data(as_text=True).replace(other.number, "HZ-20000101-00099")
        assert same == nonexistent.get_data(as_text=True)
        assert "没有这个工单" in missing.get_data(as_text=True)
        assert client.post(f"/tickets/{other.number}/action/accept").status_code == 404
        comment = client.post(f"/tickets/{other.number}/comments", data={"comment-body": "x"})
        assert comment.status_code == 404
    assert client.get("/tickets/new").status_code == 403


def test_english_switch(
    client: FlaskClient, agent: User, make_ticket: Callable[..., Ticket]
) -> None:
    ticket = make_ticket(subject="咨询担保贷款")
    login(client, agent)
    chinese = page(client, f"/tickets/{ticket.number}")
    assert "新建" in chinese and "萧山区" in chinese and "English" in chinese
    english = page(client, f"/tickets/{ticket.number}?lang=en")
    assert '<html lang="en">' in english
    assert "New" in english and "Xiaoshan" in english and "Guarantee" in english
    assert "萧山区" not in english
    # The choice is remembered for the next pages, until switched back.
    listed = page(client, "/tickets")
    assert "Tickets" in listed and "All open" in listed
    assert "中文" in listed
    assert "萧山区" in page(client, "/tickets?lang=zh_CN")


def test_a_reassignment_within_the_centre_names_both_people(
    client: FlaskClient,
    session: Session,
    make_user: Callable[..., User],
    make_ticket: Callable[..., Ticket],
    centre: Organisation,
    agent: User,
    supervisor: User,
) -> None:
    """flows' walk: the wallboard's 改派 from 张伟 to 李娜 read "服务中心 → 服务中心" on the
    ticket, naming nobody; the record now says who held it and who holds it."""
    other = make_user(Role.AGENT, centre, name="张伟")
    ticket = make_ticket(subject="担保贷款到期续保咨询")
    service.transfer(session, supervisor, ticket, centre.id, other.id, "改派")
    service.transfer(session, supervisor, ticket, centre.id, agent.id, "改派")
    session.commit()
    login(client, supervisor)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page(client, f"/tickets/{ticket.number}")))
    assert "服务中心 · 张伟 → 服务中心 · 李娜" in text
