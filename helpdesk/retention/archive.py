"""Archives of closed tickets by period (登记备案留档), verifiable offline.

The zip holds, for the tickets closed in the period (Hangzhou dates):

    tickets.json    the rows (every field the tickets service tracks, and the times)
    events.json     every event of those tickets, as the chain sealed it: personal fields are
                    the keyed digests (helpdesk.audit.chain.redact), never the text
    comments.json   their comments (already anonymised ones hold the marker)
    chain.jsonl     the sealed records from the first archived event to the checkpoint
    checkpoint.json the chain's signed checkpoint at the export
    tickets.xlsx    the tickets for people to read
    manifest.json   the period, the counts, and the SHA-256 of tickets.xlsx

`verify` needs no database and no key: it walks chain.jsonl up to the checkpoint's hash, finds
each event's record in it, and replays tickets.json and comments.json against the digests
their events sealed (as helpdesk.audit.replay does against the database). Whatever was edited
is named by its file.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any

from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.audit import chain
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.models import AuditCheckpoint, AuditRecord
from helpdesk.audit.seal import seal
from helpdesk.errors import InvalidInput
from helpdesk.tickets import fingerprint
from helpdesk.tickets.models import Comment, Status, Ticket, TicketEvent

TIMES = ("created_at", "resolved_at", "closed_at")
XLSX_HEADER = ["工单号", "标题", "渠道", "区县", "状态", "创建时间", "解决时间", "关闭时间"]
CHUNK = 2_000


def _bounds(start: date, end: date) -> tuple[datetime, datetime]:
    if end < start:
        raise InvalidInput("the period ends before it starts", field="to")
    low = datetime.combine(start, time(), clock.HANGZHOU)
    high = datetime.combine(end + timedelta(days=1), time(), clock.HANGZHOU)
    return low, high


def _value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return getattr(value, "value", value)


def _ticket(ticket: Ticket) -> dict[str, Any]:
    row = {"id": ticket.id}
    row.update({name: _value(getattr(ticket, name)) for name in fingerprint.TRACKED})
    row.update({name: _value(getattr(ticket, name)) for name in TIMES})
    return row


def _closed(session: Session, low: datetime, high: datetime) -> list[Ticket]:
    return list(
        session.scalars(
            select(Ticket)
            .where(Ticket.status == Status.CLOSED, Ticket.closed_at >= low, Ticket.closed_at < high)
            .order_by(Ticket.id)
        )
    )


def _in_chunks(ids: list[int]) -> Iterable[list[int]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _xlsx(tickets: list[dict[str, Any]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("工单")
    sheet.append(XLSX_HEADER)
    for t in tickets:
        times = [
            datetime.fromisoformat(t[n]).astimezone(clock.HANGZHOU).replace(tzinfo=None)
            if t[n]
            else None
            for n in TIMES
        ]
        sheet.append(
            [t["number"], t["subject"], t["channel"], t["district_code"], t["status"], *times]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def export(session: Session, files: AuditFiles, start: date, end: date, out: IO[bytes]) -> int:
    """Write the archive of tickets closed from `start` to `end` (inclusive) to `out`; how many
    tickets it holds. Seals what is due first, so the archive ends at a fresh checkpoint."""
    low, high = _bounds(start, end)
    seal(session, files)
    tickets = _closed(session, low, high)
    ids = [t.id for t in tickets]
    events: list[dict[str, Any]] = []
    comments: list[dict[str, Any]] = []
    unsealed: list[int] = []
    for part in _in_chunks(ids):
        event_ids = list(
            session.scalars(select(TicketEvent.id).where(TicketEvent.ticket_id.in_(part)))
        )
        records = {
            r.event_id: r
            for r in session.scalars(select(AuditRecord).where(AuditRecord.ticket_id.in_(part)))
        }
        unsealed.extend(i for i in event_ids if i not in records)
        events.extend({"seq": r.seq, **json.loads(r.record)} for r in records.values())
        comments.extend(
            {
                "id": c.id,
                "ticket_id": c.ticket_id,
                "body": c.body,
                "internal": c.internal,
                "created_at": c.created_at.isoformat(),
            }
            for c in session.scalars(
                select(Comment).where(Comment.ticket_id.in_(part)).order_by(Comment.id)
            )
        )
    if unsealed:
        raise InvalidInput(
            f"{len(unsealed)} events of these tickets are not sealed yet; try again in a minute",
            field="to",
        )
    events.sort(key=lambda e: e["seq"])
    mark = session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.chain == chain.TICKETS)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    if events and (mark is None or mark.seq < events[-1]["seq"]):
        raise InvalidInput("the chain has no checkpoint after these tickets yet", field="to")
    first_seq = events[0]["seq"] if events else (mark.seq if mark else 0)
    ticket_rows = [_ticket(t) for t in tickets]
    workbook = _xlsx(ticket_rows)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("tickets.json", _json(ticket_rows))
        archive.writestr("events.json", _json(events))
        archive.writestr("comments.json", _json(comments))
        with archive.open("chain.jsonl", "w") as segment:
            for record in _segment(session, first_seq, mark.seq if mark else 0):
                segment.write((chain.canonical(record) + "\n").encode("utf-8"))
        checkpoint = (
            {
                "seq": mark.seq,
                "hash": mark.hash,
                "at": mark.at,
                "chain": mark.chain,
                "chain_id": mark.chain_id,
                "mac": mark.mac,
            }
            if mark
            else None
        )
        archive.writestr("checkpoint.json", _json(checkpoint))
        archive.writestr("tickets.xlsx", workbook)
        archive.writestr(
            "manifest.json",
            _json(
                {
                    "from": start.isoformat(),
                    "to": end.isoformat(),
                    "exported_at": clock.now().isoformat(timespec="seconds"),
                    "tickets": len(ticket_rows),
                    "events": len(events),
                    "comments": len(comments),
                    "sha256": {"tickets.xlsx": hashlib.sha256(workbook).hexdigest()},
                }
            ),
        )
    return len(ticket_rows)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _segment(session: Session, first: int, last: int) -> Iterable[dict[str, Any]]:
    seq = first - 1
    while seq < last:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.seq > seq, AuditRecord.seq <= last)
            .order_by(AuditRecord.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        for r in rows:
            yield {"seq": r.seq, "event": r.event_id, "record": r.record,
                   "prev_hash": r.prev_hash, "hash": r.hash}  # fmt: skip
        seq = rows[-1].seq


# -- offline verification --------------------------------------------------------------------


def _not_a_digest(text: str) -> str:
    """Offline there is no key: a personal field that is not a digest any more was edited."""
    return "edited: personal text where the sealed digest was"


def _row_of(event: dict[str, Any]) -> chain.EventRow:
    return chain.EventRow(
        int(event["event"]), int(event["ticket"]), str(event["kind"]), event.get("actor"),
        datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")), event.get("from"),
        event.get("to"), event.get("data") or {}, bool(event.get("internal")), event.get("state"),
    )  # fmt: skip


def verify(path: Path) -> tuple[list[str], dict[str, int]]:
    """Problems, each naming the file in the zip it concerns, and what was checked."""
    problems: list[str] = []
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as exc:
        return [f"{path}: not a readable zip ({exc})"], {}
    with archive:
        names = set(archive.namelist())
        needed = ("tickets.json", "events.json", "comments.json", "chain.jsonl", "checkpoint.json")
        missing = [n for n in needed if n not in names]
        if missing:
            return [f"{n}: missing from the archive" for n in missing], {}
        loaded: dict[str, Any] = {}
        for name in (*needed[:3], "checkpoint.json", "manifest.json"):
            if name not in names:
                continue
            try:
                loaded[name] = json.loads(archive.read(name))
            except ValueError:
                problems.append(f"{name}: not valid JSON (edited)")
        if problems:
            return problems, {}
        records = _check_segment(archive.read("chain.jsonl"), loaded["checkpoint.json"], problems)
        _check_events(loaded["events.json"], records, problems)
        _check_rows(loaded["tickets.json"], loaded["comments.json"], loaded["events.json"],
                    problems)  # fmt: skip
        manifest = loaded.get("manifest.json") or {}
        for name, expected in (manifest.get("sha256") or {}).items():
            if name in names and hashlib.sha256(archive.read(name)).hexdigest() != expected:
                problems.append(f"{name}: differs from the manifest's SHA-256 (edited)")
    return problems, {
        "tickets": len(loaded["tickets.json"]),
        "events": len(loaded["events.json"]),
        "records": len(records),
    }


def _check_segment(
    text: bytes, checkpoint: dict[str, Any] | None, problems: list[str]
) -> dict[int, dict[str, Any]]:
    records: dict[int, dict[str, Any]] = {}
    prev_hash: str | None = None
    last: dict[str, Any] | None = None
    for number, line in enumerate(text.decode("utf-8").splitlines(), 1):
        try:
            record = json.loads(line)
            seq = int(record["seq"])
            ok = chain.link(record["prev_hash"], record["record"]) == record["hash"]
        except (ValueError, KeyError, TypeError):
            problems.append(f"chain.jsonl: line {number} is unreadable (edited)")
            continue
        if not ok:
            problems.append(f"chain.jsonl: seq {seq} does not match its hash (edited)")
        if prev_hash is not None and record["prev_hash"] != prev_hash:
            problems.append(f"chain.jsonl: seq {seq}'s previous-hash link is broken")
        if last is not None and seq != int(last["seq"]) + 1:
            problems.append(f"chain.jsonl: seq {seq} follows {last['seq']} (records missing)")
        prev_hash, last = record["hash"], record
        records[seq] = record
    if checkpoint is None:
        if records:
            problems.append("checkpoint.json: empty, yet the archive has sealed records")
    elif last is None or int(last["seq"]) != int(checkpoint["seq"]):
        problems.append("checkpoint.json: its seq is not the end of chain.jsonl")
    elif last["hash"] != checkpoint["hash"]:
        problems.append("checkpoint.json: the chain does not end at its hash")
    return records


def _check_events(
    events: list[dict[str, Any]], records: dict[int, dict[str, Any]], problems: list[str]
) -> None:
    for event in events:
        try:
            seq = int(event["seq"])
            text = chain.record_of(_row_of(event), _not_a_digest)
        except (ValueError, KeyError, TypeError):
            problems.append(f"events.json: an entry is unreadable (edited): {event!r:.80}")
            continue
        record = records.get(seq)
        if record is None:
            problems.append(f"events.json: event {event.get('event')} has no record in the chain")
        elif record["record"] != text:
            problems.append(f"events.json: event {event['event']} differs from its sealed record")


def _check_rows(
    tickets: list[dict[str, Any]],
    comments: list[dict[str, Any]],
    events: list[dict[str, Any]],
    problems: list[str],
) -> None:
    latest: dict[int, dict[str, Any]] = {}
    digests: dict[int, tuple[int, str]] = {}
    for event in sorted(events, key=lambda e: int(e.get("event", 0))):
        state = event.get("state")
        if not isinstance(state, dict):
            continue
        latest[int(event["ticket"])] = state
        added = state.get("comment")
        if isinstance(added, dict) and "id" in added:
            digests[int(added["id"])] = (int(event["ticket"]), str(added.get("sha")))
        for rewritten in state.get("comments") or ():
            digests[int(rewritten["id"])] = (int(event["ticket"]), str(rewritten.get("sha")))
    for ticket in tickets:
        expected = (latest.get(int(ticket.get("id", 0))) or {}).get("row") or {}
        try:
            actual = fingerprint.of_row(ticket)
        except KeyError as exc:
            problems.append(f"tickets.json: ticket {ticket.get('number')} lacks {exc}")
            continue
        for name in fingerprint.TRACKED:
            if name in expected and expected[name] != actual[name]:
                problems.append(
                    f"tickets.json: ticket {ticket.get('number')}: {name} is not what its last "
                    "event sealed (edited)"
                )
    for comment in comments:
        known = digests.get(int(comment.get("id", 0)))
        if known is None:
            continue  # older than the digests
        if known[0] != comment.get("ticket_id") or known[1] != fingerprint.of_comment(
            str(comment.get("body")), bool(comment.get("internal"))
        ):
            problems.append(f"comments.json: comment {comment.get('id')} was edited")
