"""/admin/people and /admin/changes through the pages: create, edit, bad input in Chinese,
two admins at once, disable, password reset, and every change in the 操作记录 page."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page, password

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange


def _form(person: User | None = None, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "login": "agent9",
        "name": "孙丽",
        "role": "agent",
        "organisation": "centre",
        "extension": "8009",
        "skills": "finance, manage/legal",
        "languages": ["zh", "en"],
        "password": "first-pass-1",
    }
    if person is not None:
        base.pop("password")
        base["version"] = str(person.version)
    base.update(fields)
    return base


def _rows(html: str) -> str:
    """The 操作记录 table only (the filter's options name every kind too)."""
    start = html.find('<table class="tickets changes">')
    return html[start : html.find("</table>", start)] if start >= 0 else ""


def _person(session: Session, login_name: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.login == login_name)).one()


def test_admin_creates_a_person_who_must_choose_a_password(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    assert "人员管理" in page(client, "/tickets")  # linked from the header for admins
    response = client.post("/admin/people/new", data=_form())
    assert response.status_code == 302
    person = _person(session, "agent9")
    assert person.role is Role.AGENT and person.extension == "8009"
    assert person.skills == ["finance", "manage/legal"] and person.languages == ["zh", "en"]
    assert person.organisation is not None and person.organisation.slug == "centre"
    assert person.must_change_password

    other = client.application.test_client()
    response = other.post("/login", data={"login": "agent9", "password": "first-pass-1"})
    assert response.status_code == 302
    response = other.get("/tickets")
    assert response.status_code == 302 and "/account/password" in response.headers["Location"]
    assert "请先设置您自己的密码" in page(other, "/account/password")
    response = other.post(
        "/account/password",
        data={"current": "first-pass-1", "password": "my-own-pass", "confirm": "my-own-pass"},
    )
    assert response.status_code == 302
    assert other.get("/tickets").status_code == 200
    assert not _person(session, "agent9").must_change_password


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"login": "agent1"}, "login", "登录名 agent1 已被使用"),
        ({"login": "AGENT1"}, "login", "登录名 AGENT1 已被使用"),
        ({"login": "a b"}, "login", "2 至 64 位"),
        ({"extension": "80x1"}, "extension", "分机号为 3 至 8 位数字"),
        ({"extension": "8001"}, "extension", "分机号 8001 已属于 李娜（agent1）"),
        ({"skills": "finance, cooking"}, "skills", "未知技能：cooking"),
        ({"role": "provider", "organisation": ""}, "organisation", "服务机构人员须属于一个机构"),
        ({"name": ""}, "name", "请填写姓名"),
        ({"password": "short"}, "password", "至少 8 个字符"),
        ({"password": "12345678"}, "password", "不能全是数字"),
        ({"password": "abababab"}, "password", "至少含 4 个不同的字符"),
    ],
)
def test_bad_input_gets_a_chinese_message_beside_its_field(
    client: FlaskClient,
    admin: User,
    make_user: Callable[..., User],
    centre: Organisation,
    session: Session,
    fields: dict[str, object],
    field: str,
    message: str,
) -> None:
    make_user(Role.AGENT, centre, login="agent1", name="李娜", extension="8001")
    login(client, admin)
    response = client.post("/admin/people/new", data=_form(**fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', html)
    assert found, html[html.find("<main>") :][:3000]
    assert message in found.group(1)
    session.expire_all()
    assert session.scalars(select(AdminChange)).first() is None  # nothing was written


def test_edit_is_logged_with_before_and_after_and_shown(
    client: FlaskClient, admin: User, make_user: Callable[..., User], centre: Organisation,
    session: Session,
) -> None:  # fmt: skip
    person = make_user(Role.AGENT, centre, login="agent2", name="张伟", extension="8002")
    login(client, admin)
    response = client.post(
        f"/admin/people/{person.id}",
        data=_form(person, login="agent2", name="张伟", extension="8012", skills="tech"),
    )
    assert response.status_code == 302
    change = session.scalars(select(AdminChange).where(AdminChange.kind == "user.updated")).one()
    assert change.actor_login == "admin" and change.target_label == "agent2"
    assert change.before == {"extension": "8002", "skills": [], "languages": []}
    assert change.after == {"extension": "8012", "skills": ["tech"], "languages": ["zh", "en"]}
    html = page(client, "/admin/changes")
    assert "操作记录" in html and "编辑人员" in html and "agent2" in html
    assert "<del>8002</del> → <ins>8012</ins>" in html


def test_a_second_admin_editing_the_same_person_is_told_and_nothing_is_lost(
    client: FlaskClient, admin: User, make_user: Callable[..., User], centre: Organisation,
    session: Session,
) -> None:  # fmt: skip
    person = make_user(Role.AGENT, centre, login="agent3", name="王芳", extension="8003")
    second_admin = make_user(Role.ADMIN, centre, login="admin2", name="第二管理员")
    opened = _form(person, login="agent3", name="王芳", extension="8003")  # both open the form
    login(client, admin)
    other = client.application.test_client()
    login(other, second_admin)

    assert (
        client.post(f"/admin/people/{person.id}", data={**opened, "name": "王芳芳"}).status_code
        == 302
    )
    response = other.post(f"/admin/people/{person.id}", data={**opened, "extension": "8033"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "admin 于" in html and "未保存" in html
    assert 'value="王芳芳"' in html  # the form now shows the first admin's version
    saved = _person(session, "agent3")
    assert saved.name == "王芳芳" and saved.extension == "8003"


def test_disable_enable_and_reset_password_are_logged(
    client: FlaskClient, admin: User, make_user: Callable[..., User], centre: Organisation,
    session: Session,
) -> None:  # fmt: skip
    person = make_user(Role.AGENT, centre, login="agent4", name="赵强")
    login(client, admin)
    person_client = client.application.test_client()
    login(person_client, person)

    assert (
        client.post(
            f"/admin/people/{person.id}/disable", data={"btn-version": str(person.version)}
        ).status_code
        == 302
    )
    assert person_client.get("/tickets").status_code == 302  # their session no longer loads
    assert (
        person_client.post("/login", data={"login": "agent4", "password": password()}).status_code
        == 401
    )
    version = _person(session, "agent4").version
    assert (
        client.post(
            f"/admin/people/{person.id}/enable", data={"btn-version": str(version)}
        ).status_code
        == 302
    )
    response = client.post(f"/admin/people/{person.id}/password", data={"reset-password": "x"})
    assert response.status_code == 422 and "至少 8 个字符" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/people/{person.id}/password", data={"reset-password": "reset-pass-1"}
    )
    assert response.status_code == 302
    assert client.post(f"/admin/people/{person.id}/sessions", data={}).status_code == 302
    assert _person(session, "agent4").must_change_password

    rows = _rows(page(client, "/admin/changes?target=agent4"))
    for words in ("停用人员", "重新启用人员", "管理员重置密码", "结束全部会话"):
        assert words in rows
    assert rows.count('<td class="nowrap">admin</td>') == 4
    assert "reset-pass-1" not in rows and "scrypt" not in rows
    only_disables = _rows(page(client, "/admin/changes?kind=user.disabled"))
    assert "停用人员" in only_disables and "重新启用人员" not in only_disables
    assert "没有符合条件的操作记录" in page(client, "/admin/changes?actor=nobody")
    bad = page(client, "/admin/changes?since=yesterday")
    assert "日期格式如 2026-12-01" in bad and not _rows(bad)


def test_an_admin_cannot_lock_themselves_out(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    client.post(f"/admin/people/{admin.id}/disable", data={"btn-version": str(admin.version)})
    assert "不能停用自己的账号" in page(client, f"/admin/people/{admin.id}")
    response = client.post(
        f"/admin/people/{admin.id}",
        data=_form(admin, login="admin", name="系统管理员", role="agent", extension=""),
    )
    assert response.status_code == 422 and "不能取消自己的管理员角色" in response.get_data(
        as_text=True
    )
    assert _person(session, "admin").active


ADMIN_PAGES = [
    ("GET", "/admin/people"),
    ("GET", "/admin/people/new"),
    ("POST", "/admin/people/new"),
    ("GET", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}"),
    ("POST", "/admin/people/{id}/disable"),
    ("POST", "/admin/people/{id}/enable"),
    ("POST", "/admin/people/{id}/password"),
    ("POST", "/admin/people/{id}/sessions"),
    ("GET", "/admin/changes"),
]


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.PROVIDER, Role.ENTERPRISE])
def test_non_admins_get_403_on_every_admin_page(
    client: FlaskClient, make_user: Callable[..., User], centre: Organisation, role: Role,
    session: Session,
) -> None:  # fmt: skip
    target = make_user(Role.AGENT, centre, login="target")
    user = make_user(role, centre if role is not Role.ENTERPRISE else None)
    login(client, user)
    for method, url in ADMIN_PAGES:
        response = client.open(url.format(id=target.id), method=method, data=_form())
        assert response.status_code == 403, (method, url, response.status_code)
    assert "人员管理" not in client.get("/login?lang=zh_CN").get_data(as_text=True)
    session.expire_all()
    assert session.scalars(select(AdminChange)).first() is None
    assert _person(session, "target").active


def test_anonymous_visitors_are_sent_to_login(client: FlaskClient) -> None:
    for method, url in ADMIN_PAGES:
        response = client.open(url.format(id=1), method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_every_bad_field_is_reported_in_one_round(
    client: FlaskClient,
    admin: User,
    make_user: Callable[..., User],
    centre: Organisation,
    session: Session,
) -> None:
    """The role walk of 2026-12-04: the login's error came first, the password's only once the
    login was fixed, and a too-long name hid the rest. Every field's message at once now."""
    make_user(Role.AGENT, centre, login="agent1", name="李娜", extension="8001")
    login(client, admin)
    for fields in (
        {"login": "agent1", "name": "", "extension": "8001", "password": "short"},
        {"login": "agent1", "name": "孙" * 61, "extension": "12", "password": "agent1"},
    ):
        response = client.post("/admin/people/new", data=_form(**fields))
        assert response.status_code == 422
        html = response.get_data(as_text=True)
        errors = dict(re.findall(r'<p class="error" id="(\w+)-error">([^<]*)</p>', html))
        assert set(errors) == {"login", "name", "extension", "password"}, errors
        assert all(re.search(r"[\u4e00-\u9fff]", m) for m in errors.values()), errors
        assert 'value="agent1"' in html  # what was typed is kept
    session.expire_all()
    assert session.scalars(select(AdminChange)).first() is None


def test_a_weak_new_password_of_ones_own_is_refused_beside_its_field(
    client: FlaskClient, make_user: Callable[..., User], centre: Organisation
) -> None:
    """/account/password took 12345678: eight characters were the only rule."""
    agent = make_user(Role.AGENT, centre)
    login(client, agent)
    response = client.post(
        "/account/password",
        data={"current": password(), "password": "12345678", "confirm": "12345678"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    found = re.search(r'<p class="error" id="password-error">([^<]*)</p>', html)
    assert found and "不能全是数字" in found.group(1)
