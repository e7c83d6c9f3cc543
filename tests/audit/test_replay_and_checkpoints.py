"""Issue 16 item 9: `audit verify` replays each ticket's events against its row and comments
(a row or comment edited by SQL is named by ticket and field), keeps checkpoints in two places
that check each other (the file and the database), tells another database's chain from a
truncation, and fails when a sealed chain has no checkpoint unless told `--no-checkpoints`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from helpdesk import clock
from helpdesk.audit import replay
from helpdesk.audit.checkpoints import append
from helpdesk.audit.models import AuditCheckpoint, AuditRecord
from helpdesk.audit.verify import verify
from helpdesk.cli import main
from helpdesk.demo import seed_demo
from helpdesk.tickets.models import Comment, Ticket


def report(session, files, **options):
    session.expire_all()
    found = verify(session, files, **options)
    session.rollback()
    return found


def first_ticket(session) -> Ticket:
    session.expire_all()
    return session.scalars(select(Ticket).order_by(Ticket.id)).first()


@pytest.mark.parametrize(
    ("column", "value"),
    [("status", "'resolved'"), ("subject", "'改过的标题'"), ("assigned_org_id", "NULL"),
     ("priority", "'urgent'"), ("description", "'改过的描述'")],
)  # fmt: skip
def test_a_ticket_row_edited_by_sql_is_named(session, sealed, files, column, value):
    assert report(session, files).ok
    ticket = first_ticket(session)
    session.execute(text(f"UPDATE ticket SET {column} = {value} WHERE id = :id"), {"id": ticket.id})
    session.commit()
    found = report(session, files)
    assert not found.ok and found.problems == []  # the chain itself is intact
    assert len(found.row_problems) == 1
    assert ticket.number in found.row_problems[0] and column in found.row_problems[0]


def test_comments_edited_deleted_or_inserted_by_sql_are_named(session, sealed, files):
    ticket = first_ticket(session)
    edited, deleted = session.scalars(select(Comment.id).order_by(Comment.id)).all()[:2]
    session.execute(text("UPDATE ticket_comment SET body = '改过' WHERE id = :id"), {"id": edited})
    session.execute(text("DELETE FROM ticket_comment WHERE id = :id"), {"id": deleted})
    session.execute(
        text("INSERT INTO ticket_comment (ticket_id, body, internal, created_at) "
             "VALUES (:t, '伪造的回复', false, :at)"),
        {"t": ticket.id, "at": clock.now().replace(tzinfo=None)},
    )  # fmt: skip
    session.commit()
    problems = report(session, files).row_problems
    assert any(f"comment {edited}'s text" in p and ticket.number in p for p in problems)
    assert any(f"comment {deleted} is gone" in p for p in problems)
    assert any("has no event (inserted" in p for p in problems)


def test_the_cli_names_the_ticket_and_exits_1(session, sealed, files, cli_env):
    ok = CliRunner().invoke(main, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    assert "3 tickets replayed" in ok.output
    ticket = first_ticket(session)
    session.execute(text("UPDATE ticket SET status = 'closed' WHERE id = :id"), {"id": ticket.id})
    session.commit()
    bad = CliRunner().invoke(main, ["audit", "verify"])
    assert bad.exit_code == 1
    assert f"ticket {ticket.number}" in bad.output and "status" in bad.output


def test_checkpoints_are_kept_in_the_file_and_the_database(session, sealed, files):
    rows = session.scalars(select(AuditCheckpoint)).all()
    assert [(r.chain, r.seq) for r in rows] == [("tickets", sealed.head_seq)]
    assert rows[0].chain_id == session.scalar(select(AuditRecord.hash).where(AuditRecord.seq == 1))
    assert f'"seq":{sealed.head_seq}' in files.checkpoints.read_text()


def test_a_deleted_checkpoint_file_is_caught(session, sealed, files):
    files.checkpoints.unlink()
    found = report(session, files)
    assert not found.ok
    assert any("not in the checkpoint file" in e for e in found.checkpoint_errors)


def test_a_truncation_with_its_checkpoint_lines_deleted_is_caught(session, sealed, files):
    last = sealed.head_seq
    session.execute(text(f"DELETE FROM audit_record WHERE seq >= {last - 2}"))
    session.execute(
        text("DELETE FROM ticket_event WHERE id NOT IN (SELECT event_id FROM audit_record)")
    )
    session.commit()
    files.checkpoints.write_text("")  # the matching lines deleted too
    found = report(session, files)
    assert not found.ok and found.first_bad == last - 2  # the database's copy still holds
    assert any("truncated" in p.message for p in found.problems)


def test_no_checkpoint_anywhere_fails_unless_told(session, sealed, files):
    files.checkpoints.unlink()
    session.execute(text("DELETE FROM audit_checkpoint"))
    session.commit()
    found = report(session, files)
    assert not found.ok and any("no checkpoint" in e for e in found.checkpoint_errors)
    assert report(session, files, require_checkpoints=False).ok


def test_another_databases_checkpoints_are_not_a_truncation(session, sealed, files):
    append(files, sealed.head_seq + 50, "f" * 64, "2026-12-01T00:00:00+00:00", None, "e" * 64)
    found = report(session, files)
    assert found.ok, (found.problems, found.checkpoint_errors)
    assert found.other_chain == 1 and found.checkpoints == 1


def test_no_checkpoints_option_of_the_cli(session, sealed, files, cli_env):
    files.checkpoints.unlink()
    session.execute(text("DELETE FROM audit_checkpoint"))
    session.commit()
    assert CliRunner().invoke(main, ["audit", "verify"]).exit_code == 1
    assert CliRunner().invoke(main, ["audit", "verify", "--no-checkpoints"]).exit_code == 0


def test_every_path_of_the_demo_replays_clean(session, use_rules):
    """Routing, assignment, acceptance, pending, resolving, closing, rating, merging...: the
    service's own changes never look like an edit behind its back. A rule folder of its own:
    the real rules, compiled against the demo's organisations, would outlive this test."""
    use_rules({"rules.yaml": "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"})
    seed_demo(session, tickets=60)
    session.commit()
    problems, replayed = replay.check(session)
    assert problems == [] and replayed >= 60
