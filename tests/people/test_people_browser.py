"""In Chromium: an admin creates an agent, the agent logs in, must choose a password, then
reaches the console; the change is in the 操作记录 page. Screenshots at desktop and phone
width go to /tmp/shot-people-*.png."""

from __future__ import annotations

import re

import pytest
from chromium import CHROMIUM, DESKTOP, PHONE, SHOTS, launched
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import password

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation


def search_box(page) -> tuple[float, float, float]:  # type: ignore[no-untyped-def]
    """/admin/enterprises' search box: the width its placeholder needs, the room for text in
    the box, and the share of its form's (the page's content) width it takes."""
    return tuple(
        page.eval_on_selector(
            "main form[role=search] input[name=q]",
            """(box) => {
                const style = getComputedStyle(box);
                const pen = document.createElement("canvas").getContext("2d");
                pen.font = style.font;
                const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
                return [pen.measureText(box.placeholder).width, box.clientWidth - padding,
                        box.offsetWidth / box.form.clientWidth];
            }""",
        )
    )


@pytest.mark.browser
def test_admin_creates_an_agent_who_then_logs_in(
    live_server: str,
    admin: User,
    centre: Organisation,
    session: Session,
) -> None:
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium fonts-noto-cjk`")
    from playwright.sync_api import expect

    with launched() as browser:
        page = browser.new_page(viewport=DESKTOP, locale="zh-CN")
        page.set_default_timeout(15_000)
        page.goto(f"{live_server}/login")
        page.fill("#login", admin.login)
        page.fill("#password", password())
        page.click("button[type=submit]")
        page.click("nav summary:has-text('管理')")  # the header's 管理 menu
        page.click("nav >> text=人员管理")
        expect(page.locator("h1")).to_have_text("人员管理")
        page.click("text=新增人员")
        page.fill("#login", "agent8")
        page.fill("#name", "吴婷")
        page.select_option("#role", "agent")
        page.select_option("#organisation", "centre")
        page.fill("#extension", "80x8")  # a typo first: told beside the field
        page.select_option("#skills", ["finance", "tech"])
        page.check("input[name=languages][value=en]")
        page.fill("#password", "first-pass-8")
        page.click("button:has-text('创建')")
        expect(page.locator("#extension-error")).to_contain_text("分机号为 3 至 8 位数字")
        page.screenshot(path=str(SHOTS / "shot-people-error.png"), full_page=True)
        page.fill("#extension", "8008")
        page.fill("#password", "first-pass-8")
        page.click("button:has-text('创建')")
        expect(page.locator(".flash-success")).to_contain_text("已创建 吴婷（agent8）")
        page.screenshot(path=str(SHOTS / "shot-people-edit.png"), full_page=True)
        page.click("nav summary:has-text('管理')")  # the header's 管理 menu
        page.click("nav >> text=人员管理")
        expect(page.locator("table.people")).to_contain_text("agent8")
        page.screenshot(path=str(SHOTS / "shot-people-list.png"), full_page=True)
        page.click("nav summary:has-text('管理')")  # the header's 管理 menu
        page.click("nav >> text=操作记录")
        row = page.locator("table.changes tr", has_text="agent8")
        expect(row).to_contain_text("新增人员")
        expect(row).to_contain_text("8008")
        page.screenshot(path=str(SHOTS / "shot-people-changes.png"), full_page=True)

        page.goto(f"{live_server}/admin/enterprises")
        placeholder, room, _ = search_box(page)
        assert placeholder <= room, f"the search box's placeholder needs {placeholder} px of {room}"

        phone = browser.new_page(viewport=PHONE, locale="zh-CN")
        phone.context.add_cookies(page.context.cookies())
        for name in ("people", "people/new", "changes", "enterprises"):
            phone.goto(f"{live_server}/admin/{name}")
            shot = SHOTS / f"shot-people-phone-{name.replace('/', '-')}.png"
            phone.screenshot(path=str(shot), full_page=True)
        placeholder, room, share = search_box(phone)
        assert placeholder <= room and share > 0.95, (placeholder, room, share)

        fresh = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        agent = fresh.new_page()
        agent.goto(f"{live_server}/login")
        agent.fill("#login", "agent8")
        agent.fill("#password", "first-pass-8")
        agent.click("button[type=submit]")
        expect(agent).to_have_url(re.compile(r"/account/password"))
        expect(agent.locator(".flash-info")).to_contain_text("请先设置您自己的密码")
        agent.screenshot(path=str(SHOTS / "shot-people-password.png"), full_page=True)
        agent.fill("#current", "first-pass-8")
        agent.fill("#password", "agent8-own-pass")
        agent.fill("#confirm", "agent8-own-pass")
        agent.click("button:has-text('修改密码')")
        expect(agent.locator(".flash-success")).to_contain_text("密码已修改")
        expect(agent.locator(".who .me")).to_contain_text("吴婷")
        agent.click("nav >> text=坐席工作台")
        expect(agent).to_have_url(re.compile(r"/console"))
        expect(agent.locator("nav")).not_to_contain_text("人员管理")

    session.expire_all()
    person = session.scalars(select(User).where(User.login == "agent8")).one()
    assert person.role is Role.AGENT and not person.must_change_password
