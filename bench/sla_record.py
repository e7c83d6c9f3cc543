"""CPU of the SLA clock for one new ticket: NewClock.record of its "created" and "assigned" events.

    .venv/bin/python -m bench.sla_record [--baseline DIR] [--rounds 3] [--tickets 1000]

What helpdesk.tickets.service.create has the clock do for a ticket the API files (policy match,
clock, due times, the six timer stages, in memory; the INSERTs are not included), on a seeded
SQLite instance with the shipped policies, for fresh creation times (every ticket starts at
another moment, so the calendar's answers are never cached), in three cases: routing leaves the
policy as it was (standard: planned once), routing names another policy on the same calendar
(finance: planned twice), routing sends it to the after-hours duty (24x7: the business plan is
replaced). Microseconds of process CPU per ticket, the lowest of --reps repetitions (the machine
is shared: the lowest is the one least disturbed). --baseline DIR runs the same in another
checkout, alternating with this one round after round.

Measured 2026-12-06 05:40 UTC, load average 8 on 2 cores, --rounds 3 --tickets 500 --baseline
main, us per ticket, rounds 1/2/3, the calendar bisecting running sums (this) against walking
every interval (main):
    standard      75.1 /  97.8 /  89.8   main 103.1 / 111.5 / 108.7
    finance       98.7 / 109.5 / 109.8   main 121.4 / 129.4 / 125.8
    after-hours   88.8 /  97.7 /  95.1   main 108.3 / 121.0 / 110.4
15-28 us less per ticket (one or two business plans of six timers and two due times); about
0.4 % of a creation's 4.3-4.8 ms, below what bench.api_create can resolve on this machine.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

CASES = {"standard": None, "finance": "finance", "after-hours": "after-hours"}


@dataclass
class _Event:
    kind: str
    at: datetime
    actor_id: int | None = None
    internal: bool = False


def _measure(tickets: int, reps: int) -> dict[str, float]:
    from bench.api_create import prepare

    env, _token = prepare(Path(tempfile.mkdtemp()))
    os.environ.update(env)
    from helpdesk import create_app
    from helpdesk.extensions import db
    from helpdesk.sla.service import NewClock
    from helpdesk.tickets.models import Priority, Ticket, TicketType

    app = create_app()
    moments = iter(
        datetime(2026, 12, 7, 1, tzinfo=UTC) + timedelta(seconds=7.3 * n) for n in range(10**8)
    )

    def one_case(routed_to: str | None) -> float:
        made = [
            Ticket(type=TicketType.REQUEST, priority=Priority.NORMAL, category_code="info/policy",
                   created_at=at, sla_policy=None)
            for at in (next(moments) for _ in range(tickets))
        ]  # fmt: skip
        session = db.session()
        started = time.process_time()
        for ticket in made:
            clock = NewClock()
            clock.record(session, ticket, _Event("created", ticket.created_at))
            ticket.sla_policy = routed_to
            clock.record(session, ticket, _Event("assigned", ticket.created_at))
        return (time.process_time() - started) / tickets * 1e6

    with app.app_context():
        one_case(None)  # warm-up: the policies, the calendar's first blocks
        return {name: min(one_case(to) for _ in range(reps)) for name, to in CASES.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=1000)
    parser.add_argument("--reps", type=int, default=9)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.tickets, args.reps)))
        return
    # Here, not at the top: the child runs this file with the other checkout on its path.
    from bench._checkouts import checkouts, child_figures

    for n in range(args.rounds):
        for name, folder in checkouts(args.baseline):
            command = [str(Path(__file__).resolve()), "--one",
                       "--tickets", str(args.tickets), "--reps", str(args.reps)]  # fmt: skip
            figures = child_figures(folder, command)
            shown = "  ".join(f"{case} {us:6.1f}" for case, us in figures.items())
            print(f"round {n + 1}  {name:8}  us per ticket: {shown}", flush=True)


if __name__ == "__main__":
    main()
