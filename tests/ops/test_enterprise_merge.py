"""Merging two records of one enterprise (issue 13 item 3): tickets, contacts, portal accounts
and calls move to the record kept, each ticket with an event; the other record stays as a
pointer that search follows; a record with itself or a stale form is refused; the merge is in
the 操作记录 and both chains verify; `helpdesk enterprise merge` does the same."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.auth.models import Role, User
from helpdesk.cli import main
from helpdesk.directory.models import Contact, Enterprise, Organisation
from helpdesk.oplog.models import AdminChange
from helpdesk.oplog.seal import seal_changes
from helpdesk.tickets.models import Ticket, TicketEvent

KEY = "test-audit-key"


def test_merge_moves_everything_leaves_a_pointer_and_verifies(
    client: FlaskClient,
    admin: User,
    centre: Organisation,
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
    make_user: Callable[..., User],
    session: Session,
    cli_env: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    clock.freeze(clock.now())
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司（重复）", district="330102")
    tickets = [make_ticket(enterprise_id=drop.id, subject=f"咨询{n}") for n in range(2)]
    portal = make_user(Role.ENTERPRISE, None, login="hubin", enterprise_id=drop.id)
    login(client, admin)

    response = client.post(
        f"/admin/enterprises/{keep.id}/merge",
        data={"other": drop.uscc.lower(), "keep": "this", "version": str(keep.version)},
    )
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    html = page(client, response.headers["Location"])
    assert "已合并" in html and "2 个工单" in html
    assert "移过去的工单" in html and "移过去的联系人" in html  # counts of 1 and 2 shown too

    session.expire_all()
    for t in tickets:
        assert session.get(Ticket, t.id).enterprise_id == keep.id  # type: ignore[union-attr]
    contacts = session.scalars(select(Contact).where(Contact.enterprise_id == keep.id)).all()
    assert len(contacts) == 2
    assert session.get(User, portal.id).enterprise_id == keep.id  # type: ignore[union-attr]
    assert session.get(Enterprise, drop.id).merged_into_id == keep.id  # type: ignore[union-attr]
    events = session.scalars(select(TicketEvent).where(TicketEvent.kind == "enterprise_merged"))
    assert len(events.all()) == 2

    # the removed record's credit code finds the kept one; its page points there
    found = page(client, f"/admin/enterprises?q={drop.uscc}")
    assert keep.name in found and drop.name not in found
    assert "此记录已合并到另一条记录" in page(client, f"/admin/enterprises/{drop.id}")
    # the ticket's history says so in words
    assert "企业记录合并" in page(client, f"/tickets/{tickets[0].number}")
    log = page(client, "/admin/changes")
    assert "企业记录合并" in log and drop.uscc in log

    files = AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")
    clock.advance(timedelta(minutes=5))
    seal(session, files)
    assert seal_changes(session, files) == 2
    monkeypatch.setenv("HELPDESK_AUDIT_KEY", KEY)
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINTS", str(files.checkpoints))
    verified = CliRunner().invoke(main, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_itself_unknown_and_stale_forms_are_refused(
    client: FlaskClient,
    admin: User,
    make_enterprise: Callable[..., Enterprise],
    session: Session,
) -> None:
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司（重复）", district="330102")
    login(client, admin)
    url = f"/admin/enterprises/{keep.id}/merge"
    itself = client.post(url, data={"other": keep.uscc, "keep": "this", "version": "1"})
    assert itself.status_code == 422
    assert 'id="other-error"' in itself.get_data(as_text=True)
    assert "不能与自身合并" in itself.get_data(as_text=True)
    unknown = client.post(url, data={"other": "91330100MA2XXXXXX0", "keep": "this"})
    assert unknown.status_code == 422 and "没有企业使用此统一社会信用代码" in unknown.get_data(
        as_text=True
    )
    opened = str(keep.version)
    edited = {"name": "杭州湖滨商贸股份有限公司", "uscc": keep.uscc, "district": "330102"}
    assert (
        client.post(f"/admin/enterprises/{keep.id}", data={**edited, "version": opened}).status_code
        == 302
    )
    stale = client.post(url, data={"other": drop.uscc, "keep": "this", "version": opened})
    assert stale.status_code == 409 and "未保存" in stale.get_data(as_text=True)
    session.expire_all()
    assert session.get(Enterprise, drop.id).merged_into_id is None  # type: ignore[union-attr]


def test_cli_merge(
    centre: Organisation,
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
    session: Session,
    cli_env: None,
) -> None:
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司（重复）", district="330102")
    ticket = make_ticket(enterprise_id=drop.id)
    result = CliRunner().invoke(main, ["enterprise", "merge", keep.uscc, drop.uscc])
    assert result.exit_code == 0, result.output
    assert "1 tickets" in result.output
    session.expire_all()
    assert session.get(Ticket, ticket.id).enterprise_id == keep.id  # type: ignore[union-attr]
    change = session.scalars(select(AdminChange).where(AdminChange.target_id == keep.id)).one()
    assert change.kind == "enterprise.merged" and change.actor_login.startswith("cli")
    again = CliRunner().invoke(main, ["enterprise", "merge", keep.uscc, keep.uscc])
    assert again.exit_code == 1 and "不能与自身合并" in again.output


def test_from_the_record_to_remove_keeping_the_other(
    client: FlaskClient,
    admin: User,
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    keep = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    drop = make_enterprise(name="杭州湖滨商贸公司（重复）", district="330102")
    ticket = make_ticket(enterprise_id=drop.id)
    login(client, admin)
    response = client.post(
        f"/admin/enterprises/{drop.id}/merge",
        data={"other": keep.uscc, "keep": "other", "version": str(drop.version)},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/enterprises/{keep.id}")
    session.expire_all()
    assert session.get(Ticket, ticket.id).enterprise_id == keep.id  # type: ignore[union-attr]
    assert session.get(Enterprise, drop.id).merged_into_id == keep.id  # type: ignore[union-attr]
    # the pointer has no merge form of its own: it cannot be merged again
    assert "与同一企业的另一条记录合并" not in page(client, f"/admin/enterprises/{drop.id}")
