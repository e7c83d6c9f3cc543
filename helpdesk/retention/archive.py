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

Streamed: `prepare` seals and refuses before the first byte; `write` reads the tickets CHUNK at
a time (keyset on the id) and writes each JSON array element by element into a zip that never
seeks, so the CLI writes the file as it goes and the download (`stream`) is a generator.

One snapshot: after sealing, the checks and every pass of `write` read through one `Snapshot`
(PostgreSQL: a REPEATABLE READ, read-only transaction; SQLite: one read transaction, which WAL
keeps apart from the writers), so a ticket closed, reopened or changed while the archive is
listed or written is either wholly in it, as of the checkpoint, or not in it at all.

`verify` needs no database and no key: it walks chain.jsonl up to the checkpoint's hash, finds
each event's record in it, and replays tickets.json and comments.json against the digests
their events sealed (as helpdesk.audit.replay does against the database). Whatever was edited
is named by its file.
"""

from __future__ import annotations

import hashlib
import io
import json
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from openpyxl import Workbook
from sqlalchemy import Connection, Engine, Select, func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.audit import chain
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.models import AuditCheckpoint, AuditRecord
from helpdesk.audit.seal import seal
from helpdesk.db import stored
from helpdesk.errors import InvalidInput
from helpdesk.retention.sheet_words import Words, in_words, sheet_words
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
    return stored(value)


COLUMNS = ("id", *fingerprint.TRACKED, *TIMES)


def _ticket(ticket: Any) -> dict[str, Any]:
    row = {"id": ticket.id}
    row.update({name: _value(getattr(ticket, name)) for name in fingerprint.TRACKED})
    row.update({name: _value(getattr(ticket, name)) for name in TIMES})
    return row


def _xlsx_row(t: dict[str, Any], words: Words) -> list[Any]:
    times = [
        datetime.fromisoformat(t[n]).astimezone(clock.HANGZHOU).replace(tzinfo=None)
        if t[n]
        else None
        for n in TIMES
    ]
    named = [in_words(words, n, t[n]) for n in ("channel", "district_code", "status")]
    return [t["number"], t["subject"], *named, *times]


class Plan(NamedTuple):
    """What `prepare` checked before the first byte: the period and the checkpoint to end at."""

    start: date
    end: date
    low: datetime
    high: datetime
    mark: dict[str, Any] | None
    first_seq: int
    words: Words  # tickets.xlsx's words for codes, read while translation is at hand


class Snapshot:
    """A session reading one consistent, read-only snapshot of the database until `close`:
    the archive's checks and all its passes see the same tickets, events and checkpoint."""

    def __init__(self, engine: Engine) -> None:
        self.connection: Connection = engine.connect()
        try:
            if engine.dialect.name == "postgresql":
                self.connection.execution_options(
                    isolation_level="REPEATABLE READ", postgresql_readonly=True
                )
            self.connection.begin()
            if engine.dialect.name == "sqlite":
                # pysqlite begins no transaction before a SELECT (each would read the latest
                # commit): an explicit BEGIN, and a read that fixes the snapshot now
                self.connection.exec_driver_sql("BEGIN")
                self.connection.exec_driver_sql("SELECT count(*) FROM sqlite_master").scalar()
            self.session = Session(bind=self.connection)
        except BaseException:
            self.connection.close()
            raise

    def close(self) -> None:
        self.session.close()
        self.connection.rollback()  # read only: nothing to keep
        self.connection.close()


def prepare(session: Session, files: AuditFiles, start: date, end: date) -> Plan:
    """Seal what is due and refuse (InvalidInput) before anything is written: a download that
    has started cannot turn into an error page any more. Checks what `session` sees: pass a
    Snapshot's session, sealed beforehand (`seal_due`), to write what it checked."""
    seal(session, files)
    return plan(session, start, end)


def seal_due(session: Session, files: AuditFiles) -> None:
    """Seal what is due and commit it, so a Snapshot opened next sees it."""
    seal(session, files)
    session.commit()


