"""Admin changes are sealed into their own hash chain by the audit sealing job; `helpdesk
audit verify` checks it beside the ticket chain and names a tampered change."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles, read
from helpdesk.audit.verify import verify
from helpdesk.auth.models import Role, User
from helpdesk.cli import main
from helpdesk.config import Settings
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminSeal
from helpdesk.oplog.seal import seal_changes
from helpdesk.people import service

KEY = "test-audit-key"


@pytest.fixture
def files(tmp_path: Path) -> AuditFiles:
    return AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")


@pytest.fixture
def changed(
    session: Session, make_user: Callable[..., User], centre: Organisation, admin: User
) -> User:
    clock.freeze(clock.now())
    person = make_user(Role.AGENT, centre, login="agent5", name="周敏", extension="8005")
    data = service.PersonData(login="agent5", name="周敏敏", role="agent", organisation="centre")
    service.edit(session, admin, person, data, person.version)
    service.set_active(session, admin, person, False)
    service.set_active(session, admin, person, True)
    return person


def test_changes_are_sealed_after_the_grace_period_and_verify(
    session: Session, changed: User, files: AuditFiles
) -> None:
    assert seal_changes(session, files) == 0  # still inside the grace period
    clock.advance(timedelta(seconds=5))
    assert seal_changes(session, files) == 3
    records = session.scalars(select(AdminSeal).order_by(AdminSeal.seq)).all()
    assert "周敏" not in "".join(r.record for r in records)  # names are keyed digests
    checkpoints, bad = read(files)
    assert bad == [] and [(c.chain, c.seq) for c in checkpoints] == [("admin", 3)]
    report = verify(session, files)
    assert report.ok and report.admin_checked == 3 and report.checked == 0


def test_a_tampered_change_is_named_by_audit_verify(
    session: Session,
    changed: User,
    files: AuditFiles,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    clock.advance(timedelta(seconds=5))
    seal_changes(session, files)
    monkeypatch.setenv("HELPDESK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("HELPDESK_AUDIT_KEY", KEY)
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINTS", str(files.checkpoints))
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 operations-log records verified" in ok.output

    second = session.scalars(select(AdminSeal).where(AdminSeal.seq == 2)).one()
    session.execute(
        text("UPDATE admin_change SET actor_login = 'someone' WHERE id = :id"),
        {"id": second.change_id},
    )
    session.commit()
    bad = CliRunner().invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "operations log, first bad sequence number 2" in bad.output
    assert "differs from its record" in bad.output
