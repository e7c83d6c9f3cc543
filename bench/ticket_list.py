"""Ticket list at 1,000,000 tickets: database time for a page of 50, first and deep pages.

    .venv/bin/python -m bench.ticket_list [--tickets 1000000] [--db PATH] [--runs 200]

Builds (once, then reuses) a SQLite database through the real migrations, fills it with Core
bulk inserts, then times the same statement the API and pages run (tickets.queries), p50/p99.
Target (issue 2): p99 <= 10 ms of database time, deep pages included.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from helpdesk import schema
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.directory.reference import CATALOGUE, REGIONS, ensure_reference_data
from helpdesk.tickets.models import Channel, Priority, Status, Ticket, TicketType
from helpdesk.tickets.queries import TicketFilter, list_statement

ORGS = 60
STATUS_WEIGHTS = [
    (Status.CLOSED, 60),
    (Status.RESOLVED, 10),
    (Status.IN_PROGRESS, 10),
    (Status.PENDING, 6),
    (Status.ACCEPTED, 5),
    (Status.ASSIGNED, 5),
    (Status.NEW, 3),
    (Status.CANCELLED, 1),
]


def build(path: Path, count: int) -> Engine:
    url = f"sqlite:///{path}"
    engine = create_engine(url)
    if path.exists():
        with engine.connect() as connection:
            if connection.scalar(select(func.count(Ticket.id))) >= count:
                return engine
        path.unlink()
    schema.upgrade(url)
    with Session(engine) as session:
        ensure_reference_data(session)
        session.add_all(
            Organisation(slug=f"org-{i}", name=f"机构{i}", kind=OrgKind.PROVIDER, capacity=999)
            for i in range(ORGS)
        )
        session.commit()
    rng = random.Random(1)
    categories = [f"{p}/{c[0]}" for p, _zh, _en, children in CATALOGUE for c in children]
    districts = [code for code, _zh, _en in REGIONS]
    statuses = [s for s, w in STATUS_WEIGHTS for _ in range(w)]
    start = datetime(2025, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    batch: list[dict[str, object]] = []
    with engine.begin() as connection:
        for i in range(1, count + 1):
            status = rng.choice(statuses)
            created = start + timedelta(seconds=i * 30)
            batch.append(
                {
                    "number": f"HZ-B-{i:08d}",
                    "type": TicketType.REQUEST,
                    "channel": Channel.PHONE,
                    "category_code": rng.choice(categories),
                    "district_code": rng.choice(districts),
                    "subject": "bench",
                    "description": "",
                    "priority": Priority.NORMAL,
                    "status": status,
                    "is_open": status
                    in (
                        Status.NEW,
                        Status.ASSIGNED,
                        Status.ACCEPTED,
                        Status.IN_PROGRESS,
                        Status.PENDING,
                    ),
                    "assigned_org_id": rng.randint(1, ORGS),
                    "version": 1,
                    "created_at": created,
                    "updated_at": created,
                }
            )
            if len(batch) == 20_000:
                connection.execute(insert(Ticket), batch)
                batch.clear()
        if batch:
            connection.execute(insert(Ticket), batch)
    print(f"filled {count:,} tickets in {time.perf_counter() - started:.1f} s")
    with engine.begin() as connection:
        connection.exec_driver_sql("ANALYZE")
    return engine


def cases(count: int) -> list[tuple[str, User, TicketFilter, int | None]]:
    staff = User(id=1, role=Role.SUPERVISOR)
    provider = User(id=2, role=Role.PROVIDER, organisation_id=7)
    deep = count // 10  # ids near the oldest tenth: a very deep page
    return [
        ("all, first page", staff, TicketFilter(), None),
        ("all, deep page", staff, TicketFilter(), deep),
        ("open, first page", staff, TicketFilter(status="open"), None),
        ("open, deep page", staff, TicketFilter(status="open"), deep),
        ("pending, deep page", staff, TicketFilter(status="pending"), deep),
        ("org queue open", staff, TicketFilter(organisation_id=7, status="open"), None),
        ("org queue open, deep", staff, TicketFilter(organisation_id=7, status="open"), deep),
        ("provider's own, open", provider, TicketFilter(status="open"), None),
        ("category exact", staff, TicketFilter(category="finance/guarantee"), None),
        ("category exact, deep", staff, TicketFilter(category="finance/guarantee"), deep),
        ("district, deep", staff, TicketFilter(district="330109"), deep),
        ("platform subtree", staff, TicketFilter(category="finance"), None),
        ("platform subtree, deep", staff, TicketFilter(category="finance"), deep),
        ("rare platform, deep", staff, TicketFilter(category="complaint"), deep),
    ]


def measure(engine: Engine, count: int, runs: int) -> None:
    print(f"{'case':28} {'p50 ms':>8} {'p99 ms':>8} {'rows':>5}")
    with engine.connect() as connection:
        for name, user, filters, before in cases(count):
            stmt = list_statement(user, filters, before, 50)
            samples = []
            rows = 0
            for _ in range(runs):
                t0 = time.perf_counter()
                rows = len(connection.execute(stmt).fetchall())
                samples.append((time.perf_counter() - t0) * 1000)
            samples.sort()
            p99 = samples[min(len(samples) - 1, int(len(samples) * 0.99))]
            print(f"{name:28} {statistics.median(samples):8.3f} {p99:8.3f} {rows:5d}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, default=Path("bench/results/tickets-1m.sqlite3"))
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    args.db.parent.mkdir(parents=True, exist_ok=True)
    engine = build(args.db, args.tickets)
    measure(engine, args.tickets, args.runs)


if __name__ == "__main__":
    main()
