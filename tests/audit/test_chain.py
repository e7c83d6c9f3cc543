"""The audit chain, pure: hashing, personal data kept out, and each tampering case located."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta

from helpdesk.audit import chain
from helpdesk.audit.chain import Checkpoint, EventRow, Sealed

DIGEST = chain.pii_digester(b"test-key")
T0 = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)


def events(n: int = 10) -> list[EventRow]:
    return [
        EventRow(i, 1 + i % 3, "commented", 7, T0 + timedelta(minutes=i), "new", "new",
                 {"comment_id": i, "reason": f"王先生 13900000{i:03d}"}, False)
        for i in range(1, n + 1)
    ]  # fmt: skip


def sealed(evs: list[EventRow]) -> list[Sealed]:
    return chain.seal(evs, 0, chain.GENESIS, DIGEST)


def first_bad(records, evs, marks=()) -> int | None:
    problems, _ = chain.verify(records, evs, DIGEST, marks)
    return problems[0].seq if problems else None


def test_an_untouched_chain_verifies_and_links_by_sha256():
    evs = events()
    recs = sealed(evs)
    assert first_bad(recs, evs) is None
    assert recs[0].prev_hash == chain.GENESIS
    assert recs[1].prev_hash == recs[0].hash
    assert recs[1].hash == chain.link(recs[0].hash, recs[1].record)


def test_personal_data_is_not_in_the_record_and_erasing_it_keeps_the_chain():
    evs = events(3)
    recs = sealed(evs)
    assert "王先生" not in recs[0].record and "13900000" not in recs[0].record
    assert json.loads(recs[0].record)["data"]["reason"] == {"pii": DIGEST("王先生 13900000001")}
    erased = dataclasses.replace(
        evs[0], data={**evs[0].data, "reason": {"pii": DIGEST("王先生 13900000001")}}
    )
    assert first_bad(recs, [erased, *evs[1:]]) is None


def test_modified_event_row():
    evs = events()
    recs = sealed(evs)
    evs[4] = dataclasses.replace(evs[4], kind="closed")
    assert first_bad(recs, evs) == 5


def test_modified_record():
    evs = events()
    recs = sealed(evs)
    recs[4] = dataclasses.replace(recs[4], record=recs[4].record.replace("commented", "closed"))
    assert first_bad(recs, evs) == 5


def test_deleted_record_and_event():
    evs = events()
    recs = sealed(evs)
    del recs[5]
    del evs[5]
    assert first_bad(recs, evs) == 6


def test_deleted_event_only():
    evs = events()
    recs = sealed(evs)
    del evs[2]
    assert first_bad(recs, evs) == 3


def test_inserted_record_rehashed_after_it():
    evs = events()
    fake = EventRow(99, 1, "closed", 7, T0, "new", "closed", {}, False)
    forged = chain.seal([*evs[:4], fake, *evs[4:]], 0, chain.GENESIS, DIGEST)  # a careful forger
    assert first_bad(forged, [*evs, fake]) == 5


def test_inserted_event_below_the_head():
    evs = [e for e in events() if e.id != 5]  # id 5 never committed (a rolled-back insert)
    recs = sealed(evs)
    ghost = EventRow(5, 1, "created", None, T0, None, "new", {}, False)  # back-dated into the gap
    assert first_bad(recs, sorted([*evs, ghost], key=lambda e: e.id)) == 5


def test_reordered_records():
    evs = events()
    recs = sealed(evs)
    recs[6], recs[7] = dataclasses.replace(recs[7], seq=7), dataclasses.replace(recs[6], seq=8)
    assert first_bad(recs, evs) == 7


def test_truncated_tail_is_caught_by_the_checkpoint():
    evs = events()
    recs = sealed(evs)
    mark = Checkpoint(10, recs[9].hash, "2026-11-27T01:10:00")
    assert first_bad(recs, evs, [mark]) is None
    assert first_bad(recs[:7], evs[:7], [mark]) == 8


def test_a_rewritten_and_rehashed_chain_differs_from_the_checkpoint():
    evs = events()
    recs = sealed(evs)
    mark = Checkpoint(10, recs[9].hash, "2026-11-27T01:10:00")
    evs[3] = dataclasses.replace(evs[3], actor_id=8)
    assert first_bad(sealed(evs), evs, [mark]) == 10
