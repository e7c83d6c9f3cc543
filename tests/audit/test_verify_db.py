"""Sealing real ticket events, then tampering with the database: `audit verify` names the first
bad sequence number for every case and exits non-zero; the export and the trace page."""

from __future__ import annotations

import json
import re
from datetime import timedelta

from click.testing import CliRunner
from sqlalchemy import select, text

from helpdesk import clock
from helpdesk.audit import chain
from helpdesk.audit.models import AuditRecord
from helpdesk.audit.seal import seal
from helpdesk.audit.verify import verify
from helpdesk.auth.models import Role
from helpdesk.cli import main


def login(client, user) -> None:
    response = client.post("/login", data={"login": user.login, "password": "secret-pass"})
    assert response.status_code in (302, 303)


def first_bad(session, files) -> int | None:
    session.expire_all()
    report = verify(session, files)
    session.rollback()
    return report.first_bad


def event_of(session, seq: int) -> int:
    return session.scalars(select(AuditRecord.event_id).where(AuditRecord.seq == seq)).one()


def test_an_intact_chain_verifies_and_keeps_personal_data_out(session, sealed, files):
    assert first_bad(session, files) is None
    records = session.scalars(select(AuditRecord.record)).all()
    assert not any("王" in r or "13900001111" in r for r in records)
    assert files.checkpoints.read_text().count("\n") == 1


def test_sealing_is_incremental_and_skips_the_grace_period(session, sealed, files, make_ticket):
    make_ticket()
    assert seal(session, files).sealed == 0  # too fresh: a concurrent commit could precede it
    clock.advance(timedelta(seconds=5))
    assert seal(session, files).sealed >= 1
    assert first_bad(session, files) is None


def test_modified_event(session, sealed, files):
    session.execute(text("UPDATE ticket_event SET kind = 'closed' WHERE id = :id"),
                    {"id": event_of(session, 5)})  # fmt: skip
    session.commit()
    assert first_bad(session, files) == 5


def test_modified_record(session, sealed, files):
    session.execute(text("UPDATE audit_record SET record = record || ' ' WHERE seq = 6"))
    session.commit()
    assert first_bad(session, files) == 6


def test_deleted_record_and_event(session, sealed, files):
    event_id = event_of(session, 4)
    session.execute(text("DELETE FROM audit_record WHERE seq = 4"))
    session.execute(text("DELETE FROM ticket_event WHERE id = :id"), {"id": event_id})
    session.commit()
    assert first_bad(session, files) == 4


def test_inserted_record(session, sealed, files):
    """A forger adds an event and a correctly hashed record for it at seq 5, shifting the rest."""
    last = sealed.head_seq
    session.execute(text("UPDATE audit_record SET seq = seq + 1000 WHERE seq >= 5"))
    session.execute(text("UPDATE audit_record SET seq = seq - 999 WHERE seq >= 1005"))
    prev = session.scalars(select(AuditRecord.hash).where(AuditRecord.seq == 4)).one()
    record = chain.canonical({"event": 10_000, "kind": "closed"})
    session.add(AuditRecord(seq=5, event_id=10_000, ticket_id=1, record=record, prev_hash=prev,
                            hash=chain.link(prev, record), sealed_at=clock.now()))  # fmt: skip
    session.commit()
    assert session.scalar(text("SELECT max(seq) FROM audit_record")) == last + 1
    assert first_bad(session, files) == 5


def test_reordered_records(session, sealed, files):
    session.execute(text("UPDATE audit_record SET seq = -1 WHERE seq = 7"))
    session.execute(text("UPDATE audit_record SET seq = 7 WHERE seq = 8"))
    session.execute(text("UPDATE audit_record SET seq = 8 WHERE seq = -1"))
    session.commit()
    assert first_bad(session, files) == 7


