"""In Chromium: an administrator opens the IVR scripts, sees the hotline's menu drawn as
boxes, follows a key to the box it leads to, and both pages fit a phone (390 px) and a
desktop. Screenshots go to /tmp/shots-rules/."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from web.helpers import pages_fit

from helpdesk.auth.models import Role, User
from helpdesk.channels.phone.ivr import published
from helpdesk.directory.models import Organisation, OrgKind

SHOTS = Path("/tmp/shots-rules")


@pytest.fixture(autouse=True)
def _forget_published() -> Iterator[None]:
    published.forget()
    yield
    published.forget()


@pytest.mark.browser
def test_admin_reads_the_hotline_menu_on_desktop_and_phone(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    admin = make_user(Role.ADMIN, centre, login="admin", name="系统管理员")
    page = signed_in_page(admin)
    page.click("nav summary:has-text('管理')")
    page.click("nav >> text=语音导航脚本")
    expect(page.locator("table.ivr-scripts")).to_contain_text("服务热线主菜单")
    page.screenshot(path=str(SHOTS / "ivr-list-1366.png"), full_page=True)
    page.click("table.ivr-scripts >> text=hotline.yaml")
    expect(page.locator("#node-welcome")).to_contain_text("来电从这里开始")
    page.locator("#node-main_menu a", has_text="finance_menu").click()
    expect(page.locator("#node-finance_menu")).to_contain_text("投资融资")
    page.screenshot(path=str(SHOTS / "ivr-script-1366.png"), full_page=False)

    phone = signed_in_page(admin, 390, 844)
    pages = (("admin/ivr", "ivr-list"), ("admin/ivr/hotline.yaml", "ivr-script"),
             ("admin/ivr/versions/1", "ivr-version"))  # fmt: skip
    pages_fit(phone, live_server, pages, SHOTS, full_page=False)
