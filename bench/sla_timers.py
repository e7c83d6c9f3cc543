"""SLA timers: 10,000 pending timers fired by a real `helpdesk worker` (RQ scheduler + worker).

    .venv/bin/python -m bench.sla_timers [--timers 10000] [--window 120] [--lead 20] [--workers 1]

A fresh SQLite database through the real migrations and the embedded Redis. The timers (stages
of 10,000 open tickets) are bulk-inserted with fire times spread evenly over `window` seconds,
starting `lead` seconds from now, then scheduled in Redis through `helpdesk.sla.timers` exactly
as a ticket change does. `helpdesk worker` processes (one by default) fire them. Each fired
step records how late it acted (`late_ms`: the code's clock at the claim minus its fire time).
Target (issue 7): none early (late_ms >= 0 for all), lateness p99 <= 1 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from redis import Redis
from sqlalchemy import create_engine, func, insert, select
from sqlalchemy.orm import Session

from helpdesk import schema
from helpdesk.directory.models import Region, ServiceCategory
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.sla import timers
from helpdesk.sla.models import SlaStage, TicketSla
from helpdesk.tickets.models import Ticket, TicketEvent


def seed(url: str, count: int, lead: float, window: float) -> list[tuple[int, datetime]]:
    engine = create_engine(url)
    schema.upgrade(url)
    now = datetime.now(UTC)
    with Session(engine) as session:
        ensure_reference_data(session)
        session.commit()
        category = session.scalars(
            select(ServiceCategory.code).where(ServiceCategory.code.contains("/"))
        ).first()
        district = session.scalars(select(Region.code)).first()
        session.execute(
            insert(Ticket),
            [
                {"id": i, "number": f"HZ-BENCH-{i:06d}", "type": "request", "channel": "phone",
                 "category_code": category, "district_code": district, "subject": "bench",
                 "description": "", "priority": "normal", "status": "new", "is_open": True,
                 "tags": [], "version": 1, "created_at": now, "updated_at": now}
                for i in range(1, count + 1)
            ],
        )  # fmt: skip
        session.execute(
            insert(TicketSla),
            [
                {"ticket_id": i, "policy": "standard", "calendar": "business", "started_at": now,
                 "paused_seconds": 0.0, "responded": False, "resolved": False, "closed": False,
                 "update_cycle": 0, "resolution_cycle": 0, "overdue": False}
                for i in range(1, count + 1)
            ],
        )  # fmt: skip
        start = now + timedelta(seconds=lead)
        step = timedelta(seconds=window / count)
        session.execute(
            insert(SlaStage),
            [
                {"id": i, "ticket_id": i, "target": "first_response", "step": "warn", "cycle": 0,
                 "fire_at": start + step * (i - 1), "state": "pending"}
                for i in range(1, count + 1)
            ],
        )  # fmt: skip
        session.commit()
        rows = session.execute(select(SlaStage.id, SlaStage.fire_at)).all()
    engine.dispose()
    return [(r.id, r.fire_at) for r in rows]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--timers", type=int, default=10_000)
    parser.add_argument("--window", type=float, default=120.0)
    parser.add_argument("--lead", type=float, default=20.0)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-sla-"))
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    with embedded_redis(folder) as redis_url:
        started = time.perf_counter()
        items = seed(url, args.timers, args.lead, args.window)
        print(f"seeded {len(items)} tickets and timers in {time.perf_counter() - started:.1f} s")
        redis = Redis.from_url(redis_url)
        started = time.perf_counter()
        timers.schedule(redis, items)
        print(f"scheduled {len(items)} RQ jobs in {time.perf_counter() - started:.1f} s")
        env = {**os.environ, "HELPDESK_DATABASE_URL": url, "HELPDESK_REDIS_URL": redis_url,
               "HELPDESK_INSTANCE_PATH": str(folder)}  # fmt: skip
        argv = [sys.executable, "-m", "helpdesk.cli", "worker"]
        quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
        workers = [subprocess.Popen(argv, env=env, **quiet) for _ in range(args.workers)]
        engine = create_engine(url)
        try:
            deadline = time.monotonic() + args.lead + args.window + 120
            fired = 0
            while time.monotonic() < deadline:
                with engine.connect() as connection:
                    fired = (
                        connection.scalar(select(func.count()).where(SlaStage.state == "fired"))
                        or 0
                    )
                if fired >= len(items):
                    break
                time.sleep(1)
        finally:
            for worker in workers:
                worker.terminate()
            for worker in workers:
                worker.wait(30)
        with engine.connect() as connection:
            late = [
                data["late_ms"]
                for (data,) in connection.execute(
                    select(TicketEvent.data).where(TicketEvent.kind == "sla_warn")
                )
            ]
        engine.dispose()
    late.sort()
    p = lambda q: late[min(len(late) - 1, int(q * len(late)))]  # noqa: E731
    early = sum(1 for x in late if x < 0)
    print(f"fired {len(late)} of {len(items)} timers over {args.window:.0f} s "
          f"({len(items) / args.window:.0f}/s) with {args.workers} worker(s)")  # fmt: skip
    print(f"early: {early}   lateness ms: min {late[0]}  p50 {p(0.5)}  p95 {p(0.95)}  "
          f"p99 {p(0.99)}  max {late[-1]}  mean {statistics.mean(late):.0f}")  # fmt: skip
    ok = early == 0 and len(late) == len(items) and p(0.99) <= 1000
    print("target (none early, p99 <= 1000 ms):", "MET" if ok else "NOT MET")


if __name__ == "__main__":
    main()