def plan(session: Session, start: date, end: date) -> Plan:
    """The period and the checkpoint to end at, or InvalidInput if the tickets closed in it
    have events not sealed, or sealed after the latest checkpoint."""
    low, high = _bounds(start, end)
    closed = _closed_ids(low, high)
    unsealed = session.scalar(
        select(func.count(TicketEvent.id)).where(
            TicketEvent.ticket_id.in_(closed),
            ~select(AuditRecord.seq).where(AuditRecord.event_id == TicketEvent.id).exists(),
        )
    )
    if unsealed:
        raise InvalidInput(
            f"{unsealed} events of these tickets are not sealed yet; try again in a minute",
            field="to",
        )
    lowest, highest = session.execute(
        select(func.min(AuditRecord.seq), func.max(AuditRecord.seq)).where(
            AuditRecord.ticket_id.in_(closed)
        )
    ).one()
    row = session.scalars(
        select(AuditCheckpoint)
        .where(AuditCheckpoint.chain == chain.TICKETS)
        .order_by(AuditCheckpoint.seq.desc(), AuditCheckpoint.id.desc())
        .limit(1)
    ).first()
    if highest is not None and (row is None or row.seq < highest):
        raise InvalidInput("the chain has no checkpoint after these tickets yet", field="to")
    mark = (
        {
            "seq": row.seq,
            "hash": row.hash,
            "at": row.at,
            "chain": row.chain,
            "chain_id": row.chain_id,
            "mac": row.mac,
        }
        if row
        else None
    )
    first_seq = lowest if lowest is not None else (row.seq if row else 0)
    return Plan(start, end, low, high, mark, first_seq, sheet_words(session))


def _closed_ids(low: datetime, high: datetime) -> Select[int]:
    return select(Ticket.id).where(
        Ticket.status == Status.CLOSED, Ticket.closed_at >= low, Ticket.closed_at < high
    )


def _batches(session: Session, plan: Plan) -> Iterator[list[int]]:
    """The closed tickets' ids, CHUNK at a time by keyset on the id: memory stays flat."""
    last = 0
    while ids := list(
        session.scalars(
            _closed_ids(plan.low, plan.high)
            .where(Ticket.id > last)
            .order_by(Ticket.id)
            .limit(CHUNK)
        )
    ):
        yield ids
        last = ids[-1]


class _Array:
    """A JSON array written one element at a time (still one valid JSON document)."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out, self.count = out, 0
        out.write(b"[")

    def add(self, value: Any) -> None:
        self.out.write(b",\n" if self.count else b"\n")
        self.out.write(json.dumps(value, ensure_ascii=False).encode("utf-8"))
        self.count += 1

    def close(self) -> None:
        self.out.write(b"\n]" if self.count else b"]")


def write(session: Session, plan: Plan, out: IO[bytes]) -> Iterator[int]:
    """Write the archive to `out` (which need not be seekable) a batch at a time, yielding
    the tickets written so far after each batch so a caller can pass the bytes on. Three
    passes over the tickets' ids, as a zip entry must be finished before the next starts."""
    counts = {"tickets": 0, "events": 0, "comments": 0}
    book = Workbook(write_only=True)  # openpyxl keeps the rows in a temporary file
    sheet = book.create_sheet("工单")
    sheet.append(XLSX_HEADER)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open("tickets.json", "w", force_zip64=True) as entry:
            rows = _Array(entry)
            for ids in _batches(session, plan):
                # plain rows, not entities: nothing accumulates in the session
                for ticket in session.execute(
                    select(*(getattr(Ticket, n) for n in COLUMNS))
                    .where(Ticket.id.in_(ids))
                    .order_by(Ticket.id)
                ):
                    row = _ticket(ticket)
                    rows.add(row)
                    sheet.append(_xlsx_row(row, plan.words))
                yield rows.count
            rows.close()
            counts["tickets"] = rows.count
        with archive.open("events.json", "w", force_zip64=True) as entry:
            events = _Array(entry)
            for ids in _batches(session, plan):
                for r in session.execute(
                    select(AuditRecord.seq, AuditRecord.record)
                    .where(AuditRecord.ticket_id.in_(ids))
                    .order_by(AuditRecord.seq)
                ):
                    events.add({"seq": r.seq, **json.loads(r.record)})
                yield counts["tickets"]
            events.close()
            counts["events"] = events.count
        with archive.open("comments.json", "w", force_zip64=True) as entry:
            comments = _Array(entry)
            for ids in _batches(session, plan):
                for c in session.execute(
                    select(
                        Comment.id,
                        Comment.ticket_id,
                        Comment.body,
                        Comment.internal,
                        Comment.created_at,
                    )
                    .where(Comment.ticket_id.in_(ids))
                    .order_by(Comment.id)
                ):
                    comments.add(
                        {
                            "id": c.id,
                            "ticket_id": c.ticket_id,
                            "body": c.body,
                            "internal": c.internal,
                            "created_at": c.created_at.isoformat(),
                        }
                    )
                yield counts["tickets"]
            comments.close()
            counts["comments"] = comments.count
        with archive.open("chain.jsonl", "w", force_zip64=True) as entry:
            last = plan.mark["seq"] if plan.mark else 0
            for part in _segment(session, plan.first_seq, last):
                for record in part:
                    entry.write((chain.canonical(record) + "\n").encode("utf-8"))
                yield counts["tickets"]
        archive.writestr("checkpoint.json", _json(plan.mark))
        digest = hashlib.sha256()
        with tempfile.TemporaryFile() as workbook:
            book.save(workbook)
            workbook.seek(0)
            with archive.open("tickets.xlsx", "w", force_zip64=True) as entry:
                while block := workbook.read(1 << 20):
                    digest.update(block)
                    entry.write(block)
                    yield counts["tickets"]
        archive.writestr(
            "manifest.json",
            _json(
                {
                    "from": plan.start.isoformat(),
                    "to": plan.end.isoformat(),
                    "exported_at": clock.now().isoformat(timespec="seconds"),
                    **counts,
                    "sha256": {"tickets.xlsx": digest.hexdigest()},
                }
            ),
        )
    yield counts["tickets"]


