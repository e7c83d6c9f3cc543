"""Routing inside the ticket-creation request (issue 3: at most 5 ms at p99), and whether it stays
flat as open tickets pile up.

    .venv/bin/python -m bench.routing_in_request [--tickets 1500] [--backlog 0,20000,100000]

For each backlog size: a fresh demo instance (SQLite, the embedded default) with that many
tickets already in the queues (80 % open, spread over every organisation and its people, written
straight into the table), then POST /api/v1/tickets through the app in this process. The clock is
set to a working day at 10:00 so the daytime rules (sticky, least loaded, round robin among an
organisation's people) decide, not only the after-hours queue. Prints the time spent in
`routing.service.route` (directory check, load reads, the engine, the assignment) and in the
whole request, p50 / p99 / max in ms.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from bench import api_create
from helpdesk.tickets import open_counts

WORKING_DAY = datetime.fromisoformat("2026-11-25T10:00:00+08:00")  # a Wednesday


def prepare(instance: Path) -> str:
    """A migrated demo instance (no tickets) in this process's environment; agent1's token."""
    env, token = api_create.prepare(instance)
    os.environ.update(env)
    return token


def fill_backlog(session: Any, count: int) -> None:
    from sqlalchemy import Table, insert, select

    from helpdesk.auth.models import User
    from helpdesk.directory.models import Organisation
    from helpdesk.tickets.models import Ticket

    rng = random.Random(count)
    orgs = list(session.scalars(select(Organisation.id)))
    people: dict[int, list[int]] = {}
    for uid, org_id in session.execute(select(User.id, User.organisation_id)):
        if org_id is not None:
            people.setdefault(org_id, []).append(uid)
    at = WORKING_DAY - timedelta(days=30)
    rows = []
    for i in range(count):
        org = rng.choice(orgs)
        members = people.get(org, [])
        is_open = rng.random() < 0.8
        rows.append(
            {
                "number": f"BL-{i:07d}",
                "type": "request",
                "channel": "phone",
                "category_code": rng.choice(api_create.CATEGORIES),
                "district_code": "330109",
                "subject": "积压工单",
                "description": "",
                "priority": "normal",
                "status": rng.choice(["assigned", "accepted"]) if is_open else "closed",
                "is_open": is_open,
                "assigned_org_id": org,
                "assignee_id": rng.choice(members) if members and rng.random() < 0.7 else None,
                "tags": [],
                "version": 1,
                "created_at": at,
                "updated_at": at,
            }
        )
    for start in range(0, len(rows), 5000):
        session.execute(insert(cast(Table, Ticket.__table__)), rows[start : start + 5000])
    open_counts.reset(session)  # written around the tickets service, so counted here
    session.commit()


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    p99 = values[min(len(values) - 1, int(len(values) * 0.99))]
    return f"p50 {statistics.median(values):.2f}  p99 {p99:.2f}  max {values[-1]:.2f}"


def run(backlog: int, tickets: int) -> None:
    from helpdesk import clock, create_app
    from helpdesk.extensions import db
    from helpdesk.routing import service as routing

    with tempfile.TemporaryDirectory() as tmp:
        token = prepare(Path(tmp))
        app = create_app()
        with app.app_context():
            fill_backlog(db.session, backlog)
            db.session.remove()
        spent: list[float] = []
        original = routing.route

        def timed(*args: Any, **kwargs: Any) -> Any:
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                spent.append((time.perf_counter() - t0) * 1000)

        routing.route = timed
        client = app.test_client()
        headers = {"Authorization": f"Bearer {token}"}
        whole: list[float] = []
        clock.freeze(WORKING_DAY)
        try:
            for i in range(tickets + 100):
                clock.advance(timedelta(seconds=2))
                t0 = time.perf_counter()
                response = client.post(
                    "/api/v1/tickets", json=api_create.ticket_body(i), headers=headers
                )
                whole.append((time.perf_counter() - t0) * 1000)
                if response.status_code != 201:
                    raise SystemExit(f"{response.status_code} {response.data[:200]!r}")
        finally:
            clock.unfreeze()
            routing.route = original
            with app.app_context():
                db.engine.dispose()
    spent, whole = spent[100:], whole[100:]  # the first hundred warm the caches
    print(f"backlog={backlog} tickets={len(whole)}")
    print(f"  routing in the request ms  {percentiles(spent)}")
    print(f"  whole request ms           {percentiles(whole)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1500)
    parser.add_argument("--backlog", default="0,20000,100000", help="comma-separated sizes")
    args = parser.parse_args()
    for size in (int(s) for s in args.backlog.split(",")):
        run(size, args.tickets)


if __name__ == "__main__":
    main()
