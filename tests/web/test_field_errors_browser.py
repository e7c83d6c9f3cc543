"""A field's error message goes once the person edits that field (the role walk of 2026-12-04:
"该字段是必填字段" stayed under a subject already typed in). Static forms.js from base.html,
no inline script; the other fields' errors stay until they are edited too.

Needs Debian's Chromium (`apt-get install chromium fonts-noto-cjk`); fails, never skips."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind


@pytest.mark.browser
def test_editing_a_field_clears_its_error_and_red_border(
    live_server: str,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    signed_in_page: Callable[..., Any],
) -> None:
    from playwright.sync_api import expect

    make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, name="周杰")

    page = signed_in_page(owner, 390, 844)
    page.goto(f"{live_server}/portal/needs/new")
    page.locator("#need-form button[type=submit]").click()  # nothing typed: the server says so
    subject = page.locator("#subject")
    error = page.locator("#subject-error")
    expect(error).to_contain_text("必填")
    expect(subject).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-error")).to_have_count(1)

    subject.press_sequentially("申请担保贷款需要什么条件")
    expect(error).to_have_count(0)
    expect(subject).not_to_have_attribute("aria-invalid", "true")
    expect(page.locator(".field.has-error")).to_have_count(0)
    assert subject.evaluate("(el) => el.getAttribute('aria-describedby')") is None
