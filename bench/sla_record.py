"""CPU the SLA clock takes in a ticket creation through the API, in-process.

    .venv/bin/python -m bench.sla_record [--baseline DIR] [--rounds 3] [--tickets 1500]

bench.api_create's tickets (the same bodies, routed) are POSTed to the WSGI app called directly
(as bench.api_plumbing does) on a seeded SQLite instance. The SLA's entry points are wrapped
with a CPU-time counter: NewClock.record (the "created" and "assigned" events: policy match,
clock, due times and the six timer stages) and NewClock.write (its two INSERTs). Prints
microseconds of process CPU per creation for each and for the whole creation. --baseline DIR
runs the same in another checkout, alternating with this one round after round.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _timed(spent: dict[str, float], name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    clock = time.process_time

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        started = clock()
        try:
            return function(*args, **kwargs)
        finally:
            spent[name] += clock() - started

    return wrapper


def _measure(tickets: int) -> dict[str, float]:
    from werkzeug.test import EnvironBuilder

    from bench.api_create import prepare, ticket_body

    env, token = prepare(Path(tempfile.mkdtemp()))
    os.environ.update(env)
    from helpdesk import create_app
    from helpdesk.sla import service

    spent = {"record": 0.0, "write": 0.0}
    service.NewClock.record = _timed(spent, "record", service.NewClock.record)  # type: ignore[method-assign]
    service.NewClock.write = _timed(spent, "write", service.NewClock.write)  # type: ignore[method-assign]
    app = create_app()
    bearer = {"Authorization": f"Bearer {token}"}

    def environ(i: int) -> dict[str, Any]:
        return EnvironBuilder(
            path="/api/v1/tickets",
            method="POST",
            headers=bearer,
            data=json.dumps(ticket_body(i)),
            content_type="application/json",
        ).get_environ()

    def run(count: int) -> float:
        environs = [environ(i) for i in range(count)]
        for name in spent:
            spent[name] = 0.0
        started = time.process_time()
        for one in environs:
            b"".join(app.wsgi_app(one, lambda *a: None))
        return time.process_time() - started

    run(max(tickets // 10, 50))  # warm-up
    total = run(tickets)
    return {
        "record": spent["record"] / tickets * 1e6,
        "write": spent["write"] / tickets * 1e6,
        "creation": total / tickets * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--tickets", type=int, default=1500)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure(args.tickets)))
        return
    checkouts = [("this", Path.cwd())]
    if args.baseline:
        checkouts.append(("baseline", Path(args.baseline).resolve()))
    for n in range(args.rounds):
        for name, folder in checkouts:
            env = {**os.environ, "PYTHONPATH": str(folder)}
            out = subprocess.run(
                [sys.executable, str(Path(__file__).resolve()), "--one", "--tickets",
                 str(args.tickets)],
                cwd=folder, env=env, check=True, capture_output=True, text=True,
            ).stdout.strip().splitlines()[-1]  # fmt: skip
            figures = json.loads(out)
            shown = "  ".join(f"{kind} {us:7.1f} us" for kind, us in figures.items())
            print(f"round {n + 1}  {name:8}  {shown}", flush=True)


if __name__ == "__main__":
    main()
