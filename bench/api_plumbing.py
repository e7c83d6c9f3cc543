"""CPU per bearer-token API call in-process (the WSGI app called directly: no sockets, no
gevent, no other process), for what Flask's plumbing costs around a call.

    .venv/bin/python -m bench.api_plumbing [--baseline DIR] [--rounds 3]

Three calls on a seeded SQLite instance: an unknown API path (404: plumbing, no token check),
GET /api/v1/tickets/count (token check and one SELECT) and POST /api/v1/tickets (a creation,
its outbox dispatched in the same process). --baseline DIR runs the same in another checkout,
alternating with this one round after round (process CPU time, so other work on the machine
moves it less than bench.api_create's figures).
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

CALLS = (("404", 3000), ("count", 3000), ("create", 600))


def _measure() -> dict[str, float]:
    from werkzeug.test import EnvironBuilder

    from bench.api_create import prepare, ticket_body

    env, token = prepare(Path(tempfile.mkdtemp()))
    os.environ.update(env)
    from helpdesk import create_app

    app = create_app()
    bearer = {"Authorization": f"Bearer {token}"}

    def environ(kind: str, i: int) -> dict[str, Any]:
        if kind == "404":
            return EnvironBuilder(path="/api/v1/no-such", headers=bearer).get_environ()
        if kind == "count":
            return EnvironBuilder(path="/api/v1/tickets/count", headers=bearer).get_environ()
        body = json.dumps(ticket_body(i))
        return EnvironBuilder(
            path="/api/v1/tickets",
            method="POST",
            headers=bearer,
            data=body,
            content_type="application/json",
        ).get_environ()

    def call(environs: list[dict[str, Any]]) -> float:
        started = time.process_time()
        for one in environs:
            b"".join(app.wsgi_app(one, lambda *a: None))
        return (time.process_time() - started) / len(environs) * 1e6

    result = {}
    for kind, n in CALLS:
        call([environ(kind, i) for i in range(n // 10)])  # warm-up
        result[kind] = call([environ(kind, i) for i in range(n)])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="DIR")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(_measure()))
        return
    # Here, not at the top: the child runs this file with the other checkout on its path.
    from bench._checkouts import checkouts, child_figures

    for n in range(args.rounds):
        for name, folder in checkouts(args.baseline):
            figures = child_figures(folder, [str(Path(__file__).resolve()), "--one"])
            shown = "  ".join(f"{kind} {us:7.0f} us" for kind, us in figures.items())
            print(f"round {n + 1}  {name:8}  {shown}", flush=True)


if __name__ == "__main__":
    main()
