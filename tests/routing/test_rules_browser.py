"""In Chromium: an administrator edits a rule file, simulates the edit over past tickets,
publishes it, and the next finance ticket follows the new rule without a restart; rolling back
to version 1 sends the next one where the old rule did. A supervisor reads the page without
the editor. Screenshots at 1366 and 390 px go to /tmp/shots-rules/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from web.helpers import pages_fit

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.tickets.models import Ticket

SHOTS = Path("/tmp/shots-rules")

RULES = """\
rules:
  - name: finance
    priority: 100
    description: 融资需求交杭州银行
    conditions: [{type: category, in: finance/*}]
    route: {to: [bank-a]}
  - name: default
    priority: 0
    description: 其余交服务中心
    route: {to: [centre]}
"""


@pytest.mark.browser
def test_admin_publishes_a_rule_and_rolls_it_back(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_ticket: Callable[..., Ticket],
    use_rules: Callable[..., Path],
    session: Session,
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    SHOTS.mkdir(exist_ok=True)
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="bank-a", name="杭州银行", categories=("finance",), capacity=10)
    other = make_org(slug="bank-b", name="浙商银行", categories=("finance",), capacity=10)
    use_rules({"10-finance.yaml": RULES})
    admin = make_user(Role.ADMIN, centre, login="admin", name="系统管理员")
    supervisor = make_user(Role.SUPERVISOR, centre, login="banzhang", name="王班长")
    earlier = make_ticket(admin, subject="申请流动资金贷款")
    assert earlier.assigned_org_id == bank.id

    page = signed_in_page(admin)
    page.goto(f"{live_server}/admin/rules")
    expect(page.locator("table.list").first).to_contain_text("融资需求交杭州银行")
    page.click("ul.rule-files >> text=编辑")
    expect(page.locator("h1")).to_have_text("编辑规则文件 10-finance.yaml")

    page.fill("#rule-text", RULES.replace("priority: 100", "priority: high"))
    page.click("button:has-text('检查')")
    expect(page.locator(".rule-errors")).to_contain_text("第 3 行")
    expect(page.locator("#line-3")).to_have_class("bad")

    page.fill("#rule-text", RULES.replace("to: [bank-a]", "to: [bank-b]"))
    # a year and more: the browser's own bubble said so in English and sent nothing
    page.fill("input[name=days]", "999")
    page.click("button:has-text('模拟')")
    expect(page.locator(".flash-error")).to_contain_text("天数：请填写 1 到 366 之间的整数")
    expect(page.locator("#rule-text")).to_have_value(RULES.replace("to: [bank-a]", "to: [bank-b]"))
    page.fill("input[name=days]", "7")
    page.click("button:has-text('模拟')")
    moves = page.locator("table.moves tr", has_text=earlier.number)
    expect(moves).to_contain_text("杭州银行")
    expect(moves).to_contain_text("浙商银行")
    page.screenshot(path=str(SHOTS / "rules-simulate-1366.png"), full_page=True)

    page.click("button:has-text('发布')")
    expect(page.locator(".flash-success")).to_contain_text("分派规则第 2 版已发布")
    expect(page.locator(".doc-diff .add")).to_contain_text("bank-b")
    page.screenshot(path=str(SHOTS / "rules-version-1366.png"), full_page=True)

    arrived = make_ticket(admin, subject="申请担保")  # a new need, no restart
    assert arrived.assigned_org_id == other.id
    page.goto(f"{live_server}/tickets/{arrived.number}")
    expect(page.locator("main")).to_contain_text("浙商银行")

    page.goto(f"{live_server}/admin/rules/versions/1")
    page.once("dialog", lambda dialog: dialog.accept())  # 重新启用第 1 版？几秒内生效。
    page.click("button:has-text('重新启用第 1 版')")
    expect(page.locator(".flash-success")).to_contain_text("第 1 版已重新生效，记为第 3 版")
    after = make_ticket(admin, subject="申请贴息")
    assert after.assigned_org_id == bank.id

    page.goto(f"{live_server}/admin/changes")
    expect(page.locator("main")).to_contain_text("回滚分派规则")
    expect(page.locator("main")).to_contain_text("发布分派规则")

    phone = signed_in_page(admin, 390, 844)
    pages = (("admin/rules", "rules-rules"), ("admin/rules/versions/2", "rules-version"),
             ("admin/rules/edit/10-finance.yaml", "rules-edit"))  # fmt: skip
    pages_fit(phone, live_server, pages, SHOTS, full_page=True)
    page.goto(f"{live_server}/admin/rules")
    page.screenshot(path=str(SHOTS / "rules-list-1366.png"), full_page=True)

    sup = signed_in_page(supervisor)
    sup.goto(f"{live_server}/admin/rules")
    expect(sup.locator("h1")).to_have_text("分派规则")
    expect(sup.locator("ul.rule-files")).not_to_contain_text("编辑")
    expect(sup.locator("table.rule-versions")).to_contain_text("第 3 版")
    shown = sup.goto(f"{live_server}/admin/rules/edit/10-finance.yaml")
    assert shown is not None and shown.status == 403
