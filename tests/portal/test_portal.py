"""The enterprise portal through Flask's test client: registration and approval, a need with a
suggested service, follow-up (reply with a file, confirm, reopen, rate, complain), scoping,
escaping and rate limits."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.portal.limiter import limiter
from helpdesk.portal.models import EnterpriseRegistration, RegistrationStatus, TicketRating
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Status, Ticket, TicketType

PASSWORD = "secret-pass"
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


@pytest.fixture(autouse=True)
def _fresh_limits(app: Flask) -> Iterator[None]:
    limiter.reset()
    yield
    limiter.reset()


@pytest.fixture
def owner(make_enterprise: Callable[..., Enterprise], make_user: Callable[..., User]) -> User:
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    return make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, login="owner", name="陈总")


def _login(client: FlaskClient, login: str, password: str = PASSWORD) -> Any:
    return client.post("/portal/login", data={"login": login, "password": password})


def _register(client: FlaskClient, **fields: str) -> Any:
    from stdnum.cn import uscc

    body = "91330106MA2" + "ABCDE0"
    data = {
        "name": "杭州西溪贸易有限公司",
        "uscc": body + uscc.calc_check_digit(body + "0"),
        "district": "330106",
        "contact_name": "林女士",
        "phone": "0571-87001234",
        "login": "xixi",
        "password": "long-enough-1",
        **fields,
    }
    return client.post("/portal/register", data=data)


def test_the_portal_is_chinese_first_and_fits_a_phone(client: FlaskClient) -> None:
    page = client.get("/portal/").get_data(as_text=True)
    assert "企业提出需求，平台提供服务" in page and "投资融资" in page
    assert 'name="viewport" content="width=device-width' in page


def test_the_chat_rating_says_what_each_score_means(client: FlaskClient) -> None:
    page = client.get("/chat/").get_data(as_text=True)
    assert "5 非常满意" in page and "3 一般" in page and "1 非常不满意" in page


def test_an_enterprise_has_one_bar_and_logs_out_back_to_the_portal(
    client: FlaskClient, owner: User
) -> None:
    _login(client, "owner")
    page = client.get("/portal/").get_data(as_text=True)
    assert page.count("退出") == 1  # one logout, in the header
    assert "本单位全部工单" not in page  # the staff lists are not an enterprise's navigation
    out = client.post("/logout")
    assert out.status_code == 302 and out.headers["Location"].endswith("/portal/")
    assert "您已退出登录" in client.get("/portal/").get_data(as_text=True)


def _subtitle(client: FlaskClient, path: str) -> str:
    """The words beside the platform's name in the header."""
    found = re.search(r'<span class="sub">([^<]*)</span>', client.get(path).get_data(as_text=True))
    assert found, f"no subtitle on {path}"
    return found.group(1)


