"""/admin/ivr/<file>/simulate: a call through the edited, unpublished text — the path, the
prompts, where it ends and the ticket it makes, or the validator's problems by line; nothing
is published. The browser side is in test_ivr_draft_browser.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from helpdesk.auth.models import Role
from helpdesk.channels.phone.ivr import loader, published
from helpdesk.directory.models import OrgKind

PASSWORD = "secret-pass"  # tests/conftest.py's make_user
HOTLINE = loader.DEFAULT_FOLDER / "hotline.yaml"
WELCOME = "您好，欢迎致电杭州市中小商贸流通企业公共服务平台。"
FETCH = {"X-Requested-With": "fetch"}


@pytest.fixture(autouse=True)
def _forget_published() -> Iterator[None]:
    published.forget()
    yield
    published.forget()


@pytest.fixture
def admin_client(client, make_org, make_user):  # type: ignore[no-untyped-def]
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    admin = make_user(Role.ADMIN, centre, login="admin")
    response = client.post("/login", data={"login": admin.login, "password": PASSWORD})
    assert response.status_code in (302, 303)
    return client


def simulate(client, text: str, keys: str = "", when: str = "open"):  # type: ignore[no-untyped-def]
    return client.post("/admin/ivr/hotline.yaml/simulate", headers=FETCH,
                       data={"text": text, "keys": keys, "when": when})  # fmt: skip


def test_the_draft_is_simulated_not_published(app, admin_client) -> None:  # type: ignore[no-untyped-def]
    text = HOTLINE.read_text(encoding="utf-8")
    # the edit: a new welcome, and the finance key moves from 2 to 7
    edited = text.replace(WELCOME, "您好，这里是草稿热线。").replace(
        '"2": {next: finance_menu', '"7": {next: finance_menu', 1
    )
    page = simulate(admin_client, edited, "7 2 03").get_data(as_text=True)
    assert "您好，这里是草稿热线。" in page
    assert "按 7" in page and "finance_menu" in page
    assert "进入坐席队列" in page and "热线坐席" in page  # the queue it ends in, in words
    assert "投资融资" in page and "担保" in page  # the ticket's category
    assert 'id="draft-node-finance_menu" class="ivr-node on-path"' in page
    assert "flowchart TD" in page  # the Mermaid text of the draft
    with app.app_context():
        script = loader.load("hotline")
        assert script.nodes["welcome"].prompts()["prompt"].for_language("zh") == WELCOME
    assert "草稿热线" not in admin_client.get("/admin/ivr/hotline.yaml").get_data(as_text=True)


@pytest.mark.parametrize(
    ("when", "said"),
    [("open", "信息咨询请按1"), ("closed", "现在是非工作时间"), ("holiday", "现在是非工作时间")],
)
def test_time_of_day_picks_the_branch(admin_client, when: str, said: str) -> None:  # type: ignore[no-untyped-def]
    page = simulate(admin_client, HOTLINE.read_text(encoding="utf-8"), "", when).get_data(
        as_text=True
    )
    assert said in page
    assert "等待按键" in page  # the call waits at the first menu: type more keys


def test_closed_message_makes_a_callback_ticket(admin_client) -> None:  # type: ignore[no-untyped-def]
    page = simulate(admin_client, HOTLINE.read_text(encoding="utf-8"), "1", "holiday")
    text = page.get_data(as_text=True)
    assert "留言" in text and "咨询" in text
    assert "节假日" in text


def test_an_invalid_draft_shows_its_problems_by_line(admin_client) -> None:  # type: ignore[no-untyped-def]
    text = HOTLINE.read_text(encoding="utf-8")
    broken = text.replace("next: hours", "next: nowhere", 1)
    lines = broken.split("\n")
    # the validator names the node's line or the field's: either is in the welcome node
    welcome = range(lines.index("  welcome:") + 1, lines.index("    next: nowhere") + 2)
    response = simulate(admin_client, broken, "1")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert any(f"第 {n} 行" in page for n in welcome) and "没有这个节点" in page
    assert "请先修正，再模拟" in page  # the call would run into it: no path is made up
    unparsable = simulate(admin_client, "nodes: [\n", "1")
    assert unparsable.status_code == 422  # a clear answer, not a 500
    assert "第" in unparsable.get_data(as_text=True)


def test_without_script_the_answer_is_a_whole_page(admin_client) -> None:  # type: ignore[no-untyped-def]
    data = {"text": HOTLINE.read_text(encoding="utf-8"), "keys": "0"}
    response = admin_client.post("/admin/ivr/hotline.yaml/simulate", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" in page and "返回脚本" in page


def test_only_administrators_simulate(client, make_org, make_user) -> None:  # type: ignore[no-untyped-def]
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    boss = make_user(Role.SUPERVISOR, centre, login="boss")
    client.post("/login", data={"login": boss.login, "password": PASSWORD})
    assert simulate(client, "x").status_code == 403
    assert client.post("/admin/ivr/nope.yaml/simulate").status_code == 403
