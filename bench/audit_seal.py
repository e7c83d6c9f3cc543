"""Audit sealing throughput: chain 100,000 ticket events, then verify them.

    .venv/bin/python -m bench.audit_seal [--events 100000] [--tickets 2000]

A fresh SQLite database through the real migrations; ticket events (with personal free text
that the seal replaces by keyed digests) are bulk-inserted, then `helpdesk.audit.seal.seal`
chains them in batches of 5,000 with one commit each and writes the checkpoint, and
`helpdesk.audit.verify.verify` recomputes the whole chain.
Target (issue 7): sealing at least 5,000 events/s.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from helpdesk import clock, schema
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.seal import seal
from helpdesk.audit.verify import verify
from helpdesk.directory.models import Region, ServiceCategory
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.tickets.models import Ticket, TicketEvent

KINDS = ["created", "assigned", "accepted", "commented", "pended", "resumed", "resolved"]


def seed(session: Session, events: int, tickets: int) -> None:
    ensure_reference_data(session)
    session.commit()
    has_parent = ServiceCategory.code.contains("/")
    category = session.scalars(select(ServiceCategory.code).where(has_parent)).first()
    district = session.scalars(select(Region.code)).first()
    base = datetime(2026, 11, 1, tzinfo=UTC)
    session.execute(
        insert(Ticket),
        [
            {"id": i, "number": f"HZ-BENCH-{i:06d}", "type": "request", "channel": "phone",
             "category_code": category, "district_code": district, "subject": "bench",
             "description": "", "priority": "normal", "status": "in_progress", "is_open": True,
             "tags": [], "version": 1, "created_at": base, "updated_at": base}
            for i in range(1, tickets + 1)
        ],
    )  # fmt: skip
    session.execute(
        insert(TicketEvent),
        [
            {"ticket_id": 1 + i % tickets, "kind": KINDS[i % len(KINDS)], "actor_id": None,
             "at": base + timedelta(seconds=i), "from_status": "accepted",
             "to_status": "in_progress", "internal": i % 5 == 0,
             "data": {"reason": f"联系人王先生 139{i:08d} 要求补充材料", "comment_id": i}}
            for i in range(events)
        ],
    )  # fmt: skip
    session.commit()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--tickets", type=int, default=2_000)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-audit-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    schema.upgrade(url)
    engine = create_engine(url)
    files = AuditFiles(b"bench-key", folder / "checkpoints.log")
    with Session(engine) as session:
        seed(session, args.events, args.tickets)
        clock.freeze(datetime(2026, 12, 1, tzinfo=UTC))  # every event is past the grace period
        started = time.perf_counter()
        result = seal(session, files)
        sealing = time.perf_counter() - started
        started = time.perf_counter()
        report = verify(session, files)
        checking = time.perf_counter() - started
    engine.dispose()
    print(
        f"sealed {result.sealed} events in {sealing:.2f} s: {result.sealed / sealing:,.0f} events/s"
    )
    print(f"verified {report.checked} records in {checking:.2f} s: "
          f"{report.checked / checking:,.0f} records/s, ok={report.ok}")  # fmt: skip
    ok = result.sealed == args.events and report.ok and result.sealed / sealing >= 5000
    print("target (sealing >= 5,000 events/s):", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    main()