def export(session: Session, files: AuditFiles, start: date, end: date, out: IO[bytes]) -> int:
    """Write the archive of tickets closed from `start` to `end` (inclusive) to `out`; how many
    tickets it holds. Seals what is due first (and commits), so the archive ends at a fresh
    checkpoint, then checks and writes from one Snapshot."""
    _bounds(start, end)  # a bad period is refused before sealing
    seal_due(session, files)
    bind = session.get_bind()
    snapshot = Snapshot(bind if isinstance(bind, Engine) else bind.engine)
    try:
        checked = plan(snapshot.session, start, end)
        count = 0
        for count in write(snapshot.session, checked, out):  # noqa: B007 (the last: the total)
            pass
        return count
    finally:
        snapshot.close()


class _Pipe(io.RawIOBase):
    """A write-only, non-seekable sink the zip writes into and `stream` empties after each
    batch (zipfile then puts sizes in data descriptors instead of seeking back)."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data = b"".join(self.parts)
        self.parts.clear()
        return data


class Download(Iterable[bytes]):
    """The archive as response chunks, read from the Snapshot it was checked in (its own
    session: the body is sent after the request's context is gone; stream_with_context broke
    when a client stopped reading). The server calls `close` when the response ends, sent or
    not, and the snapshot's transaction ends with it."""

    def __init__(self, snapshot: Snapshot, plan: Plan) -> None:
        self.snapshot, self.plan, self.closed = snapshot, plan, False

    def __iter__(self) -> Iterator[bytes]:
        pipe = _Pipe()
        try:
            for _ in write(self.snapshot.session, self.plan, cast(IO[bytes], pipe)):
                if block := pipe.take():
                    yield block
            if block := pipe.take():
                yield block
        finally:
            self.close()

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            self.snapshot.close()


def download(
    session: Session, engine: Engine, files: AuditFiles, start: date, end: date
) -> Download:
    """Seal (committing `session`), open a Snapshot and check the period in it: InvalidInput
    before any byte; the Download then writes exactly what was checked."""
    _bounds(start, end)
    seal_due(session, files)
    snapshot = Snapshot(engine)
    try:
        return Download(snapshot, plan(snapshot.session, start, end))
    except BaseException:
        snapshot.close()
        raise


def stream(engine: Engine, plan: Plan) -> Iterator[bytes]:
    """The archive of an already checked plan, from a fresh snapshot (the benchmark's path;
    the page uses `download`, whose checks and bytes share one snapshot)."""
    return iter(Download(Snapshot(engine), plan))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1)


def _segment(session: Session, first: int, last: int) -> Iterator[list[dict[str, Any]]]:
    """The sealed records from `first` to `last`, CHUNK at a time (keyset on seq)."""
    seq = first - 1
    while seq < last:
        rows = session.execute(
            select(
                AuditRecord.seq,
                AuditRecord.event_id,
                AuditRecord.record,
                AuditRecord.prev_hash,
                AuditRecord.hash,
            )
            .where(AuditRecord.seq > seq, AuditRecord.seq <= last)
            .order_by(AuditRecord.seq)
            .limit(CHUNK)
        ).all()
        if not rows:
            return
        yield [
            {
                "seq": r.seq,
                "event": r.event_id,
                "record": r.record,
                "prev_hash": r.prev_hash,
                "hash": r.hash,
            }
            for r in rows
        ]
        seq = rows[-1].seq


# -- offline verification --------------------------------------------------------------------


def _not_a_digest(text: str) -> str:
    """Offline there is no key: a personal field that is not a digest any more was edited."""
    return "edited: personal text where the sealed digest was"


def _row_of(event: dict[str, Any]) -> chain.EventRow:
    return chain.EventRow(
        int(event["event"]),
        int(event["ticket"]),
        str(event["kind"]),
        event.get("actor"),
        datetime.fromisoformat(str(event["at"]).replace("Z", "+00:00")),
        event.get("from"),
        event.get("to"),
        event.get("data") or {},
        bool(event.get("internal")),
        event.get("state"),
    )


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
        _check_rows(
            loaded["tickets.json"], loaded["comments.json"], loaded["events.json"], problems
        )
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
