"""What the audit tests share: checkpoint files under one key, three tickets' events sealed,
and the environment the `helpdesk audit` command reads."""

from __future__ import annotations

from datetime import timedelta

import pytest

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.auth.models import Role
from helpdesk.tickets import service

KEY = "test-audit-key"


@pytest.fixture
def files(tmp_path) -> AuditFiles:
    return AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")


@pytest.fixture
def sealed(session, make_ticket, make_user, make_org, files):
    """Three tickets accepted, commented and pended, with the caller's name and number in
    them, sealed: 12+ records."""
    clock.freeze(clock.now())
    org = make_org()
    staff = make_user(Role.PROVIDER, org)
    for i in range(3):
        t = make_ticket(organisation_id=org.id, contact_name="王小明", contact_phone="13900001111")
        service.accept(session, staff, t)
        service.comment(session, staff, t, f"已联系王小明 13900001111 第{i}次")
        service.pend(session, staff, t, "请王先生补充材料")
        session.commit()
    clock.advance(timedelta(seconds=5))
    result = seal(session, files)
    assert result.sealed >= 12
    return result


@pytest.fixture
def cli_env(cli_env, monkeypatch, files):
    """tests/conftest.py's, with the audit key and checkpoint file of `files`."""
    monkeypatch.setenv("HELPDESK_AUDIT_KEY", KEY)
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINTS", str(files.checkpoints))
