"""登记备案留档: personal data anonymised after its retention while `audit verify` still passes
(and counts them), and archives of closed tickets that verify offline and name an edited file."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select, text

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.auth.models import Role
from helpdesk.channels.chat.models import Conversation, Message, Sender
from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus
from helpdesk.cli import main
from helpdesk.directory.models import Contact
from helpdesk.portal.models import Attachment
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Comment

KEY = "test-audit-key"
START = datetime(2022, 3, 1, 2, 0, tzinfo=UTC)  # 10:00 in Hangzhou


@pytest.fixture
def files(tmp_path) -> AuditFiles:
    return AuditFiles(KEY.encode(), tmp_path / "checkpoints.log")


@pytest.fixture
def cli_env(cli_env, monkeypatch, files):
    """tests/conftest.py's, with the audit files and a year's retention of everything."""
    monkeypatch.setenv("HELPDESK_AUDIT_KEY", KEY)
    monkeypatch.setenv("HELPDESK_AUDIT_CHECKPOINTS", str(files.checkpoints))
    for kind in ("CALL_RECORDS", "CHAT_TRANSCRIPTS", "ATTACHMENTS", "CONTACTS"):
        monkeypatch.setenv(f"HELPDESK_RETENTION_{kind}_DAYS", "365")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def closed_chat(session, make_ticket, make_user, make_org):
    """A phone ticket and a chat ticket from March 2022, both worked and closed, with the
    caller's number on a call record, a chat transcript and a file."""
    clock.freeze(START)
    org = make_org()
    staff = make_user(Role.PROVIDER, org)
    phone = make_ticket(
        organisation_id=org.id, channel=Channel.PHONE, contact_name="王小明",
        contact_phone="13900001111",
    )  # fmt: skip
    chat = make_ticket(organisation_id=org.id, channel=Channel.CHAT, contact_name="张丽")
    session.add(
        CallRecord(
            call_id="c-1", source="cti", direction=CallDirection.IN,
            status=CallStatus.ENDED, from_number="13900001111", caller_e164="+8613900001111",
            contact_id=phone.contact_id, ticket_id=phone.id, ring_at=START,
        )
    )  # fmt: skip
    conversation = Conversation(
        token_hash="x" * 64, ticket_id=chat.id, visitor_name="张丽",
        visitor_phone="+8613700002222", category_code=chat.category_code, ended_at=START,
    )  # fmt: skip
    session.add(conversation)
    session.flush()
    session.add(
        Message(conversation_id=conversation.id, seq=1, sender=Sender.VISITOR,
                body="我是张丽，电话13700002222")
    )  # fmt: skip
    session.add(
        Attachment(key="k" * 43, ticket_id=chat.id, conversation_id=conversation.id,
                   filename="营业执照.jpg", content_type="image/jpeg", size=4, data=b"JPEG")
    )  # fmt: skip
    for ticket in (phone, chat):
        service.accept(session, staff, ticket)
        service.comment(session, staff, ticket, "已联系王小明 13900001111")
        if ticket is chat:
            transcript = "在线咨询记录 / Chat transcript (张丽)\n[10:00] 张丽: 电话13700002222"
            service.comment(session, None, ticket, transcript)
        service.resolve(session, staff, ticket, "已答复")
        service.close(session, staff, ticket)
        session.commit()
    return phone, chat


def test_anonymise_then_audit_verify_passes_and_counts(session, closed_chat, files, cli_env):
    phone, chat = closed_chat
    clock.advance(timedelta(days=400))
    seal(session, files)
    assert run("audit", "verify")[0] == 0

    code, out = run("retention", "run", "--dry-run")
    assert code == 0 and "would anonymise 5 records" in out, out
    session.expire_all()
    assert session.get(Contact, phone.contact_id).name == "王小明"  # the dry run changed nothing

    code, out = run("retention", "run")
    assert code == 0 and "anonymised 5 records" in out, out
    assert "call_records 1, chat_transcripts 1, attachments 1, contacts 2" in out
    session.expire_all()
    contact = session.get(Contact, phone.contact_id)
    assert (contact.name, contact.phone) == ("已匿名", "139****1111")
    call = session.scalars(select(CallRecord)).one()
    assert call.from_number == "139****1111" and call.caller_e164 == "139****1111"
    conversation = session.scalars(select(Conversation)).one()
    assert conversation.visitor_name == "已匿名"
    assert "13700002222" not in session.scalars(select(Message.body)).one()
    transcript = session.scalars(
        select(Comment).where(Comment.ticket_id == chat.id).order_by(Comment.id.desc())
    ).first()
    assert transcript.body == "（内容已按留存期限匿名）"
    assert session.scalars(select(Attachment)).one().data == b""
    assert run("retention", "run")[1].startswith("anonymised 0 records")  # never twice

    clock.advance(timedelta(minutes=5))
    seal(session, files)
    code, out = run("audit", "verify")
    assert code == 0, out
    assert "5 records anonymised after their retention" in out

    # the marker is accepted only where the anonymised event sealed it
    session.execute(text("UPDATE ticket_comment SET body = 'x' WHERE id = :id"),
                    {"id": transcript.id})  # fmt: skip
    session.commit()
    code, out = run("audit", "verify")
    assert code == 1 and f"comment {transcript.id}'s text or visibility changed" in out


