"""In Chromium: an administrator edits the hotline's welcome and moves the finance menu to
another key, simulates the draft, sees the new path, prompt and where the call ends, and
nothing is published until 发布. Screenshots (desktop, 390 px) go to /tmp/shots-ivrsim/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone.ivr import published
from helpdesk.directory.models import Organisation, OrgKind

SHOTS = Path("/tmp/shots-ivrsim")
WELCOME = "您好，欢迎致电杭州市中小商贸流通企业公共服务平台。"
DRAFT_WELCOME = "您好，这里是草稿热线。"


@pytest.fixture(autouse=True)
def _forget_published() -> Iterator[None]:
    published.forget()
    yield
    published.forget()


def _simulate(page, keys: str, when: str = "open") -> None:  # type: ignore[no-untyped-def]
    """Run the simulation and wait for its answer (the result's counter is the sentinel)."""
    before = page.locator("#ivr-draft-result").get_attribute("data-done") or "0"
    page.fill("#ivr-draft-keys", keys)
    page.select_option("#ivr-draft-when", when)
    page.click("#ivr-draft-run")
    page.wait_for_function(
        "n => (document.getElementById('ivr-draft-result').dataset.done || '0') !== n", arg=before
    )


@pytest.mark.browser
def test_admin_simulates_an_edit_before_publishing(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    admin = make_user(Role.ADMIN, centre, login="admin", name="系统管理员")
    for width, height in ((1366, 900), (390, 844)):
        page = signed_in_page(admin, width, height)
        errors: list[str] = []
        page.on(
            "console",
            lambda m, seen=errors: seen.append(m.text) if m.type == "error" else None,
        )
        page.goto(f"{live_server}/admin/ivr/hotline.yaml")

        # the edit: a new welcome, and finance moves from key 2 to key 7
        text = page.input_value("#ivr-text")
        edited = text.replace(WELCOME, DRAFT_WELCOME).replace(
            '"2": {next: finance_menu', '"7": {next: finance_menu', 1
        )
        page.fill("#ivr-text", edited)
        _simulate(page, "7 2 03")
        result = page.locator("#ivr-draft-result")
        expect(result.locator(".ivr-sim-dialogue")).to_contain_text(DRAFT_WELCOME)
        expect(result.locator(".ivr-sim-path")).to_contain_text("按 7")
        expect(result.locator(".ivr-sim-path")).to_contain_text("finance_menu")
        expect(result.locator(".end")).to_contain_text("进入坐席队列 热线坐席")
        expect(result.locator(".ticket")).to_contain_text("担保")
        expect(result.locator("#draft-node-finance_menu")).to_have_class("ivr-node on-path")
        page.screenshot(path=str(SHOTS / f"ivr-draft-form-{width}.png"), full_page=False)
        result.scroll_into_view_if_needed()
        page.locator(".ivr-sim-end").scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"ivr-draft-end-{width}.png"), full_page=False)

        # on a holiday the same draft takes the closed branch
        _simulate(page, "1", "holiday")
        expect(result.locator(".ivr-sim-dialogue")).to_contain_text("现在是非工作时间")
        expect(result.locator(".end")).to_contain_text("留言")

        # a broken draft: its problems by line, no path made up
        page.fill("#ivr-text", edited.replace("next: hours", "next: nowhere", 1))
        _simulate(page, "1")
        expect(result.locator(".ivr-sim-errors")).to_contain_text("没有这个节点")
        expect(result.locator(".ivr-sim-errors")).to_contain_text("行")
        result.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"ivr-draft-errors-{width}.png"), full_page=False)

        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"the draft simulation is {scroll} px wide at {width}"
        # CSP refusals show up as console errors (the broken draft's 422 is expected)
        assert [e for e in errors if "422" not in e] == [], errors

        # nothing was published: the page in force still has the old welcome
        page.goto(f"{live_server}/admin/ivr/hotline.yaml")
        expect(page.locator("#node-welcome")).to_contain_text(WELCOME)
        expect(page.locator("#node-welcome")).not_to_contain_text(DRAFT_WELCOME)
        page.close()

    # 发布: now the edit is in force
    page = signed_in_page(admin)
    page.goto(f"{live_server}/admin/ivr/hotline.yaml")
    page.fill("#ivr-text", page.input_value("#ivr-text").replace(WELCOME, DRAFT_WELCOME))
    page.click("button[value=publish]")
    page.goto(f"{live_server}/admin/ivr/hotline.yaml")
    expect(page.locator("#node-welcome")).to_contain_text(DRAFT_WELCOME)
