"""The floors under the speed targets of issues 2 and 4: the rows a request must write, no more.

    .venv/bin/python -m bench.intake_floor [--tickets 4000] [--clients 8] [--processes 1]
    .venv/bin/python -m bench.intake_floor --cti [--queued] [--calls 2000] [--lines 8]

Serves POST /api/v1/tickets from a bare Flask app on the same gevent server, listener and
migrated SQLite database as bench.api_create, driven by the same 8 clients. Each request does
only what no real create can skip: the token lookup, the day's ticket number, the ticket in its
final (assigned) state, its two events, its SLA row and six timer stages, in one transaction
of SQLAlchemy Core statements built once. No routing, no SLA arithmetic, no validation beyond
the subject, no Redis, no live fan-out, no response beyond the number.

With --cti, the same server answers the CTI webhook: each event is one form POST that reads
the call's record by callId and inserts (newCall) or updates (answer, hangup) it, in one
transaction; no caller lookup, no presence, no screen pop. bench.phone_cti's PBX lines drive it.
With --queued, each event is only appended to a Redis stream (XADD) and answered, as a webhook
that leaves the work to a batch applier would: the receiving half of such a design alone.

Whatever this prints is more than the full request can reach on the same machine: under 500
tickets/s (or 1,000 CTI events/s), so is any real implementation with this stack here.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench._http import drive, web_processes

SERVER = "bench.intake_floor"


def serve(port: int) -> None:
    from flask import Flask, jsonify, request
    from gevent.pywsgi import WSGIServer
    from sqlalchemy import bindparam, create_engine, insert, select, text, update

    from helpdesk.auth.models import ApiToken
    from helpdesk.auth.passwords import hash_token
    from helpdesk.config import load_settings
    from helpdesk.runner.checkpoint import move_checkpoints_off_loop
    from helpdesk.runner.listener import tcp_listener
    from helpdesk.sla.models import SlaStage, TicketSla
    from helpdesk.tickets.models import Ticket, TicketEvent

    settings = load_settings()
    engine = create_engine(
        settings.database_url, pool_size=32, max_overflow=32, connect_args={"timeout": 30}
    )
    by_token = select(ApiToken.user_id).where(ApiToken.token_hash == bindparam("digest"))
    number = text(
        "INSERT INTO ticket_counter (day, last) VALUES (:day, 1) "
        "ON CONFLICT (day) DO UPDATE SET last = ticket_counter.last + 1 RETURNING last"
    )
    new_ticket = insert(Ticket).returning(Ticket.id)
    new_events = insert(TicketEvent)
    new_sla = insert(TicketSla)
    new_stages = insert(SlaStage)
    org_id = 1
    steps = [
        (t, s) for t in ("first_response", "resolution") for s in ("warn", "escalate", "supervise")
    ]

    app = Flask(__name__)

    @app.post("/api/v1/tickets")
    def create() -> tuple[object, int]:
        body = request.get_json()
        subject = body.get("subject")
        if not subject:
            return jsonify({"error": {"field": "subject"}}), 422
        now = datetime.now(UTC)
        day = now.strftime("%Y%m%d")
        with engine.begin() as connection:
            user_id = connection.execute(
                by_token, {"digest": hash_token(request.headers["Authorization"][7:])}
            ).scalar_one()
            last = connection.execute(number, {"day": day}).scalar_one()
            ticket_id = connection.execute(
                new_ticket,
                {
                    "number": f"HZ-{day}-{last:05d}", "type": "request", "channel": "phone",
                    "category_code": body["category"], "district_code": body["district"],
                    "subject": subject, "description": body.get("description", ""),
                    "priority": "normal", "status": "assigned", "is_open": True,
                    "assigned_org_id": org_id, "created_by_id": user_id, "tags": [],
                    "version": 2, "created_at": now, "updated_at": now,
                },
            ).scalar_one()  # fmt: skip
            connection.execute(
                new_events,
                [
                    {"ticket_id": ticket_id, "kind": kind, "actor_id": user_id, "at": now,
                     "to_status": status, "data": {}, "internal": False}
                    for kind, status in (("created", "new"), ("assigned", "assigned"))
                ],
            )  # fmt: skip
            connection.execute(
                new_sla,
                {"ticket_id": ticket_id, "policy": "default", "calendar": "business",
                 "started_at": now, "first_response_due": now + timedelta(hours=4)},
            )  # fmt: skip
            connection.execute(
                new_stages,
                [
                    {"ticket_id": ticket_id, "target": target, "step": step, "cycle": 0,
                     "fire_at": now + timedelta(hours=i + 1), "state": "pending"}
                    for i, (target, step) in enumerate(steps)
                ],
            )  # fmt: skip
        return jsonify({"number": f"HZ-{day}-{last:05d}"}), 201

    from helpdesk.channels.phone.models import CallRecord

    by_call = select(CallRecord.id).where(CallRecord.call_id == bindparam("call_id"))
    new_call = insert(CallRecord)
    call_update = (
        update(CallRecord)
        .where(CallRecord.id == bindparam("record"))
        .values(status=bindparam("status"), updated_at=bindparam("now"))
    )

    @app.post("/api/v1/cti/<token>")
    def cti(token: str) -> tuple[object, int]:
        form = request.form
        event, call_id = form["event"], form["callId"]
        now = datetime.now(UTC)
        with engine.begin() as connection:
            record = connection.execute(by_call, {"call_id": call_id}).scalar()
            if record is None:
                connection.execute(
                    new_call,
                    {"call_id": call_id, "source": "cti", "direction": "in",
                     "status": "ringing", "from_number": form.get("from", ""),
                     "to_number": form.get("to", ""), "users": [], "ivr_path": [],
                     "transfers": [], "ring_at": now, "updated_at": now},
                )  # fmt: skip
            elif event != "newCall":
                status = "answered" if event == "answer" else "ended"
                connection.execute(call_update, {"record": record, "status": status, "now": now})
        return jsonify({}), 200

    import redis

    queue = redis.Redis.from_url(os.environ["HELPDESK_REDIS_URL"])

    @app.post("/api/v1/cti-queued/<token>")
    def cti_queued(token: str) -> tuple[object, int]:
        form = request.form
        queue.xadd("cti:floor", {"event": form["event"], "callId": form["callId"]})
        return jsonify({}), 200

    move_checkpoints_off_loop(engine)
    WSGIServer(tcp_listener("127.0.0.1", port, reuse_port=True), app, log=None).serve_forever()


def _clients(
    args: argparse.Namespace, port: int, token: str, latencies: list[float], errors: list[str]
) -> list[threading.Thread]:
    """The benchmark's own clients: ticket posters (bench.api_create) or PBX lines
    (bench.phone_cti), each warmed up first."""
    from bench.api_create import client
    from bench.phone_cti import line

    if args.cti:
        each = args.calls // args.lines
        path = "/api/v1/cti-queued/floor" if args.queued else "/api/v1/cti/floor"
        line(port, path, range(args.calls, args.calls + 20), [], [])
        return [
            threading.Thread(
                target=line, args=(port, path, range(i * each, (i + 1) * each), latencies, errors)
            )
            for i in range(args.lines)
        ]
    client(port, token, 50, [], [])
    each = args.tickets // args.clients
    return [
        threading.Thread(target=client, args=(port, token, each, latencies, errors))
        for _ in range(args.clients)
    ]


def main() -> None:
    from bench.api_create import prepare

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=4000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--cti", action="store_true", help="CTI events instead of tickets")
    parser.add_argument("--queued", action="store_true", help="with --cti: XADD only")
    parser.add_argument("--calls", type=int, default=2000, help="with --cti: 4 events each")
    parser.add_argument("--lines", type=int, default=8, help="with --cti: concurrent calls")
    parser.add_argument("--processes", type=int, default=1, help="server processes, one port")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env, token = prepare(Path(tmp))
        with web_processes(env, Path(tmp), args.processes, SERVER, ("serve",)) as (port, servers):
            latencies: list[float] = []
            errors: list[str] = []
            clients = _clients(args, port, token, latencies, errors)
            elapsed, cpu = drive(servers, clients)
    latencies.sort()
    done = len(latencies)
    what = "events" if args.cti else "tickets"
    print(f"floor: processes={args.processes} {what}={done} errors={len(errors)} s={elapsed:.2f}")
    print(f"throughput {done / elapsed:.0f} {what}/s")
    print(
        f"server CPU {cpu / done * 1000:.2f} ms per {what[:-1]} "
        f"({cpu / elapsed * 100:.0f}% of one core; load average {os.getloadavg()[0]:.2f})"
    )
    print(
        f"latency ms p50 {statistics.median(latencies):.1f}  "
        f"p99 {latencies[int(done * 0.99)]:.1f}  max {latencies[-1]:.1f}"
    )
    if errors:
        print("first error:", errors[0])


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "serve":
        serve(int(sys.argv[2]))
    else:
        main()
