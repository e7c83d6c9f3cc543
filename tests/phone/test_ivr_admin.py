"""/admin/ivr: the scripts with their problems, the menu drawn on the page, edit → check →
publish (calls follow the published version without a restart), versions and rollback;
administrators edit, supervisors read, others are refused."""

from __future__ import annotations

import html
from collections.abc import Iterator

import pytest
from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.channels.phone.ivr import loader, published
from helpdesk.directory.models import OrgKind
from helpdesk.oplog.models import AdminChange

PASSWORD = "secret-pass"  # tests/conftest.py's make_user
WELCOME = "您好，欢迎致电杭州市中小商贸流通企业公共服务平台。"


@pytest.fixture(autouse=True)
def _forget_published() -> Iterator[None]:
    published.forget()
    yield
    published.forget()


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code in (302, 303)


def welcome_prompt(app) -> str:  # type: ignore[no-untyped-def]
    with app.app_context():
        return loader.load("hotline").node("welcome").prompts()["prompt"].for_language("zh")


def test_admin_edits_publishes_and_rolls_back(app, client, session, make_org, make_user):
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    login(client, make_user(Role.ADMIN, centre, login="admin"))
    page = client.get("/admin/ivr").get_data(as_text=True)
    assert "hotline.yaml" in page and "没有问题" in page
    # the versions note is shared with the rules page: it called the scripts 规则文件
    assert "平台自带的文件保存为第 1 版" in page and "规则文件" not in page
    page = client.get("/admin/ivr/hotline.yaml").get_data(as_text=True)
    assert "来电从这里开始" in page and "按 1" in page and WELCOME in page  # the menu drawn

    text = (loader.DEFAULT_FOLDER / "hotline.yaml").read_text(encoding="utf-8")
    broken = text.replace("next: hours", "next: nowhere", 1)
    response = client.post("/admin/ivr/hotline.yaml", data={"text": broken, "action": "publish"})
    assert response.status_code == 422
    assert "没有这个节点" in response.get_data(as_text=True)
    assert welcome_prompt(app) == WELCOME  # nothing published

    edited = text.replace(WELCOME, "您好，这里是杭州中小企业服务热线。")
    response = client.post("/admin/ivr/hotline.yaml", data={"text": edited, "action": "publish"})
    assert response.status_code == 302
    assert welcome_prompt(app) == "您好，这里是杭州中小企业服务热线。"  # no restart
    page = client.get("/admin/ivr/versions/2").get_data(as_text=True)
    assert 'class="add"' in page and "这里是杭州中小企业服务热线" in page

    assert client.post("/admin/ivr/versions/1/rollback").status_code == 302
    assert welcome_prompt(app) == WELCOME
    kinds = [c.kind for c in session.scalars(select(AdminChange).order_by(AdminChange.id))]
    assert kinds == ["ivr.published", "ivr.rolled_back"]


def test_publishing_a_script_unchanged_is_refused_on_the_editor(client, session, make_org,
                                                                  make_user):  # fmt: skip
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    login(client, make_user(Role.ADMIN, centre, login="admin"))
    text = (loader.DEFAULT_FOLDER / "hotline.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/admin/ivr/hotline.yaml",
        data={"text": text, "action": "publish"},
        headers={"Accept-Language": "zh-CN"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有改动，无需发布" in page
    assert html.escape(WELCOME) in page or WELCOME in page  # still on the editor
    assert session.scalars(select(AdminChange)).all() == []  # nothing published


def test_supervisors_read_and_others_are_refused(client, make_org, make_user):
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    login(client, make_user(Role.SUPERVISOR, centre))
    assert client.get("/admin/ivr").status_code == 200
    page = client.get("/admin/ivr/hotline.yaml").get_data(as_text=True)
    assert "<textarea" not in page
    assert client.post("/admin/ivr/hotline.yaml", data={"text": "x"}).status_code == 403
    assert client.post("/admin/ivr/versions/1/rollback").status_code == 403
    client.post("/logout")
    login(client, make_user(Role.AGENT, centre))
    assert client.get("/admin/ivr").status_code == 403


def test_a_yaml_mistake_reads_as_one_sentence(client, make_org, make_user):
    """A syntax error has no field: the page said 第 N 行：: YAML 语法错误 (two colons), and
    the message itself was set in code type."""
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    login(client, make_user(Role.ADMIN, centre, login="admin"))
    text = (loader.DEFAULT_FOLDER / "hotline.yaml").read_text(encoding="utf-8")
    response = client.post(
        "/admin/ivr/hotline.yaml", data={"text": text + "\n  bad: [x\n", "action": "check"}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "</a>：YAML 语法错误" in page and "：:" not in page
    assert text + "\n  bad: [x\n" in html.unescape(page)  # what was typed is still there
