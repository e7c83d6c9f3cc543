"""SLA policy versions (issue 13 item 6, as the routing rules have them): the list with who and
when, the diff between two versions, a rollback from the page or `helpdesk sla rollback` (an
audited event like a save), and a rollback made in another process reaching this one within
reference_version.CHECK_EVERY (its clock moved here, never slept)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock, reference_version
from helpdesk.auth.models import Role, User
from helpdesk.cli import main
from helpdesk.config import Settings
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.sla.holidays import sla_folder
from helpdesk.sla.models import TicketSla
from helpdesk.tickets.models import Priority, Ticket

from .test_sla_policies_console import HIGH_FIRST_RESPONSE, MONDAY_9AM, _form

WORKTREE = Path(__file__).resolve().parents[2]
HIGH_ORIGINAL = "first_response: 2h"  # the first such line is the high override


@pytest.fixture
def centre_rules(centre: Organisation, use_rules: Callable[..., object]) -> None:
    use_rules({"rules.yaml": "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"})


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The CLI's environment: this test's database (in-process and in another interpreter)."""
    env = {
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_INSTANCE_PATH": str(settings.instance_path),
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


def _due_hours(session: Session, ticket: Ticket) -> float:
    session.expire_all()
    sla = session.get(TicketSla, ticket.id)
    assert sla is not None and sla.first_response_due is not None
    return (sla.first_response_due.astimezone(HANGZHOU) - MONDAY_9AM).total_seconds() / 3600


def _save_3h(client: FlaskClient) -> None:
    form = _form(page(client, "/admin/sla"))
    done = client.post("/admin/sla", data=form | {HIGH_FIRST_RESPONSE: "3h"})
    assert done.status_code == 302


def _edited_file(tmp_path: Path, old: str, new: str) -> Path:
    text = (sla_folder() / "policies.yaml").read_text(encoding="utf-8")
    assert old in text
    draft = tmp_path / "policies.yaml"
    draft.write_text(text.replace(old, new, 1), encoding="utf-8")
    return draft


def test_versions_diff_and_rollback_on_the_page(
    client: FlaskClient,
    admin: User,
    make_user: Callable[..., User],
    centre: Organisation,
    centre_rules: None,
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    clock.freeze(MONDAY_9AM)
    login(client, admin)
    _save_3h(client)

    listed = page(client, "/admin/sla")
    assert "已保存的版本" in listed and "第 2 版" in listed and "平台自带文件" in listed
    assert 'href="/admin/sla/versions/2"' in listed

    diff = page(client, "/admin/sla/versions/2")
    assert "第 1 版到第 2 版的改动" in diff
    assert re.search(r'<div class="remove">.*<code>- +first_response: 2h</code>', diff)
    assert re.search(r'<div class="add">.*<code>\+ +first_response: 3h</code>', diff)
    assert "policies.yaml" not in diff  # one file: no name
    assert "修改了时限、暂停规则或升级阶梯" in diff
    assert "重新启用第 2 版" not in diff  # in force already

    older = page(client, "/admin/sla/versions/1")
    assert "重新启用第 1 版" in older
    done = client.post("/admin/sla/versions/1/rollback", follow_redirects=True)
    html = done.get_data(as_text=True)
    assert "第 1 版已重新生效，记为第 3 版" in html and "回滚到第 1 版" in html
    ticket = make_ticket(admin, priority=Priority.HIGH)
    assert _due_hours(session, ticket) == 2  # the first version's target again

    change = session.scalars(select(AdminChange).where(AdminChange.kind == "sla.rolled_back")).one()
    assert change.actor_login == "admin"
    assert change.after is not None and change.after["restored_from"] == 1
    assert "回滚 SLA 策略" in page(client, "/admin/changes")

    assert client.post("/admin/sla/versions/9/rollback").status_code == 404
    assert client.get("/admin/sla/versions/9").status_code == 404

    client.get("/logout")
    login(client, make_user(Role.SUPERVISOR, centre, login="sup", name="值班主管"))
    assert "第 1 版到第 2 版的改动" in page(client, "/admin/sla/versions/2")
    assert "重新启用" not in page(client, "/admin/sla/versions/2")  # read only
    assert client.post("/admin/sla/versions/2/rollback").status_code == 403


def test_cli_publish_versions_diff_rollback(
    admin: User,
    centre_rules: None,
    make_ticket: Callable[..., Ticket],
    session: Session,
    tmp_path: Path,
    cli_env: dict[str, str],
) -> None:
    clock.freeze(MONDAY_9AM)
    runner = CliRunner()
    draft = _edited_file(tmp_path, HIGH_ORIGINAL, "first_response: 1h")
    done = runner.invoke(main, ["sla", "publish", str(draft)])
    assert done.exit_code == 0, done.output
    assert "published SLA policies version 2" in done.output
    assert _due_hours(session, make_ticket(admin, priority=Priority.HIGH)) == 1

    listed = runner.invoke(main, ["sla", "versions"]).output
    assert "*    2" in listed and "cli:" in listed and "files" in listed
    diff = runner.invoke(main, ["sla", "diff", "1", "2"])
    assert diff.exit_code == 0
    assert "-    " in diff.output and "+" in diff.output and "first_response: 1h" in diff.output
    assert runner.invoke(main, ["sla", "diff", "1", "7"]).exit_code == 1

    back = runner.invoke(main, ["sla", "rollback", "1"])
    assert back.exit_code == 0, back.output
    assert "published SLA policies version 3: version 1 again" in back.output
    assert _due_hours(session, make_ticket(admin, priority=Priority.HIGH)) == 2
    change = session.scalars(select(AdminChange).where(AdminChange.kind == "sla.rolled_back")).one()
    assert change.actor_login.startswith("cli")

    missing = runner.invoke(main, ["sla", "rollback", "8"])
    assert missing.exit_code == 1 and "no SLA policies version 8" in missing.output
    broken = _edited_file(tmp_path, HIGH_ORIGINAL, "first_response: soon")
    refused = runner.invoke(main, ["sla", "publish", str(broken)])
    assert refused.exit_code == 1 and "soon" in refused.output
    assert "*    3" in runner.invoke(main, ["sla", "versions"]).output  # nothing published


def test_a_rollback_in_another_process_reaches_this_one(
    client: FlaskClient,
    admin: User,
    centre_rules: None,
    make_ticket: Callable[..., Ticket],
    session: Session,
    cli_env: dict[str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    frozen = [reference_version.monotonic()]  # the check interval passes only when moved here
    monkeypatch.setattr(reference_version, "monotonic", lambda: frozen[0])
    clock.freeze(MONDAY_9AM)
    login(client, admin)
    _save_3h(client)
    assert _due_hours(session, make_ticket(admin, priority=Priority.HIGH)) == 3

    env = {**os.environ, "PYTHONPATH": str(WORKTREE), **cli_env}
    other = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "sla", "rollback", "1"],
        env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert other.returncode == 0, other.stderr
    assert "version 1 again" in other.stdout

    # within the check interval this process still plans with version 2 ...
    assert _due_hours(session, make_ticket(admin, priority=Priority.HIGH)) == 3
    frozen[0] += reference_version.CHECK_EVERY  # ... and with version 3 one interval later
    assert _due_hours(session, make_ticket(admin, priority=Priority.HIGH)) == 2
    assert "当前生效：第 3 版" in page(client, "/admin/sla")


@pytest.mark.browser
def test_versions_diff_and_rollback_in_the_browser(
    live_server: str, admin: User, centre: Organisation, signed_in_page: Callable[..., Any]
) -> None:
    """Screenshots of the versions list and the diff at 1366 and 390 px: /tmp/shots-yamlviews."""
    from playwright.sync_api import expect

    shots = Path("/tmp/shots-yamlviews")
    shots.mkdir(exist_ok=True)
    high = f"input[name='{HIGH_FIRST_RESPONSE}']"
    for width in (1366, 390):
        page = signed_in_page(admin, width)
        page.goto(f"{live_server}/admin/sla")
        if width == 1366:
            page.fill(high, "3h")
            page.click("button:has-text('保存为新版本')")
            expect(page.locator(".flash-success")).to_contain_text("第 2 版")
        versions = page.locator("table.rule-versions")
        expect(versions).to_contain_text("平台自带文件")
        versions.scroll_into_view_if_needed()
        page.screenshot(path=str(shots / f"sla-versions-{width}.png"), full_page=True)
        table = page.locator("h2:has-text('已保存的版本') + .scroll-x")
        table.screenshot(path=str(shots / f"sla-versions-table-{width}.png"))
        versions.locator("tr", has_text="第 2 版").locator("a", has_text="查看改动").click()
        expect(page.locator("h2")).to_contain_text("第 1 版到第 2 版的改动")
        expect(page.locator(".doc-diff .add")).to_contain_text("first_response: 3h")
        page.screenshot(path=str(shots / f"sla-diff-{width}.png"), full_page=True)
        if width == 390:
            page.goto(f"{live_server}/admin/sla/versions/1")
            page.once("dialog", lambda dialog: dialog.accept())  # 重新启用第 1 版？
            page.click("button:has-text('重新启用第 1 版')")
            expect(page.locator(".flash-success")).to_contain_text("记为第 3 版")
            page.screenshot(path=str(shots / f"sla-rolled-back-{width}.png"), full_page=True)
            page.goto(f"{live_server}/admin/sla")
            expect(page.locator(high)).to_have_value("2h")
        page.close()
