"""Archive export (登记备案留档) of many closed tickets: time and peak memory, file and HTTP.

    .venv/bin/python -m bench.archive_export [--tickets 100000] [--db PATH]

Builds (once, then reuses) a SQLite database through the real migrations: tickets closed
across four months of 2025 with three events and a comment each (Core bulk inserts), sealed by
the real sealer. Then, interleaved, exports one month (a quarter of the tickets) and all four
months, each to a file (the CLI's path, helpdesk.retention.archive.export) and through
`archive.stream` (the download's generator, bytes counted and dropped). Time is measured
without tracing; peak is tracemalloc's peak above the start in a second, traced run (Python
allocations; zlib's and SQLite's C buffers are not counted, ru_maxrss below covers them).
Finally `audit verify --archive` on the full file (verification itself loads the archive).

Measured 2026-12-04, shared 2-core machine (load ~6), 100,000 tickets / 300,000 events:
    file, January (1/4)          12.8 s wall   9.9 s cpu  25.1 MB  traced peak  8.1 MB
    stream, January (1/4)        11.6 s wall  10.6 s cpu  25.1 MB  traced peak  8.2 MB
    file, January to April       33.8 s wall  24.4 s cpu  33.9 MB  traced peak 12.9 MB
    stream, January to April     37.2 s wall  28.1 s cpu  33.9 MB  traced peak 15.7 MB
    verify --archive: 0 problems, 100,000 tickets, 300,000 events in 13.1 s
(January's archive carries the chain from its first record to the checkpoint: the whole
chain here.) The traced peak's rise at 4x is cyclic garbage not yet collected, not data held:
with gc.collect() after each batch the tickets and events phases peak at 4.0/6.1 MB for the
quarter and 3.8/5.8 MB for the whole (the old in-memory export held every row: 2.5 -> 9.5 MB
for 40 -> 160 tickets in tests/retention/test_archive_stream.py).

Reading one snapshot (archive.Snapshot, 2026-12-04, load 10-14, a short run: --tickets 20000):
    file, January (1/4)           4.7 s wall   1.9 s cpu   5.0 MB  traced peak  6.3 MB
    stream, January (1/4)         6.3 s wall   2.1 s cpu   5.0 MB  traced peak  6.5 MB
    file, January to April       10.8 s wall   4.7 s cpu   6.7 MB  traced peak  7.4 MB
    stream, January to April     16.2 s wall   5.0 s cpu   6.7 MB  traced peak  7.6 MB
    verify --archive: 0 problems, 20,000 tickets, 60,000 events in 8.5 s
CPU per ticket as at 100,000 (0.24 ms): holding one read transaction costs nothing measurable.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from helpdesk import clock, schema
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.retention import archive
from helpdesk.tickets import fingerprint
from helpdesk.tickets.models import (
    Channel,
    Comment,
    Priority,
    Status,
    Ticket,
    TicketEvent,
    TicketType,
)

START = datetime(2025, 1, 1, 2, 0, tzinfo=UTC)
BATCH = 10_000


def build(path: Path, files: AuditFiles, count: int) -> Engine:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    if path.exists():
        with engine.connect() as connection:
            if connection.scalar(select(func.count(Ticket.id))) == count:
                return engine
        path.unlink()
        files.checkpoints.unlink(missing_ok=True)
    schema.upgrade(url)
    with Session(engine) as session:
        ensure_reference_data(session)
        session.add(Organisation(slug="org-1", name="机构1", kind=OrgKind.PROVIDER, capacity=9))
        session.commit()
    started = time.perf_counter()
    step = timedelta(days=120) / count  # four months, in order
    with engine.begin() as connection:
        for first in range(1, count + 1, BATCH):
            tickets, events, comments = [], [], []
            for i in range(first, min(first + BATCH, count + 1)):
                created = START + step * i
                closed = created + timedelta(hours=2)
                row = {
                    "id": i, "number": f"HZ-A-{i:08d}", "type": TicketType.REQUEST,
                    "channel": Channel.PHONE, "category_code": "finance/guarantee",
                    "district_code": "330109", "enterprise_id": None,
                    "subject": f"咨询担保贷款 {i}", "description": "企业需要担保贷款的办理流程",
                    "priority": Priority.NORMAL, "status": Status.CLOSED, "is_open": False,
                    "assigned_org_id": 1, "assignee_id": None, "merged_into_id": None,
                    "version": 3, "created_at": created, "updated_at": closed,
                    "resolved_at": closed, "closed_at": closed,
                }  # fmt: skip
                tickets.append(row)
                state = {"row": fingerprint.of_row(row)}
                for kind, at, to in (("created", created, "new"),
                                     ("resolved", closed, "resolved"),
                                     ("closed", closed, "closed")):  # fmt: skip
                    events.append({"ticket_id": i, "kind": kind, "at": at, "to_status": to,
                                   "data": {}, "internal": False, "state": state})  # fmt: skip
                comments.append({"ticket_id": i, "body": "已电话答复企业，流程见附件",
                                 "internal": False, "created_at": closed})  # fmt: skip
            connection.execute(insert(Ticket), tickets)
            connection.execute(insert(TicketEvent), events)
            connection.execute(insert(Comment), comments)
    filled = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:
        sealed = seal(session, files, batch=20_000).sealed
    print(f"filled {count:,} tickets in {filled:.1f} s, sealed {sealed:,} events in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip
    return engine


def measure(label: str, run: Callable[[], int]) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    size = run()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    base = tracemalloc.get_traced_memory()[0]
    run()
    peak = tracemalloc.get_traced_memory()[1] - base
    tracemalloc.stop()
    print(f"{label:34} {wall:7.1f} s wall {cpu:7.1f} s cpu {size / 1e6:7.1f} MB "
          f"traced peak {peak / 1e6:5.1f} MB")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--db", type=Path, default=Path("/tmp/bench-archive.db"))
    args = parser.parse_args()
    clock.freeze(datetime(2025, 6, 1, tzinfo=UTC))
    files = AuditFiles(b"bench-key", args.db.with_suffix(".checkpoints.log"))
    engine = build(args.db, files, args.tickets)
    out = Path(tempfile.mkdtemp()) / "archive.zip"
    periods = {
        "January (1/4)": (date(2025, 1, 1), date(2025, 1, 31)),
        "January to April (all)": (date(2025, 1, 1), date(2025, 5, 1)),
    }

    def to_file(period: tuple[date, date]) -> int:
        with Session(engine) as session, out.open("wb") as handle:
            archive.export(session, files, *period, handle)
        return out.stat().st_size

    def streamed(period: tuple[date, date]) -> int:
        with Session(engine) as session:
            plan = archive.prepare(session, files, *period)
        return sum(len(block) for block in archive.stream(engine, plan))

    for name, period in periods.items():  # interleaved: the quarter, then the whole
        measure(f"file, {name}", lambda p=period: to_file(p))
        measure(f"stream, {name}", lambda p=period: streamed(p))
    print(f"peak RSS of the process so far {peak_mb():.0f} MB")
    started = time.perf_counter()
    problems, checked = archive.verify(out)
    print(f"verify --archive: {len(problems)} problems, {checked} in "
          f"{time.perf_counter() - started:.1f} s")  # fmt: skip


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


if __name__ == "__main__":
    main()
