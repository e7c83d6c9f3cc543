"""The business calendar entered by hand (issue 13 item 6): a holiday entered on the page moves
an SLA due time (the clock driven to 31 December 2026), a holiday outside its year is a field
error, and from 1 November the wallboard and `helpdesk sla check` warn while next year is
missing. Every entry is in the 操作记录."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.cli import main
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.sla.models import CalendarDay, TicketSla
from helpdesk.tickets.models import Ticket

NEW_YEARS_EVE_4PM = datetime(2026, 12, 31, 16, 0, tzinfo=HANGZHOU)  # a Thursday


@pytest.fixture
def centre_rules(centre: Organisation, use_rules: Callable[..., object]) -> None:
    use_rules({"rules.yaml": "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"})


def _due(session: Session, ticket: Ticket) -> datetime:
    session.expire_all()
    sla = session.get(TicketSla, ticket.id)
    assert sla is not None and sla.first_response_due is not None
    return sla.first_response_due.astimezone(HANGZHOU)


def _enter(client: FlaskClient, year: int, **fields: str) -> str:
    data = {f"add-{k}": v for k, v in fields.items()}
    response = client.post(f"/admin/calendar/{year}/days", data=data, follow_redirects=True)
    return response.get_data(as_text=True)


def test_a_holiday_entered_by_hand_moves_the_sla_due_time(
    client: FlaskClient,
    admin: User,
    centre_rules: None,
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    clock.freeze(NEW_YEARS_EVE_4PM)
    # 4 h first response: 1.5 h left today, then 2.5 h of 1 January, a working day while
    # nobody knows 2027
    before = make_ticket(admin)
    assert _due(session, before) == datetime(2027, 1, 1, 11, 0, tzinfo=HANGZHOU)

    login(client, admin)
    html = page(client, "/admin/calendar")  # December: next year is the one shown
    assert "工作日历 2027" in html and "缺少 2027 年节假日数据" in html
    html = _enter(client, 2027, first="2027-01-01", last="2027-01-03", kind="holiday", name="元旦")
    assert "已录入 3 天" in html and "在本运营管理系统中手工录入" in html
    assert 'class="day holiday" data-date="2027-01-01" title="元旦"' in html
    assert "缺少 2027 年节假日数据" not in html

    after = make_ticket(admin)
    assert _due(session, after) == datetime(2027, 1, 4, 11, 0, tzinfo=HANGZHOU)  # Monday

    # removed again: the next ticket counts 1 January as a working day once more
    client.post("/admin/calendar/2027/remove", data={"rm-day": "2027-01-01"})
    assert _due(session, make_ticket(admin)) == datetime(2027, 1, 1, 11, 0, tzinfo=HANGZHOU)
    kinds = list(session.scalars(select(AdminChange.kind).order_by(AdminChange.id)))
    assert kinds == ["calendar.days_added", "calendar.day_removed"]
    changes = page(client, "/admin/changes")
    assert "录入日历日期" in changes and "2027-01-02" in changes


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"first": "2028-01-01"}, "first", "2028-01-01 不在 2027 年内"),
        ({"first": "2027-12-31", "last": "2028-01-02"}, "last", "2028-01-02 不在 2027 年内"),
        ({"first": "2027-02-30"}, "first", "请输入形如 2027-01-01 的日期"),
        ({"first": "2027-05-05", "last": "2027-05-01"}, "last", "末日早于首日"),
        ({"first": "2027-02-08", "kind": "workday"}, "first", "是工作日，本来就上班"),
        ({"name": ""}, "name", "请填写名称"),
    ],
)
def test_bad_entries_are_told_beside_their_field(
    client: FlaskClient, admin: User, fields: dict[str, str], field: str, message: str
) -> None:
    login(client, admin)
    data = {"first": "2027-10-01", "last": "", "kind": "holiday", "name": "国庆节", **fields}
    response = client.post(
        "/admin/calendar/2027/days", data={f"add-{k}": v for k, v in data.items()}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="add-{field}-error"' in html and message in html, html[:3000]


def test_a_day_entered_twice_is_refused(client: FlaskClient, admin: User, session: Session) -> None:
    login(client, admin)
    _enter(client, 2027, first="2027-02-06", kind="workday", name="春节调休")
    html = _enter(client, 2027, first="2027-02-06", kind="holiday", name="春节")
    assert "2027-02-06 已录入（春节调休），请先删除" in html
    assert [d.kind for d in session.scalars(select(CalendarDay))] == ["workday"]


def test_next_year_missing_is_warned_from_1_november(
    client: FlaskClient,
    admin: User,
    make_user: Callable[..., User],
    centre: Organisation,
    cli_env: None,
) -> None:
    supervisor = make_user(Role.SUPERVISOR, centre)
    login(client, supervisor)

    clock.freeze(datetime(2026, 10, 31, 12, 0, tzinfo=HANGZHOU))
    assert "缺少 2027 年节假日数据" not in page(client, "/wallboard")
    checked = CliRunner().invoke(main, ["sla", "check"])
    assert checked.exit_code == 0, checked.output
    assert "no holiday data for 2027" not in checked.output

    clock.freeze(datetime(2026, 11, 1, 0, 30, tzinfo=HANGZHOU))
    wall = page(client, "/wallboard")
    assert "缺少 2027 年节假日数据：SLA 时限将把其节假日按工作日计算" in wall
    assert "请管理员在工作日历中录入" in wall
    checked = CliRunner().invoke(main, ["sla", "check"])
    assert checked.exit_code == 0 and "warning: no holiday data for 2027" in checked.output

    added = CliRunner().invoke(
        main, ["sla", "holiday", "add", "2027", "2027-01-01", "2027-01-03", "--name", "元旦"]
    )
    assert added.exit_code == 0, added.output
    assert "no holiday data for 2027" not in CliRunner().invoke(main, ["sla", "check"]).output
    assert "缺少 2027 年节假日数据" not in page(client, "/wallboard")
    listed = CliRunner().invoke(main, ["sla", "holiday", "list", "2027"])
    assert "2027-01-02\tholiday\t元旦" in listed.output
    bad = CliRunner().invoke(main, ["sla", "holiday", "add", "2027", "2026-12-31", "--name", "x"])
    assert bad.exit_code == 1 and "first: 2026-12-31 不在 2027 年内" in bad.output


def test_policies_read_by_supervisors_edited_by_admins(
    client: FlaskClient, admin: User, make_user: Callable[..., User], centre: Organisation
) -> None:
    login(client, make_user(Role.SUPERVISOR, centre, login="sup", name="值班主管"))
    html = page(client, "/admin/sla")
    assert "SLA 策略" in html and "一般服务请求与咨询" in html
    assert "4 小时" in html and "升级阶梯" in html and "督办" in html
    login(client, admin)
    html = page(client, "/admin/sla")
    assert 'name="standard.first_response" value="4h"' in html and "保存为新版本" in html
