"""The archive export streams: memory stays flat as the period grows (tracemalloc peak for N
and 4N closed tickets), the streamed zip still verifies offline and holds every ticket, and
a supervisor downloads it in Chromium from the archive page."""

from __future__ import annotations

import json
import tracemalloc
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.auth.models import Role, User
from helpdesk.cli import main
from helpdesk.retention import archive
from helpdesk.tickets import service

KEY = "test-audit-key"
START = datetime(2022, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou
MARCH = (datetime(2022, 3, 1).date(), datetime(2022, 3, 31).date())


@pytest.fixture
def files(tmp_path) -> AuditFiles:
    return AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")


@pytest.fixture
def close_tickets(session, make_ticket, make_user, make_org):
    """close_tickets(n): n more tickets created, accepted, commented, resolved and closed."""
    clock.freeze(START)
    org = make_org()
    staff = make_user(Role.PROVIDER, org)

    def close(count: int) -> None:
        for i in range(count):
            ticket = make_ticket(organisation_id=org.id, subject=f"咨询担保贷款 {i}")
            service.accept(session, staff, ticket)
            service.comment(session, staff, ticket, "已电话答复企业")
            service.resolve(session, staff, ticket, "已答复")
            service.close(session, staff, ticket)
            session.commit()

    return close


def _peak(session, files: AuditFiles, target: Path) -> tuple[int, int]:
    """Peak traced memory above the start while exporting March to `target`, and the count."""
    session.expire_all()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with target.open("wb") as out:
            count = archive.export(session, files, *MARCH, out)
        return tracemalloc.get_traced_memory()[1] - base, count
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_as_the_period_grows_and_the_archive_verifies(
    session, close_tickets, files, tmp_path, monkeypatch
):
    monkeypatch.setattr(archive, "CHUNK", 10)  # many batches from a few tickets
    close_tickets(40)
    clock.advance(timedelta(minutes=5))
    seal(session, files)
    _peak(session, files, tmp_path / "warm.zip")  # imports and compiled queries, once
    small, count = _peak(session, files, tmp_path / "small.zip")
    assert count == 40
    close_tickets(120)
    clock.advance(timedelta(minutes=5))
    seal(session, files)
    large, count = _peak(session, files, tmp_path / "large.zip")
    assert count == 160
    # 4x the tickets (each with five events and a comment) but not 4x the memory
    print(f"tracemalloc peak: 40 tickets {small:,} B, 160 tickets {large:,} B")
    assert large < small * 1.5, (small, large)

    with zipfile.ZipFile(tmp_path / "large.zip") as zipped:
        tickets = json.loads(zipped.read("tickets.json"))
        manifest = json.loads(zipped.read("manifest.json"))
    assert len({t["number"] for t in tickets}) == 160
    assert (manifest["tickets"], manifest["comments"]) == (160, 160)
    result = CliRunner().invoke(main, ["audit", "verify", "--archive", str(tmp_path / "large.zip")])
    assert result.exit_code == 0 and "160 tickets" in result.output, result.output


@pytest.mark.browser
def test_a_supervisor_downloads_the_streamed_archive_in_chromium(
    live_server,
    session,
    close_tickets,
    files,
    make_user,
    make_org,
    tmp_path,
    monkeypatch,
    signed_in_page,
):
    monkeypatch.setattr(archive, "CHUNK", 5)  # the body goes out in many chunks
    close_tickets(12)
    clock.advance(timedelta(days=40))  # March is over
    supervisor = make_user(Role.SUPERVISOR, make_org(slug="centre-2"))
    page = signed_in_page(supervisor, 1280, 720)
    page.goto(f"{live_server}/archive")
    page.fill("input[name=from]", "2022-03-01")
    page.fill("input[name=to]", "2022-03-31")
    with page.expect_download() as info:
        page.click("#archive-form button[type=submit]")
    download = info.value
    assert download.suggested_filename == "archive-20220301-20220331.zip"
    target = tmp_path / "download.zip"
    download.save_as(target)
    with zipfile.ZipFile(target) as zipped:
        assert len(json.loads(zipped.read("tickets.json"))) == 12
    result = CliRunner().invoke(main, ["audit", "verify", "--archive", str(target)])
    assert result.exit_code == 0 and "12 tickets" in result.output, result.output


def test_a_ticket_closed_while_the_archive_streams_leaves_it_consistent(
    session, close_tickets, files, make_ticket, tmp_path, monkeypatch
):
    """The download's checks and its three passes over the tickets read one snapshot: a
    ticket closed (and sealed, with a new checkpoint) between two batches is not in this
    archive, which verifies; the next archive has it. Read from the live database, the later
    batches took it in with events sealed after the archive's checkpoint."""
    from helpdesk.extensions import db

    monkeypatch.setattr(archive, "CHUNK", 5)
    close_tickets(12)
    staff = session.scalars(select(User).where(User.role == Role.PROVIDER)).first()
    late = make_ticket(organisation_id=staff.organisation_id, subject="咨询担保贷款 late")
    service.accept(session, staff, late)
    service.resolve(session, staff, late, "已答复")
    session.commit()
    clock.advance(timedelta(minutes=5))  # the seal's checkpoint comes after these

    def close_late() -> None:  # another connection, as a second worker would
        service.close(session, staff, session.get(type(late), late.id))
        session.commit()
        clock.advance(timedelta(minutes=5))
        seal(session, files)  # sealed, and a checkpoint after it
        session.commit()

    real, changed = archive._batches, []

    def batches(reader, plan):
        for ids in real(reader, plan):
            yield ids  # resumed once this batch is written
            if not changed:
                changed.append(ids)
                close_late()

    monkeypatch.setattr(archive, "_batches", batches)
    body = archive.download(session, db.engine, files, *MARCH)
    target = tmp_path / "during.zip"
    target.write_bytes(b"".join(body))
    assert changed and body.closed
    with zipfile.ZipFile(target) as zipped:
        numbers = {t["number"] for t in json.loads(zipped.read("tickets.json"))}
        events = json.loads(zipped.read("events.json"))
    assert len(numbers) == 12 and late.number not in numbers
    assert late.id not in {e["ticket"] for e in events}
    result = CliRunner().invoke(main, ["audit", "verify", "--archive", str(target)])
    assert result.exit_code == 0 and "12 tickets" in result.output, result.output

    after = tmp_path / "after.zip"
    after.write_bytes(b"".join(archive.download(session, db.engine, files, *MARCH)))
    result = CliRunner().invoke(main, ["audit", "verify", "--archive", str(after)])
    assert result.exit_code == 0 and "13 tickets" in result.output, result.output
