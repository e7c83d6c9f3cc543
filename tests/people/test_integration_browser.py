"""In Chromium: an admin issues a read token on /admin/tokens, sees its value once, revokes it;
blocks a number on /admin/blocked-numbers. Screenshots at desktop and phone width go to
/tmp/shot-integrations-*.png."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation

SHOTS = Path("/tmp")


@pytest.mark.browser
def test_admin_issues_and_revokes_a_token_and_blocks_a_number(
    live_server: str,
    admin: User,
    centre: Organisation,
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    page = signed_in_page(admin, 1280)
    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=API 令牌")
    expect(page.locator("h1")).to_have_text("API 令牌")
    page.fill("#name", "工单同步")
    page.select_option("#scope", "read")
    page.fill("#expires", "去年")  # a typo first: told beside the field
    page.click("button:has-text('签发')")
    expect(page.locator("#expires-error")).to_contain_text("2027-01-31")
    page.fill("#expires", "2099-12-31")
    page.click("button:has-text('签发')")
    expect(page.locator("#token-value")).to_contain_text("hd_")
    page.screenshot(path=str(SHOTS / "shot-integrations-token-shown.png"), full_page=True)
    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=API 令牌")
    expect(page.locator("#token-value")).to_have_count(0)  # never shown again
    # revoking cannot be undone: it was one click; now the page asks, and 取消 keeps the token
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    with page.expect_event("dialog"):
        page.click("table.tokens >> button:has-text('吊销')")
    assert asked == ["吊销令牌 工单同步？使用它的系统将立即被拒绝。"]
    expect(page.locator("table.tokens")).to_contain_text("使用中")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("table.tokens >> button:has-text('吊销')")
    expect(page.locator("table.tokens")).to_contain_text("已吊销")
    page.screenshot(path=str(SHOTS / "shot-integrations-tokens.png"), full_page=True)

    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=拦截号码")
    page.fill("#number", "13900000000")
    page.fill("#note", "骚扰电话")
    page.click("button:has-text('拦截')")
    expect(page.locator(".flash-success")).to_contain_text("已拦截 139 0000 0000")
    expect(page.locator("table.blocked")).to_contain_text("139 0000 0000")
    page.screenshot(path=str(SHOTS / "shot-integrations-blocked.png"), full_page=True)

    page.click("nav summary:has-text('管理')")  # the header's 管理 menu
    page.click("nav >> text=事件推送")
    page.fill("#url", "http://10.0.0.8/hook")  # the platform's own network: refused
    page.click("button:has-text('订阅')")
    expect(page.locator("#url-error")).to_contain_text("私有或回环网络")
    page.screenshot(path=str(SHOTS / "shot-integrations-webhooks.png"), full_page=True)

    phone = signed_in_page(admin, 390, 844)
    # the token, shown this once, ran off a phone's screen (its end cut off)
    phone.goto(f"{live_server}/admin/tokens")
    phone.fill("#name", "手机签发")
    phone.click("button:has-text('签发')")
    expect(phone.locator("#token-value")).to_contain_text("hd_")
    # a token breaks only at a dash, and most have none where it matters: make it one of those
    phone.eval_on_selector("#token-value", "code => { code.textContent = 'hd_' + 'x'.repeat(43) }")
    box = phone.locator("#token-value").bounding_box()
    assert box is not None and box["x"] + box["width"] <= 390
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    for name in ("tokens", "blocked-numbers", "webhooks"):
        phone.goto(f"{live_server}/admin/{name}")
        phone.screenshot(path=str(SHOTS / f"shot-integrations-phone-{name}.png"), full_page=True)