def test_truncated_tail(session, sealed, files):
    last = sealed.head_seq
    ids = [event_of(session, s) for s in (last - 2, last - 1, last)]
    session.execute(text(f"DELETE FROM audit_record WHERE seq >= {last - 2}"))
    session.execute(text(f"DELETE FROM ticket_event WHERE id IN ({', '.join(map(str, ids))})"))
    session.commit()
    assert first_bad(session, files) == last - 2


def test_a_forged_checkpoint_line_is_reported(session, sealed, files):
    files.checkpoints.write_text(files.checkpoints.read_text().replace('"seq":', '"seq":1', 1))
    session.expire_all()
    report = verify(session, files)
    assert not report.ok and "signature" in report.checkpoint_errors[0]


def test_anonymising_keeps_the_chain(session, sealed, files):
    digest = chain.pii_digester(files.key)
    event_id = session.scalar(text("SELECT min(id) FROM ticket_event WHERE kind = 'pended'"))
    row = session.execute(text("SELECT data FROM ticket_event WHERE id = :id"), {"id": event_id})
    raw = row.scalar_one()
    data = raw if isinstance(raw, dict) else json.loads(raw)
    assert data["reason"] == "请王先生补充材料"
    data["reason"] = {"pii": digest(data["reason"])}  # erased after its retention period
    session.execute(text("UPDATE ticket_event SET data = :d WHERE id = :id"),
                    {"d": json.dumps(data, ensure_ascii=False), "id": event_id})  # fmt: skip
    session.commit()
    assert first_bad(session, files) is None


def test_cli_verify_exit_status_and_first_bad_seq(session, sealed, files, cli_env):
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert f"{sealed.head_seq} records verified" in ok.output
    session.execute(text("UPDATE ticket_event SET actor_id = NULL WHERE id = :id"),
                    {"id": event_of(session, 3)})  # fmt: skip
    session.commit()
    bad = CliRunner().invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert "first bad sequence number 3" in bad.output


def test_cli_export_json(session, sealed, files, cli_env):
    number = session.scalar(text("SELECT number FROM ticket ORDER BY id LIMIT 1"))
    result = CliRunner().invoke(main, ["audit", "export", number])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["ticket"] == number and data["all_sealed_intact"]
    assert [s["kind"] for s in data["steps"]][:3] == ["created", "assigned", "accepted"]
    assert all(s["seal"] == "sealed" for s in data["steps"])
    assert data["steps"][2]["actor"]["role"] == "provider"


def test_trace_page_for_staff_only(client, session, sealed, make_user, make_enterprise):
    number = session.scalar(text("SELECT number FROM ticket ORDER BY id LIMIT 1"))
    login(client, make_user(Role.SUPERVISOR))
    page = client.get(f"/tickets/{number}/trace")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert number in body and "已受理" in body and "@media print" in body
    # house rule (CSP): the 打印 link's script comes from a static file, none inline
    scripts = re.findall(r"<script\b([^>]*)>", body)
    assert scripts and all("src=" in attributes for attributes in scripts), scripts
    assert "/static/print.js" in body and "data-print" in body
    client.post("/logout")
    login(client, make_user(Role.ENTERPRISE, enterprise_id=make_enterprise().id))
    assert client.get(f"/tickets/{number}/trace").status_code == 404


def test_sealing_stops_at_the_first_fresh_event_so_the_chain_has_no_holes(
    session, sealed, files, make_ticket
):
    """A later id with an earlier time (a back-dated import, a slow transaction) waits too."""
    older = make_ticket()
    clock.advance(timedelta(seconds=5))
    newer = make_ticket()
    move = text("UPDATE ticket_event SET at = :at WHERE ticket_id = :t")
    hour_ago = (clock.now() - timedelta(hours=1)).replace(tzinfo=None)
    session.execute(move, {"at": hour_ago, "t": newer.id})
    session.execute(move, {"at": clock.now().replace(tzinfo=None), "t": older.id})
    session.commit()
    assert seal(session, files).sealed == 0  # the older id is fresh: nothing after it either
    clock.advance(timedelta(seconds=5))
    assert seal(session, files).sealed >= 2
    assert first_bad(session, files) is None
