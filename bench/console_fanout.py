"""Console fan-out: 500 consoles on one `helpdesk web` process (gevent), 10 ticket updates/s.

    .venv/bin/python -m bench.console_fanout [--consoles 500] [--rate 10] [--seconds 30]

A fresh SQLite database through the real migrations, the embedded Redis as the message queue,
and the real web process. The consoles are real python-socketio clients (websocket), run as
greenlets in two client processes, each logged in as its own user through a signed session
cookie: 4% supervisors, 40% centre agents, the rest provider staff in organisations of 10.
The driver makes `rate` internal notes per second through the REST API (a bearer token) on
tickets spread over the centre and the providers; each change fans out to the supervisors, the
ticket's organisation and its assignee. Every console records what it receives.

Reported: delivery latency (request sent -> event received, and server emit -> received),
p50/p95/p99/max; the first update's (the web process's first comment); deliveries expected,
received, lost, duplicated; the web process's CPU, and how much of the time its loop ran and
waited for a CPU (Linux schedstat): runnable near 100% means it never idled, so the latency is
the CPU share the machine gives it, not the code path.
Target (issues 6, 17): p99 <= 100 ms, none lost. The SQLite file lives under TMPDIR;
`TMPDIR=/dev/shm` measures the socket path without the disk (production runs PostgreSQL).

Measured 2026-12-04, issue 17 (`--seconds 20`, defaults otherwise), on the 2-core machine
shared with up to 7 other helper sessions (load average 7-15, the whole machine 100% busy in
every run), main (A) and the branch (B) interleaved, request -> console p50 / p99, first update:

    A 727 / 2,219 ms    B 121 /   646 ms   (load 7.9 / 7.1)
    A 846 / 3,165 ms    B 948 / 1,669 ms   (load 10.4 / 14.3)
    A 338 / 1,411 ms, first 1,469 ms    B 680 / 1,607 ms, first 424 ms   (load 11.9 / 9.8)
    A 220 /   921 ms, first 1,110 ms    B 298 / 1,228 ms, first 252 ms   (load 9.2 / 8.5)

None lost or duplicated in any run. Web CPU 9-16% of a core in both; its loop was runnable
78-88% of the measured window in the last four runs: it gets about the CPU it needs and no
more, so every run is at the edge of saturation and p99 follows the load (p99 is 6-17x the
target on this machine; on 27 November, quieter: p99 83.5 and 91.1 ms).
What was found (py-spy, schedstat, probes):
- jieba's dictionary loaded lazily in the first comment: 0.6 s of CPU on the loop (1.1-1.5 s
  late first update here), no socket served meanwhile; `web_app` now loads it at start.
- Not the disk: on disk and on /dev/shm the same within noise (990 / 2,394 ms vs 1,051 /
  2,953 ms at load 12-15); WAL with synchronous=NORMAL does not fsync at commit, and
  checkpoints run off the loop (`runner/checkpoint.py`).
- Not the emit: one emit per change to all its rooms (supervisors, organisation, assignee,
  ticket), which python-socketio encodes once for every socket (base_manager.emit) and delivers
  locally before publishing to Redis, so no Redis round trip is on the console's path.
- The summaries are one SELECT per batch; the dispatcher's claim is now one UPDATE ...
  RETURNING and the fan-out its first effect (the emit waits for the claim and that SELECT).
- Of the web process's CPU, the comment request is about 43%, the dispatcher 19%, the
  websocket sends (one frame and syscall per socket: ~107 per update) about 20%.

On a quiet machine (2026-12-04 20:03, load 0.9, after the jieba and dispatcher changes),
`--seconds 20`: request -> console p50 28.1 ms, p95 42.1, p99 53.5, max 58.5; 21200 of 21200
received; web process 11% of a core. Target met.
"""

from __future__ import annotations

import sys

if "--client" in sys.argv:  # client processes: greenlets, patched before anything imports
    from gevent import monkey

    monkey.patch_all()

import argparse
import gc
import json
import os
import secrets
import subprocess
import tempfile
import time
from pathlib import Path

import psutil
import requests
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

SUPERVISOR_SHARE, AGENT_SHARE, ORG_SIZE = 0.04, 0.40, 10
TICKETS = 100


