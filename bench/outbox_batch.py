"""CPU of the outbox dispatcher's batches, per ticket, this checkout against another.

    .venv/bin/python -m bench.outbox_batch [--baseline DIR] [--tickets 600] [--batch 60]
                                           [--rounds 3]

What `bench.api_create` measures as a few percent of the web process (the dispatcher's share of
a created ticket), alone: a process as the web one runs it (gevent-patched, the app with the
embedded Redis as message queue and timers) creates `tickets` new tickets through the API (the
Flask test client) with the dispatcher asleep, then dispatches them in batches of `batch`
(`batch` outbox entries each, a new ticket writes two; bench.api_create's burst makes batches
of about 60: summaries, the consoles' emits, timers, seal request, delete) and prints the CPU
those batches took per ticket. Each checkout runs in its own process on its own instance;
rounds alternate.

Measured 2026-12-06 (branch fanout, load 2-5), ours / main: publishing a batch's emits in one
Redis pipeline and booking timers with one HSET per job (one ZADD, SADD per batch) cut this
figure by 16-31% (339-361 us against 403-489); the timers part alone by 5-21%. Neither showed
in bench.api_create (0.95-1.20 and 0.91-1.05; main against main 0.96-1.02), and the one
pipeline made the web dispatcher's batches 4x smaller (`--statements`: 0.04 claims per ticket
instead of 0.01; the publishes' waits had let more requests commit into the next batch), so
both were dropped. A fewer-round-trips dispatcher needs its gather retuned with it.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.api_create import prepare, ticket_body
from helpdesk.runner.embedded_redis import embedded_redis

CHILD = """
from gevent import monkey
monkey.patch_all()
import json, sys, time
from helpdesk.config import load_settings
from helpdesk.outbox import dispatcher
from helpdesk.runner.web import web_app

bodies, batch, token = json.load(open(sys.argv[1])), int(sys.argv[2]), sys.argv[3]
tickets = len(bodies)
dispatcher.start_background = lambda app: None  # no dispatcher of its own: the entries
dispatcher.wake = lambda: None  # wait for the batches below
app = web_app(load_settings())
client = app.test_client()
headers = {"Authorization": "Bearer " + token}

def create(some):
    for body in some:
        answer = client.post("/api/v1/tickets", json=body, headers=headers)
        assert answer.status_code == 201, answer.data

create(bodies[:batch])  # a first batch warms up (compiled statements, connections)
with app.app_context():
    dispatcher.dispatch_all(batch)
create(bodies)
with app.app_context():
    started, done = time.process_time(), 0
    while (count := dispatcher.dispatch_batch(batch)) > 0:
        done += count
    cpu = time.process_time() - started
assert done == 2 * tickets, done
print(json.dumps({"entries": done, "us_per_ticket": cpu / tickets * 1e6}))
"""


def run(tree: Path, folder: Path, redis_url: str, args: argparse.Namespace) -> float:
    environ = {**os.environ, "PYTHONPATH": str(tree)}
    environ["HELPDESK_REDIS_URL"] = redis_url
    env, token = prepare(Path(tempfile.mkdtemp(dir=folder)), environ=environ, cwd=tree)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder / "bodies.json"), str(args.batch), token],
        env=env,
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=600,
    )
    if done.returncode != 0:
        raise SystemExit(done.stderr[-3000:])
    return float(json.loads(done.stdout.strip().splitlines()[-1])["us_per_ticket"])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--baseline", type=Path)
    parser.add_argument("--tickets", type=int, default=600)
    parser.add_argument("--batch", type=int, default=60)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    trees = {"ours": Path(__file__).resolve().parent.parent}
    if args.baseline:
        trees["baseline"] = args.baseline.resolve()
    folder = Path(tempfile.mkdtemp(prefix="bench-outbox-"))
    bodies = [ticket_body(i) for i in range(args.tickets)]  # the same for both checkouts
    (folder / "bodies.json").write_text(json.dumps(bodies, ensure_ascii=False))
    figures: dict[str, list[float]] = {name: [] for name in trees}
    with embedded_redis(folder / "redis") as redis_url:
        for round_ in range(1, args.rounds + 1):
            for name, tree in trees.items():
                figures[name].append(run(tree, folder, redis_url, args))
                print(f"round {round_}  {name:9} {figures[name][-1]:7.1f} us CPU per ticket")
    print(f"dispatcher CPU per ticket, batches of {args.batch}, {args.tickets} tickets:")
    for name, values in figures.items():
        print(f"  {name:9} " + "  ".join(f"{v:7.1f}" for v in values))
    if "baseline" in figures:
        ratios = [a / b for a, b in zip(figures["ours"], figures["baseline"], strict=True)]
        print(f"  ours / baseline: {min(ratios):.2f}-{max(ratios):.2f}")


if __name__ == "__main__":
    main()
