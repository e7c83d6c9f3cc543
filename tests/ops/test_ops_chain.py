"""Every kind of console change (an organisation, a calendar day, a catalogue entry, an
enterprise) shows in the 操作记录 with its before → after, is sealed into the operations log's
chain, and `helpdesk audit verify` passes over it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.auth.models import User
from helpdesk.cli import main
from helpdesk.config import Settings
from helpdesk.directory.models import Enterprise, Organisation, ServiceCategory
from helpdesk.oplog.seal import seal_changes

KEY = "test-audit-key"
pytestmark = pytest.mark.usefixtures("restore_catalogue")


def test_every_console_change_is_logged_sealed_and_verifies(
    client: FlaskClient,
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_enterprise: Callable[..., Enterprise],
    session: Session,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    clock.freeze(clock.now())
    bank, _other = banks
    e = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    leasing = session.get(ServiceCategory, "finance/leasing")
    assert leasing is not None
    login(client, admin)
    posts = [
        (f"/admin/orgs/{bank.id}/suspend", {"st-reason": "年检", "st-version": str(bank.version)}),
        ("/admin/calendar/2027/days",
         {"add-first": "2027-10-01", "add-last": "2027-10-07", "add-kind": "holiday",
          "add-name": "国庆节"}),
        ("/admin/catalogue/finance/leasing/retire", {"btn-version": str(leasing.version)}),
        (f"/admin/enterprises/{e.id}",
         {"name": e.name, "uscc": e.uscc, "district": "330105", "version": str(e.version)}),
    ]  # fmt: skip
    for url, data in posts:
        response = client.post(url, data=data)
        assert response.status_code == 302, (url, response.get_data(as_text=True)[:1500])

    log = page(client, "/admin/changes")
    for words in ("暂停机构", "录入日历日期", "停用服务项目", "修改企业", "国庆节", "拱墅区"):
        assert words in log, words

    files = AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")
    clock.advance(timedelta(seconds=5))
    assert seal_changes(session, files) == 4
    monkeypatch.setenv("HELPDESK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("HELPDESK_AUDIT_KEY", KEY)
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINTS", str(files.checkpoints))
    verified = CliRunner().invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "4 operations-log records verified" in verified.output