def seed(url: str, consoles: int) -> dict:
    from helpdesk import schema
    from helpdesk.auth.models import ApiToken, Role, User
    from helpdesk.auth.passwords import hash_token
    from helpdesk.directory.models import Organisation, OrgKind, ProviderType
    from helpdesk.directory.reference import ensure_reference_data
    from helpdesk.tickets.models import Channel, Priority, Status, Ticket, TicketType

    schema.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as s:
        ensure_reference_data(s)
        centre = Organisation(slug="centre", name="服务中心", kind=OrgKind.SERVICE_CENTRE)
        s.add(centre)
        s.flush()
        supervisors = max(1, int(consoles * SUPERVISOR_SHARE))
        agents = int(consoles * AGENT_SHARE)
        providers = consoles - supervisors - agents
        orgs = []
        for n in range((providers + ORG_SIZE - 1) // ORG_SIZE):
            org = Organisation(
                slug=f"p{n}",
                name=f"服务商{n}",
                kind=OrgKind.PROVIDER,
                provider_type=ProviderType.FINANCE,
            )
            s.add(org)
            orgs.append(org)
        s.flush()
        users = []
        for n in range(consoles):
            if n < supervisors:
                role, org = Role.SUPERVISOR, centre
            elif n < supervisors + agents:
                role, org = Role.AGENT, centre
            else:
                role, org = Role.PROVIDER, orgs[(n - supervisors - agents) // ORG_SIZE]
            users.append(
                User(
                    login=f"u{n}",
                    name=f"用户{n}",
                    password_hash="!",
                    role=role,
                    organisation_id=org.id,
                )
            )
        admin = User(
            login="bench-admin",
            name="admin",
            password_hash="!",
            role=Role.ADMIN,
            organisation_id=centre.id,
        )
        s.add_all([*users, admin])
        s.flush()
        token = "hd_" + secrets.token_urlsafe(24)
        s.add(ApiToken(user_id=admin.id, name="bench", token_hash=hash_token(token)))
        agent_users = [u for u in users if u.role is Role.AGENT]
        tickets = []
        for n in range(TICKETS):
            at_centre = n % 5 < 2  # 40 % at the centre, 60 % at providers
            org = centre if at_centre else orgs[n % len(orgs)]
            members = [
                u for u in users if u.organisation_id == org.id and u.role is not Role.SUPERVISOR
            ]
            assignee = agent_users[n % len(agent_users)] if at_centre else members[n % len(members)]
            tickets.append(
                Ticket(
                    number=f"HZ-20990101-{n:05d}",
                    type=TicketType.REQUEST,
                    channel=Channel.PHONE,
                    category_code="finance/guarantee",
                    district_code="330109",
                    subject=f"工单{n}",
                    description="",
                    priority=Priority.NORMAL,
                    status=Status.ACCEPTED,
                    is_open=True,
                    assigned_org_id=org.id,
                    assignee_id=assignee.id,
                    version=1,
                )
            )
        s.add_all(tickets)
        s.commit()
        members_of: dict[int, list[int]] = {}
        for u in users:
            members_of.setdefault(u.organisation_id, []).append(u.id)
        return {
            "token": token,
            "users": [u.id for u in users],
            "supervisors": [u.id for u in users if u.role is Role.SUPERVISOR],
            "members": {str(k): v for k, v in members_of.items()},
            "centre": centre.id,
            "tickets": [(t.id, t.number, t.assigned_org_id, t.assignee_id) for t in tickets],
        }


def cookie_for(secret: str, user_id: int) -> str:
    from flask import Flask

    app = Flask("bench")
    app.secret_key = secret
    serializer = app.session_interface.get_signing_serializer(app)
    from helpdesk.auth import lifetime

    # What a login writes since sessions end (auth/lifetime.py): without these the socket is
    # refused as a cookie from before, and every console failed to connect.
    now = int(time.time())
    return serializer.dumps(
        {
            "_user_id": str(user_id),
            "_fresh": True,
            "rt_login": f"b{user_id}",
            lifetime.GENERATION: 0,  # a new user's session_generation
            lifetime.STARTED: now,
            lifetime.SEEN: now,
        }
    )


def run_clients(base: str, secret: str, ids: list[int], out: Path, ready: Path, stop: Path) -> None:
    """Client process: one socket per user id, record (user, ticket, version, t, sent_at)."""
    import gevent
    import socketio
    from gevent.pool import Pool

    got: list[tuple[int, int, int, float, float]] = []
    clients = []

    def start(user_id: int) -> None:
        http = requests.Session()
        http.cookies.set("session", cookie_for(secret, user_id))
        client = socketio.Client(http_session=http, reconnection=False)

        def on_ticket(data: dict, uid: int = user_id) -> None:
            got.append((uid, data["id"], data["version"], time.time(), data["sent_at"]))

        client.on("ticket", on_ticket, namespace="/desk")
        client.connect(base, namespaces=["/desk"], transports=["websocket"], wait_timeout=30)
        clients.append(client)

    Pool(50).map(start, ids)
    # The 250 simulated consoles share a process, so one full garbage collection (~90 ms here)
    # would delay all of them at once, which no real console (a browser each) suffers.
    gc.collect()
    gc.freeze()
    ready.write_text(str(len(clients)))
    while not stop.exists():
        gevent.sleep(0.2)
    partial = out.with_suffix(".part")
    partial.write_text(json.dumps(got))
    partial.rename(out)  # the driver kills us once it sees the file


def schedstat(pid: int) -> tuple[int, int] | None:
    """The process's main thread: (ns on a CPU, ns runnable but waiting for one); Linux only."""
    try:
        ran, waited, _ = Path(f"/proc/{pid}/schedstat").read_text().split()
    except (OSError, ValueError):
        return None
    return int(ran), int(waited)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    if "--client" in sys.argv:
        _, _, base, secret, ids, out, ready, stop = sys.argv
        run_clients(
            base, secret, [int(i) for i in ids.split(",")], Path(out), Path(ready), Path(stop)
        )
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--consoles", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--client-processes", type=int, default=2)
    args = parser.parse_args()

    from helpdesk.runner.embedded_redis import embedded_redis, free_port

    tmp = Path(tempfile.mkdtemp(prefix="bench-fanout-"))
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    world = seed(url, args.consoles)
    secret = secrets.token_urlsafe(32)
    port = free_port()
    with embedded_redis(tmp / "redis") as redis_url:
        env = dict(
            os.environ,
            HELPDESK_DATABASE_URL=url,
            HELPDESK_REDIS_URL=redis_url,
            HELPDESK_INSTANCE_PATH=str(tmp),
            HELPDESK_SECRET_KEY=secret,
            HELPDESK_PORT=str(port),
            HELPDESK_HOST="127.0.0.1",
        )
        log = open(tmp / "web.log", "wb")  # noqa: SIM115  (closed in the finally below)
        web = subprocess.Popen(
            [sys.executable, "-m", "gevent.monkey", "--module", "helpdesk.cli", "web"],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        clients: list[subprocess.Popen[bytes]] = []
        try:
            for _ in range(600):
                try:
                    requests.get(f"{base}/login", timeout=1)
                    break
                except requests.RequestException:
                    time.sleep(0.1)
            users = world["users"]
            chunks = [users[i :: args.client_processes] for i in range(args.client_processes)]
            stop = tmp / "stop"
            files = []
            started = time.monotonic()
            for n, chunk in enumerate(chunks):
                out, ready = tmp / f"got{n}.json", tmp / f"ready{n}"
                files.append((out, ready))
                clients.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            "-m",
                            "bench.console_fanout",
                            "--client",
                            base,
                            secret,
                            ",".join(map(str, chunk)),
                            str(out),
                            str(ready),
                            str(stop),
                        ],
                        env=env,
                    )
                )
            while not all(r.exists() for _, r in files):
                if any(c.poll() is not None for c in clients):
                    raise SystemExit("a client process died")
                time.sleep(0.2)
            connected = sum(int(r.read_text()) for _, r in files)
            print(f"{connected} consoles connected in {time.monotonic() - started:.1f} s")

            proc = psutil.Process(web.pid)
            others = [psutil.Process(c.pid) for c in clients]
            cpu0, wall0 = proc.cpu_times(), time.monotonic()
            sched0 = schedstat(web.pid)
            client0 = sum(sum(p.cpu_times()[:2]) for p in others)
            machine0 = psutil.cpu_times()
            http = requests.Session()
            http.headers["Authorization"] = f"Bearer {world['token']}"
            versions = {t[0]: 1 for t in world["tickets"]}
            sent: dict[tuple[int, int], float] = {}
            expected: set[tuple[int, int, int]] = set()
            total = int(args.rate * args.seconds)
            t0 = time.monotonic()
            for k in range(total):
                due = t0 + k / args.rate
                time.sleep(max(0.0, due - time.monotonic()))
                ticket_id, number, org_id, assignee_id = world["tickets"][k % len(world["tickets"])]
                at = time.time()
                response = http.post(
                    f"{base}/api/v1/tickets/{number}/comments",
                    json={"body": f"更新{k}", "internal": True},
                    timeout=10,
                )
                assert response.status_code == 201, response.text
                versions[ticket_id] += 1
                sent[(ticket_id, versions[ticket_id])] = at
                audience = (
                    set(world["supervisors"]) | set(world["members"][str(org_id)]) | {assignee_id}
                )
                expected.update((u, ticket_id, versions[ticket_id]) for u in audience)
            time.sleep(3)
            cpu1, wall1 = proc.cpu_times(), time.monotonic()
            sched1 = schedstat(web.pid)
            client_cpu = (sum(sum(p.cpu_times()[:2]) for p in others) - client0) / (wall1 - wall0)
            machine1 = psutil.cpu_times()
            busy = sum(machine1[:3]) - sum(machine0[:3])
            machine = busy / (busy + machine1.idle - machine0.idle)
            stop.write_text("")
            deadline = time.monotonic() + 120
            while not all(o.exists() for o, _ in files) and time.monotonic() < deadline:
                time.sleep(0.2)
            got: list[list[float]] = []
            for out, _ in files:
                got.extend(json.loads(out.read_text()))
        finally:
            for c in clients:
                if c.poll() is None:
                    c.kill()
            web.terminate()
            try:
                web.wait(15)
            except subprocess.TimeoutExpired:
                web.kill()
                web.wait()
            log.close()

    received = {(int(u), int(t), int(v)) for u, t, v, _, _ in got}
    end_to_end = [
        (at - sent[(int(t), int(v))]) * 1000 for _, t, v, at, _ in got if (int(t), int(v)) in sent
    ]
    from_emit = [(at - emitted) * 1000 for _, _, _, at, emitted in got]
    first_id = world["tickets"][0][0]  # the first update: a web process's first comment
    first = [(at - sent[(int(t), 2)]) * 1000 for _, t, v, at, _ in got if (t, v) == (first_id, 2)]
    duplicates = len(got) - len(received)
    lost = len(expected - received)
    cpu = (cpu1.user + cpu1.system - cpu0.user - cpu0.system) / (wall1 - wall0)
    print(
        f"updates: {total} at {args.rate:g}/s over {args.seconds:g} s; deliveries expected "
        f"{len(expected)}, received {len(received)}, lost {lost}, duplicated {duplicates}, "
        f"unexpected {len(received - expected)}"
    )
    for name, values in (("request -> console", end_to_end), ("server emit -> console", from_emit)):
        print(
            f"{name:>24}: p50 {percentile(values, 50):6.1f} ms"
            f"  p95 {percentile(values, 95):6.1f} ms"
            f"  p99 {percentile(values, 99):6.1f} ms  max {max(values):6.1f} ms"
        )
    if first:
        print(f"the first update (the process's first comment): p50 {percentile(first, 50):.0f} ms")
    print(f"database: {url} (on {'tmpfs' if str(tmp).startswith('/dev/shm') else 'disk'})")
    print(
        f"web process CPU: {cpu * 100:.0f}% of one core; the {len(clients)} client processes "
        f"{client_cpu * 100:.0f}%; whole machine {machine * 100:.0f}% busy "
        f"({psutil.cpu_count()} cores, load average {os.getloadavg()[0]:.2f})"
    )
    if sched0 and sched1:
        span = wall1 - wall0
        ran, waited = ((sched1[i] - sched0[i]) / 1e9 / span for i in (0, 1))
        print(
            f"web process's loop: ran {ran * 100:.0f}% and waited for a CPU {waited * 100:.0f}% "
            f"of the time (runnable {(ran + waited) * 100:.0f}%: near 100% it never idles, "
            "and latency is the machine's share, not the code)"
        )
    ok = lost == 0 and percentile(end_to_end, 99) <= 100
    print("target p99 <= 100 ms, none lost:", "met" if ok else "NOT met")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
