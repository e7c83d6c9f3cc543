"""The agent's new-ticket form: what a good call creates, and what a bad one keeps."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Contact, Enterprise, Organisation
from helpdesk.tickets.models import Channel, Status, Ticket, TicketCounter, TicketEvent
from web.helpers import login, page


def _form(**changes: str) -> dict[str, str]:
    data = {
        "caller_phone": "138 1234 5678",
        "caller_name": "周杰",
        "enterprise_id": "",
        "uscc": "",
        "category": "finance/guarantee",
        "district": "330109",
        "type": "request",
        "channel": "phone",
        "priority": "normal",
        "subject": "咨询担保贷款额度",
        "description": "企业想了解50万元以内的担保贷款",
        "organisation_id": "",
    }
    data.update(changes)
    return data


def _written(session: Session) -> tuple[int, int, int, int]:
    count = session.scalar
    return (
        count(select(func.count(Ticket.id))) or 0,
        count(select(func.count(TicketEvent.id))) or 0,
        count(select(func.count(Contact.id))) or 0,
        count(select(func.count()).select_from(TicketCounter)) or 0,
    )


def test_form_is_grouped_by_platform_with_phone_by_default(
    client: FlaskClient, agent: User
) -> None:
    login(client, agent)
    html = page(client, "/tickets/new")
    for platform in ("信息咨询", "投资融资", "市场开拓", "科技应用", "管理创优"):
        assert f'<optgroup label="{platform}">' in html
    assert '<option selected value="phone">电话</option>' in html
    assert "来电号码" in html and "统一社会信用代码" in html


def test_agent_creates_a_ticket_by_credit_code_and_sends_it(
    client: FlaskClient,
    agent: User,
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    session: Session,
) -> None:
    bank = make_org(name="杭州银行科技支行")
    enterprise = make_enterprise(district="330106")
    login(client, agent)
    response = client.post(
        "/tickets/new",
        data=_form(uscc=enterprise.uscc.lower(), district="", organisation_id=str(bank.id)),
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    ticket = session.scalars(select(Ticket)).one()
    assert response.headers["Location"] == f"/tickets/{ticket.number}"
    assert ticket.enterprise_id == enterprise.id
    assert ticket.district_code == "330106"  # from the enterprise
    assert ticket.channel is Channel.PHONE and ticket.status is Status.ASSIGNED
    assert ticket.assigned_org_id == bank.id
    assert ticket.contact is not None and ticket.contact.phone == "+8613812345678"
    assert f"工单 {ticket.number} 已创建" in page(client, response.headers["Location"])


RULES = """\
rules:
  - name: finance
    priority: 100
    conditions:
      - {type: category, in: finance/*}
    route: {to: [bank]}
  - name: default
    priority: 0
    route: {to: [centre]}
"""


def test_without_a_chosen_organisation_the_rules_send_it_at_once(
    client: FlaskClient,
    agent: User,
    make_org: Callable[..., Organisation],
    session: Session,
    use_rules: Callable[..., object],
) -> None:
    bank = make_org(slug="bank", name="杭州银行科技支行")
    use_rules({"rules.yaml": RULES})
    login(client, agent)
    assert ">按派单规则自动派单</option>" in page(client, "/tickets/new")
    response = client.post("/tickets/new", data=_form())
    assert response.status_code == 302
    ticket = session.scalars(select(Ticket)).one()
    assert ticket.status is Status.ASSIGNED and ticket.assigned_org_id == bank.id
    assigned = session.scalars(select(TicketEvent).where(TicketEvent.kind == "assigned")).one()
    assert assigned.actor_id is None and assigned.data["rule"]  # the system, by a rule


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"caller_phone": "12345"}, "caller_phone", "电话号码无效"),
        ({"uscc": "91330100MA2XXXXXX1"}, "uscc", "统一社会信用代码无效"),
        ({"category": "finance/nonsense"}, "category", "未知的服务类别"),
        ({"district": "999999"}, "district", "未知的区县"),
        ({"district": ""}, "district", "请选择区县"),
        ({"subject": ""}, "subject", "该字段是必填字段"),
        ({"subject": "长" * 201}, "subject", "200"),
        ({"organisation_id": "999999"}, "organisation_id", "未知的服务机构"),
        ({"organisation_id": str(2**70)}, "organisation_id", "未知的服务机构"),
        ({"enterprise_id": str(2**70)}, "enterprise_id", "未知的企业"),
        # issue 16 item 6: each was a 500 or was stored
        ({"type": "evil"}, "type", "不是有效的选择"),
        ({"priority": "evil"}, "priority", "不是有效的选择"),
        ({"category": "finance"}, "category", "请选择具体服务"),
        ({"caller_phone": "138-ABCD-5678"}, "caller_phone", "电话号码无效"),
    ],
)
def test_bad_input_is_shown_by_its_field_kept_and_writes_nothing(
    client: FlaskClient,
    agent: User,
    session: Session,
    changes: dict[str, str],
    field: str,
    message: str | None,
) -> None:
    login(client, agent)
    before = _written(session)
    data = _form(**changes)
    response = client.post("/tickets/new", data=data)
    assert response.status_code in (400, 422)
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html
    if message:
        error = html[html.index(f'id="{field}-error"') :]
        assert message in error[: error.index("</p>")]
    # What the agent typed is still there.
    for name in ("caller_name", "description"):
        assert data[name] in html
    if field in ("caller_phone", "uscc", "subject") and data[field]:
        assert f'value="{data[field]}"' in html
    if field != "subject":
        assert f'value="{data["subject"]}"' in html
    if field != "district":
        assert '<option selected value="330109">' in html
    assert _written(session) == before


def test_several_mistakes_are_all_shown_at_once(
    client: FlaskClient, agent: User, session: Session
) -> None:
    login(client, agent)
    data = _form(caller_phone="abc", uscc="123", category="nope/nope")
    html = client.post("/tickets/new", data=data).get_data(as_text=True)
    for field in ("caller_phone", "uscc", "category"):
        assert f'id="{field}-error"' in html
    assert 'value="abc"' in html and 'value="123"' in html
    assert _written(session) == (0, 0, 0, 0)


def test_unregistered_credit_code_is_named(
    client: FlaskClient, agent: User, session: Session
) -> None:
    from stdnum.cn import uscc

    body = "91330100MA2B00000"
    code = body + uscc.calc_check_digit(body)
    login(client, agent)
    response = client.post("/tickets/new", data=_form(uscc=code))
    assert response.status_code == 422
    assert "没有以该统一社会信用代码登记的企业" in response.get_data(as_text=True)
    assert _written(session) == (0, 0, 0, 0)


def test_english_form_and_errors(client: FlaskClient, agent: User) -> None:
    login(client, agent)
    html = page(client, "/tickets/new?lang=en")
    assert '<optgroup label="Investment &amp; financing">' in html and "Caller phone" in html
    response = client.post("/tickets/new", data=_form(caller_phone="12345"))
    assert "Not a valid phone number." in response.get_data(as_text=True)


@pytest.mark.parametrize("field", ["subject", "caller_name", "description", "uscc"])
def test_a_nul_character_is_refused_on_its_field(
    client: FlaskClient, agent: User, session: Session, field: str
) -> None:
    """PostgreSQL cannot store NUL (a 500 there); SQLite stored it. Refused, field named."""
    login(client, agent)
    response = client.post("/tickets/new", data=_form(**{field: "杭州\x00商贸"}))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error = html[html.index(f'id="{field}-error"') :]
    assert "空字符" in error[: error.index("</p>")]
    assert _written(session) == (0, 0, 0, 0)
