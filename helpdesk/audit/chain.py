"""The audit chain, pure: canonical records, hashes, and finding the first bad link.

    hash(n) = SHA-256(hash(n-1) ‖ canonical JSON of record n),   hash(0) = 64 zeros

A record is the ticket event with personal data replaced by keyed digests (`{"pii": hex}`): the
chain never holds a name, phone or free text, so those can be erased after their retention
period by writing the digest into the event row, and the chain still verifies.

`verify` walks the sealed records in sequence order beside the event rows in id order (both
streamed) and reports every problem with the sequence number it concerns; the caller names the
first. The chain covers the events in id order without skipping, so a record for the wrong
event (inserted, reordered) is caught where it stands.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64
# Values under these keys (at any depth in the event's data) are personal or free text.
PERSONAL_KEYS = frozenset(
    {"reason", "summary", "body", "text", "note", "name", "phone", "contact_name", "contact_phone"}
)
Digest = Callable[[str], str]
TICKETS = "tickets"


def canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(prev_hash: str, record: str) -> str:
    return hashlib.sha256(bytes.fromhex(prev_hash) + record.encode("utf-8")).hexdigest()


def pii_digester(key: bytes) -> Digest:
    subkey = hmac.new(key, b"helpdesk-audit-pii", hashlib.sha256).digest()

    def digest(text: str) -> str:
        return hmac.new(subkey, text.encode("utf-8"), hashlib.sha256).hexdigest()

    return digest


def redact(value: Any, digest: Digest, personal: bool = False) -> Any:
    """`value` with personal fields as `{"pii": digest}`; an already-erased field stays."""
    if isinstance(value, dict):
        if personal and set(value) == {"pii"}:
            return value
        return {k: redact(v, digest, personal or k in PERSONAL_KEYS) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v, digest, personal) for v in value]
    if personal and value is not None:
        return {"pii": digest(value if isinstance(value, str) else canonical(value))}
    return value


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class EventRow:
    """What a ticket event holds, as the chain sees it."""

    id: int
    ticket_id: int
    kind: str
    actor_id: int | None
    at: datetime
    from_status: str | None
    to_status: str | None
    data: dict[str, Any]
    internal: bool
    state: dict[str, Any] | None = None  # digests of the row after the change (no text)


def record_of(event: EventRow, digest: Digest) -> str:
    body: dict[str, Any] = {
        "event": event.id,
        "ticket": event.ticket_id,
        "kind": event.kind,
        "actor": event.actor_id,
        "at": _iso(event.at),
        "from": event.from_status,
        "to": event.to_status,
        "data": redact(event.data or {}, digest),
        "internal": bool(event.internal),
    }
    if event.state is not None:  # events from before states were kept keep their records
        body["state"] = event.state
    return canonical(body)


@dataclass(frozen=True)
class Sealed:
    seq: int
    event_id: int
    record: str
    prev_hash: str
    hash: str


def seal(
    events: Iterable[EventRow],
    head_seq: int,
    head_hash: str,
    digest: Digest,
    record: Callable[[Any, Digest], str] = record_of,
) -> list[Sealed]:
    """Chain `events` after the head. `record` makes a row's canonical record: ticket events
    by default; the operations log (helpdesk.oplog) passes its own."""
    out = []
    seq, prev = head_seq, head_hash
    for event in events:
        seq += 1
        text = record(event, digest)
        current = link(prev, text)
        out.append(Sealed(seq, event.id, text, prev, current))
        prev = current
    return out


@dataclass(frozen=True, order=True)
class Problem:
    seq: int
    message: str

    def __str__(self) -> str:
        return f"seq {self.seq}: {self.message}"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    chain: str = TICKETS  # which chain: ticket events, or "admin" (the operations log)
    # the chain's identity: the hash of its first record. None on lines written before it was
    # kept. A checkpoint of another identity is another database's, not a truncation of this.
    chain_id: str | None = None


def verify(
    records: Iterable[Sealed],
    events: Iterable[Any],
    digest: Digest,
    checkpoints: Iterable[Checkpoint] = (),
    record: Callable[[Any, Digest], str] = record_of,
) -> tuple[list[Problem], int]:
    """Every problem found, and the number of records checked. `events` are rows with an `id`
    in id order; `record` makes each one's canonical record (ticket events by default)."""
    problems: list[Problem] = []
    marks = {c.seq: c for c in checkpoints}
    event_iter: Iterator[Any] = iter(events)
    pending: Any = next(event_iter, None)
    expected_seq, prev_hash, count = 1, GENESIS, 0
    last_event_id = 0
    hashes_at_marks: dict[int, str] = {}
    for rec in records:
        count += 1
        if rec.seq != expected_seq:
            if rec.seq > expected_seq:
                problems.append(Problem(expected_seq, f"missing: the chain jumps to {rec.seq}"))
            else:
                problems.append(Problem(rec.seq, f"sequence out of order after {expected_seq - 1}"))
        if rec.prev_hash != prev_hash:
            problems.append(Problem(rec.seq, "previous-hash link broken"))
        if link(rec.prev_hash, rec.record) != rec.hash:
            problems.append(Problem(rec.seq, "record does not match its hash (modified)"))
        # the event rows between the previous sealed one and this one must not exist
        while pending is not None and pending.id < rec.event_id:
            inserted = f"event {pending.id} exists but is not in the chain (inserted)"
            problems.append(Problem(rec.seq, inserted))
            pending = next(event_iter, None)
        if rec.event_id <= last_event_id:
            problems.append(Problem(rec.seq, f"event {rec.event_id} out of order (reordered)"))
        elif pending is None or pending.id != rec.event_id:
            problems.append(Problem(rec.seq, f"event {rec.event_id} is gone (deleted)"))
        else:
            if record(pending, digest) != rec.record:
                problems.append(Problem(rec.seq, f"event {rec.event_id} differs from its record"))
            pending = next(event_iter, None)
        last_event_id = max(last_event_id, rec.event_id)
        if rec.seq in marks:
            hashes_at_marks[rec.seq] = rec.hash
        expected_seq, prev_hash = rec.seq + 1, rec.hash
    last_seq = expected_seq - 1
    for mark in sorted(marks.values(), key=lambda c: c.seq):
        if mark.seq > last_seq:
            problems.append(
                Problem(
                    last_seq + 1,
                    f"truncated: checkpoint of {mark.at} has seq {mark.seq}, the chain ends at "
                    f"{last_seq}",
                )
            )
            break
        if hashes_at_marks.get(mark.seq) != mark.hash:
            problems.append(Problem(mark.seq, f"differs from the checkpoint of {mark.at}"))
    return sorted(set(problems)), count