def _rewrite(path: Path, name: str, change) -> None:
    with zipfile.ZipFile(path) as archive:
        members = {n: archive.read(n) for n in archive.namelist()}
    members[name] = change(members[name])
    with zipfile.ZipFile(path, "w") as archive:
        for member, data in members.items():
            archive.writestr(member, data)


def test_archive_verifies_offline_and_names_an_edited_file(
    session, closed_chat, make_ticket, files, cli_env, tmp_path
):
    phone, chat = closed_chat
    make_ticket(subject="还开着的工单")  # open: not archived
    clock.advance(timedelta(minutes=5))
    target = tmp_path / "archive.zip"
    code, out = run("archive", "export", "--from", "2022-03-01", "--to", "2022-03-31",
                    str(target))  # fmt: skip
    assert code == 0 and "archived 2 closed tickets" in out, out
    with zipfile.ZipFile(target) as archive:
        tickets = json.loads(archive.read("tickets.json"))
        events = json.loads(archive.read("events.json"))
    assert [t["number"] for t in tickets] == [phone.number, chat.number]
    assert "13900001111" not in json.dumps(events, ensure_ascii=False)  # digests only

    code, out = run("audit", "verify", "--archive", str(target))
    assert code == 0 and "2 tickets" in out, out

    edited = tmp_path / "edited.zip"
    edited.write_bytes(target.read_bytes())

    def change_kind(data: bytes) -> bytes:
        entries = json.loads(data)
        entries[2]["kind"] = "cancelled"
        return json.dumps(entries, ensure_ascii=False).encode()

    _rewrite(edited, "events.json", change_kind)
    code, out = run("audit", "verify", "--archive", str(edited))
    assert code == 1
    assert f"events.json: event {events[2]['event']} differs from its sealed record" in out

    edited.write_bytes(target.read_bytes())

    def change_subject(data: bytes) -> bytes:
        entries = json.loads(data)
        entries[0]["subject"] = "改过的标题"
        return json.dumps(entries, ensure_ascii=False).encode()

    _rewrite(edited, "tickets.json", change_subject)
    code, out = run("audit", "verify", "--archive", str(edited))
    assert code == 1 and f"tickets.json: ticket {phone.number}: subject" in out, out


def test_archive_export_refuses_a_bad_period(cli_env, tmp_path):
    code, out = run("archive", "export", "--from", "2022-03-31", "--to", "2022-03-01",
                    str(tmp_path / "a.zip"))  # fmt: skip
    assert code != 0 and "ends before it starts" in out
    code, out = run("archive", "export", "--from", "März", "--to", "2022-03-01",
                    str(tmp_path / "a.zip"))  # fmt: skip
    assert code != 0 and "is not a date" in out


def test_archive_page_downloads_a_zip_for_supervisors(
    app, client, session, closed_chat, make_user, make_org
):
    clock.advance(timedelta(days=40))  # the period is over
    supervisor = make_user(Role.SUPERVISOR, make_org(slug="centre-2"))
    signed_in = client.post("/login", data={"login": supervisor.login, "password": "secret-pass"})
    assert signed_in.status_code in (302, 303)
    page = client.get("/archive", headers={"Accept-Language": "zh-CN"})
    assert "已关闭工单归档" in page.get_data(as_text=True)
    response = client.get("/archive/export.zip?from=2022-03-01&to=2022-03-31")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        assert len(json.loads(archive.read("tickets.json"))) == 2
    refused = client.get("/archive/export.zip?from=2022-03-31&to=2022-03-01",
                         headers={"Accept-Language": "zh-CN"})  # fmt: skip
    assert refused.status_code == 400 and "结束日期早于开始日期" in refused.get_data(as_text=True)


def test_the_archive_sheet_shows_words_not_codes(
    app, client, session, closed_chat, make_user, make_org
):
    """tickets.xlsx is the part people open: 电话, 萧山区, 已关闭 - not phone, 330109, closed
    (tickets.json keeps the codes), in Chinese like its header even from an English page."""
    from openpyxl import load_workbook

    clock.advance(timedelta(days=40))
    supervisor = make_user(Role.SUPERVISOR, make_org(slug="centre-3"))
    client.post("/login", data={"login": supervisor.login, "password": "secret-pass"})
    response = client.get(
        "/archive/export.zip?from=2022-03-01&to=2022-03-31&lang=en",
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 200
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        book = load_workbook(io.BytesIO(archive.read("tickets.xlsx")), read_only=True)
    header, *rows = [list(row) for row in book.active.iter_rows(values_only=True)]
    assert header[2:5] == ["渠道", "区县", "状态"]
    assert [row[2:5] for row in rows] == [
        ["电话", "萧山区", "已关闭"],
        ["在线交互", "萧山区", "已关闭"],
    ]