def test_the_header_names_the_portal_to_enterprises_and_the_helpdesk_to_staff(
    client: FlaskClient, owner: User, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    assert _subtitle(client, "/portal/") == "企业服务门户"  # a visitor
    assert _subtitle(client, "/login") == "服务台"  # the staff's own door
    _login(client, "owner")
    assert _subtitle(client, "/portal/") == "企业服务门户"
    client.post("/logout")
    agent = make_user(Role.AGENT, make_org(kind=OrgKind.SERVICE_CENTRE), login="desk1")
    assert (
        client.post("/login", data={"login": agent.login, "password": PASSWORD}).status_code == 302
    )
    assert _subtitle(client, "/tickets") == "服务台"


def test_registration_waits_for_approval(
    client: FlaskClient, session: Session, make_user: Callable[..., User], monkeypatch: Any
) -> None:
    monkeypatch.setenv("HELPDESK_PORTAL_AUTO_APPROVE", "0")
    assert _register(client).status_code == 302
    refused = _login(client, "xixi", "long-enough-1")
    assert refused.status_code == 401 and "等待服务中心审核" in refused.get_data(as_text=True)
    registration = session.scalars(select(EnterpriseRegistration)).one()
    assert registration.status is RegistrationStatus.PENDING

    supervisor = make_user(Role.SUPERVISOR, login="boss")
    staff = client.application.test_client()
    staff.post("/login", data={"login": "boss", "password": PASSWORD})
    assert "杭州西溪贸易有限公司" in staff.get("/portal/registrations").get_data(as_text=True)
    staff.post(f"/portal/registrations/{registration.enterprise_id}/approve")
    session.expire_all()
    assert registration.status is RegistrationStatus.APPROVED
    assert registration.decided_by_id == supervisor.id
    assert _login(client, "xixi", "long-enough-1").status_code == 302


def test_a_refused_registration_is_told_so_at_login(
    client: FlaskClient, session: Session, make_user: Callable[..., User], monkeypatch: Any
) -> None:
    """A refused enterprise logging in read 账号或密码错误, and registering again said 该企业已
    注册：请直接登录: a dead end. It is told the registration was not approved, whom to call."""
    monkeypatch.setenv("HELPDESK_PORTAL_AUTO_APPROVE", "0")
    assert _register(client).status_code == 302
    registration = session.scalars(select(EnterpriseRegistration)).one()
    make_user(Role.SUPERVISOR, login="boss")
    staff = client.application.test_client()
    staff.post("/login", data={"login": "boss", "password": PASSWORD})
    staff.post(f"/portal/registrations/{registration.enterprise_id}/reject")
    refused = _login(client, "xixi", "long-enough-1")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 401 and "您的注册未获批准" in page and "服务中心" in page
    assert "账号或密码错误" not in page
    wrong = _login(client, "xixi", "not-the-password")  # a wrong password learns nothing
    assert "未获批准" not in wrong.get_data(as_text=True)


def test_registration_is_checked(client: FlaskClient, monkeypatch: Any) -> None:
    monkeypatch.setenv("HELPDESK_PORTAL_AUTO_APPROVE", "1")
    bad = _register(client, uscc="91330106MA2ABCDE0X")
    assert bad.status_code == 422 and "统一社会信用代码" in bad.get_data(as_text=True)
    short = _register(client, phone="12345")
    assert short.status_code == 422 and "电话号码无效" in short.get_data(as_text=True)
    # letters in the phone are named in the same round as the empty required fields
    first = _register(client, phone="abcdefg", contact_name="", password="")
    page = first.get_data(as_text=True)
    assert first.status_code == 422 and "电话号码无效" in page
    assert _error_of(page, "contact_name") == "请填写联系人"
    assert _error_of(page, "password") == "请填写密码"
    assert _register(client).status_code == 302
    again = _register(client, login="other")
    assert again.status_code == 422


def _error_of(page: str, field: str) -> str:
    """The words under one field of the registration form."""
    return " ".join(re.findall(rf'id="{field}-error">([^<]*)<', page))


def test_registration_mistakes_are_named_in_words(client: FlaskClient, monkeypatch: Any) -> None:
    """An enterprise registering again was told its credit code was invalid; a login with a
    space was taken as it was; a short password got the form library's 字段长度必须介于 8 到 200."""
    from stdnum.cn import uscc

    monkeypatch.setenv("HELPDESK_PORTAL_AUTO_APPROVE", "1")
    assert _register(client).status_code == 302
    again = _register(client, login="other").get_data(as_text=True)
    assert _error_of(again, "uscc") == "该企业已注册：请直接登录，或联系服务中心。"
    body = "91330106MA2ABCDE1"
    other = body + uscc.calc_check_digit(body + "0")
    taken = _register(client, uscc=other).get_data(as_text=True)
    assert _error_of(taken, "login") == "此登录名已被使用。"
    shouting = _register(client, uscc=other, login="XiXi").get_data(as_text=True)
    assert _error_of(shouting, "login") == "此登录名已被使用。"  # XiXi is xixi's login
    spaced = _register(client, uscc=other, login="周 杰", password="short").get_data(as_text=True)
    assert _error_of(spaced, "login").startswith("登录名为 2 至 64 位字母")
    assert _error_of(spaced, "password") == "密码至少 8 位。"


def test_an_empty_field_is_named(client: FlaskClient) -> None:
    """An empty required field said the generic 该字段是必填字段; now it says which one."""
    page = _register(client, name="", uscc="").get_data(as_text=True)
    assert _error_of(page, "name") == "请填写企业名称"
    assert _error_of(page, "uscc") == "请填写统一社会信用代码"
    assert "必填字段" not in page


def test_the_district_comes_from_the_credit_code(
    client: FlaskClient, session: Session, monkeypatch: Any
) -> None:
    """The district defaulted to 上城区 whatever the credit code said; 91330106... is 西湖区
    (characters 3-8 are the division code). Left unchosen, the code's district is taken."""
    from helpdesk.directory.models import Enterprise

    monkeypatch.setenv("HELPDESK_PORTAL_AUTO_APPROVE", "1")
    form = client.get("/portal/register").get_data(as_text=True)
    first = re.search(r'name="district"[^>]*>\s*<option([^>]*)>([^<]*)<', form)
    assert first is not None and 'value=""' in first.group(1)  # not 上城区 by default
    assert first.group(2) == "按信用代码自动识别"
    assert _register(client, district="").status_code == 302
    enterprise = session.scalars(
        select(Enterprise).where(Enterprise.name == "杭州西溪贸易有限公司")
    )
    assert enterprise.one().district_code == "330106"


def test_a_credit_code_from_elsewhere_asks_for_the_district(client: FlaskClient) -> None:
    from stdnum.cn import uscc

    body = "91110105MA2ABCDE0"  # 朝阳区, Beijing: not one of the platform's districts
    page = _register(client, district="", uscc=body + uscc.calc_check_digit(body + "0"))
    assert page.status_code == 422
    assert _error_of(page.get_data(as_text=True), "district") == "请选择所在区县"


def test_a_need_from_submission_to_rating(
    client: FlaskClient, owner: User, session: Session, make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:  # fmt: skip
    assert client.get("/portal/suggest?text=想申请担保贷款").get_json() == {
        "category": "finance/guarantee"
    }
    assert _login(client, "owner").status_code == 302
    sent = client.post(
        "/portal/needs/new",
        data={"subject": "参加广交会展会", "description": XSS, "category": ""},
    )
    assert sent.status_code == 302
    number = sent.headers["Location"].rsplit("/", 1)[-1]
    ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
    assert ticket.category_code == "market/exhibition"  # suggested from the words
    assert ticket.channel is Channel.PORTAL and ticket.enterprise_id == owner.enterprise_id

    page = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    assert XSS not in page and "&lt;script&gt;" in page

    upload = {"body": "补充材料", "file": (io.BytesIO(b"<svg onload=alert(1)>"), "x.svg")}
    assert client.post(f"/portal/tickets/{number}/reply", data=upload).status_code == 302
    page = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    assert "补充材料" in page and "x.svg" in page
    key = page.split("/portal/files/")[1].split('"')[0]
    download = client.get(f"/portal/files/{key}")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert download.mimetype == "application/octet-stream"

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    agent = make_user(Role.AGENT, centre)
    ticket = session.get(Ticket, ticket.id)
    service.assign(session, agent, ticket, centre.id, agent.id)
    service.accept(session, agent, ticket)
    service.resolve(session, agent, ticket, "已为您报名")
    session.commit()

    # Refused (a browser without the page's script sends an empty reason): the reopen section
    # stands open with the field's own error, not folded away under the page's one line.
    refused = client.post(f"/portal/tickets/{number}/reopen", data={"reason": ""})
    assert refused.status_code == 400
    folded = refused.get_data(as_text=True).split("<details")
    reopen = next(part for part in folded if "/reopen" in part)
    assert reopen.startswith(" open>") and 'class="error"' in reopen.split("</details>")[0]
    assert all(not part.startswith(" open") for part in folded if "/complain" in part)
    assert (
        client.post(f"/portal/tickets/{number}/reopen", data={"reason": "还没收到"}).status_code
        == 302
    )
    session.expire_all()
    assert session.get(Ticket, ticket.id).status is Status.IN_PROGRESS
    service.resolve(session, agent, session.get(Ticket, ticket.id), "已寄出")
    session.commit()
    assert client.post(f"/portal/tickets/{number}/confirm").status_code == 302
    page = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    assert "5 非常满意" in page and "1 非常不满意" in page  # which end of the scale is best
    unscored = client.post(f"/portal/tickets/{number}/rate", data={"comment": "还行"})
    assert unscored.status_code == 400
    stars = unscored.get_data(as_text=True).split('class="stars"')[1].split("</fieldset>")[0]
    assert 'class="error"' in stars  # said beside the stars, the comment typed kept
    assert "还行" in unscored.get_data(as_text=True)
    rated = client.post(f"/portal/tickets/{number}/rate", data={"score": "5", "comment": XSS})
    assert rated.status_code == 302
    twice = client.post(f"/portal/tickets/{number}/rate", data={"score": "1"})
    assert twice.status_code == 422
    session.expire_all()
    assert session.get(Ticket, ticket.id).status is Status.CLOSED
    rating = session.scalars(select(TicketRating)).one()
    assert (rating.score, rating.comment, rating.rated_by_id) == (5, XSS, owner.id)

    complained = client.post(f"/portal/tickets/{number}/complain", data={"description": "太慢"})
    assert complained.status_code == 302
    complaint = session.scalars(select(Ticket).where(Ticket.type == TicketType.COMPLAINT)).one()
    assert (
        complaint.related_ticket_id == ticket.id and complaint.category_code == "complaint/service"
    )


def test_an_enterprise_sees_only_its_own(
    client: FlaskClient,
    owner: User,
    make_enterprise: Callable[..., Enterprise],
    make_user: Callable[..., User],
    make_ticket: Callable[..., Ticket],
) -> None:
    other = make_enterprise()
    theirs = make_ticket(enterprise_id=other.id)
    _login(client, "owner")
    assert client.get(f"/portal/tickets/{theirs.number}").status_code == 404
    reply = client.post(f"/portal/tickets/{theirs.number}/reply", data={"body": "x"})
    assert reply.status_code == 404
    assert (
        client.post(
            f"/portal/tickets/{theirs.number}/complain", data={"description": "x"}
        ).status_code
        == 404
    )
    assert theirs.number not in client.get("/portal/").get_data(as_text=True)
    assert client.get("/portal/files/not-a-key").status_code == 404
    staff = make_user(Role.AGENT)
    staff_client = client.application.test_client()
    staff_client.post("/login", data={"login": staff.login, "password": PASSWORD})
    assert staff_client.get("/portal/needs/new").status_code == 403


def test_floods_of_needs_are_limited(client: FlaskClient, owner: User) -> None:
    _login(client, "owner")
    codes = [
        client.post("/portal/needs/new", data={"subject": f"需求{n}"}).status_code
        for n in range(12)
    ]
    assert codes[:10] == [302] * 10 and codes[10:] == [429, 429]


def test_a_file_with_a_chinese_name_downloads_under_that_name(
    client: FlaskClient, owner: User
) -> None:
    """Issue 16 item 6: a raw 营业执照.pdf in the header is not Latin-1, and the server refused
    the response. RFC 6266 filename* carries the name; filename an ASCII stand-in."""
    from urllib.parse import unquote

    assert _login(client, "owner").status_code == 302
    need = {"subject": "申请担保贷款", "description": "", "category": "finance/guarantee"}
    number = client.post("/portal/needs/new", data=need).headers["Location"].rsplit("/", 1)[-1]
    upload = {"body": "营业执照", "file": (io.BytesIO(b"%PDF-1.4"), "营业执照 2026.pdf")}
    assert client.post(f"/portal/tickets/{number}/reply", data=upload).status_code == 302
    page = client.get(f"/portal/tickets/{number}").get_data(as_text=True)
    key = page.split("/portal/files/")[1].split('"')[0]
    header = client.get(f"/portal/files/{key}").headers["Content-Disposition"]
    header.encode("latin-1")  # what the WSGI server needs to send it at all
    assert header.startswith('attachment; filename="2026.pdf"; ')
    assert unquote(header.split("filename*=UTF-8''")[1]) == "营业执照 2026.pdf"
