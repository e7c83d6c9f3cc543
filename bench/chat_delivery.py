"""Chat delivery: 500 concurrent chat sessions, 10 messages/s in total, forced reconnects.

    .venv/bin/python -m gevent.monkey --module bench.chat_delivery [--sessions 500]
        [--rate 10] [--seconds 30] [--reconnects 0.02]

Starts the app (gevent + Socket.IO, as `helpdesk web` runs it) on a fresh instance folder with
the embedded default (SQLite, no Redis), then in this process (gevent too) 500 visitor sockets
start a chat each and 10 agents accept 50 each. Messages then flow at `--rate` per second in
total, agent to visitor and visitor to agent alternately; every second `--reconnects` of the
visitors drop their connection and come back with `resume(after=last seen)`. Prints delivery
latency percentiles (sent → received at the other end, live deliveries) and the loss count:
every message stored must reach the other side exactly once, live or in the resume backlog.
Target (issue 5): p99 <= 100 ms, zero lost.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import gevent
import gevent.pool
import requests
import socketio

from helpdesk.runner.embedded_redis import free_port

NS = "/chat"
AGENTS = 10
PASSWORD = "bench-pass-1"


def prepare(env: dict[str, str]) -> None:
    """Migrate, load the reference data and make the centre and its agents (a subprocess, so
    this gevent-patched process opens no database)."""
    script = f"""
from helpdesk import create_app, schema
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import hash_password
from helpdesk.config import load_settings
from sqlalchemy import select
from helpdesk.demo import seed_demo
from helpdesk.directory.models import Organisation
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.extensions import db
settings = load_settings()
schema.upgrade(settings.database_url)
app = create_app(settings)
with app.app_context():
    ensure_reference_data(db.session)
    seed_demo(db.session, tickets=0)  # the organisations the routing rules name
    centre = db.session.scalars(select(Organisation).where(Organisation.slug == "centre")).one()
    digest = hash_password({PASSWORD!r})
    for n in range({AGENTS}):
        db.session.add(User(login=f"bench{{n}}", name=f"坐席{{n}}", password_hash=digest,
                            role=Role.AGENT, organisation_id=centre.id))
    db.session.commit()
"""
    subprocess.run([sys.executable, "-c", script], env=env, check=True)


def login(base: str, name: str) -> requests.Session:
    http = requests.Session()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', http.get(f"{base}/login").text)
    data = {"login": name, "password": PASSWORD, "csrf_token": token.group(1) if token else ""}
    assert http.post(f"{base}/login", data=data, allow_redirects=False).status_code == 302
    return http


class Visitor:
    def __init__(self, base: str, n: int) -> None:
        self.base, self.n = base, n
        self.token = ""
        self.ticket = ""
        self.cid = 0  # the conversation id, as the agents see it
        self.via_resume: set[int] = set()  # seqs that came in a resume backlog
        self.away = False  # reconnecting: a real widget holds its messages meanwhile
        self.received: dict[int, float] = {}  # seq -> when it arrived
        self.duplicates = 0  # the same message pushed twice live: a real repeat
        self.overlap = 0  # in a resume backlog and also pushed live: dropped by its seq
        self.sock = self._connect()

    def _connect(self) -> socketio.Client:
        sock = socketio.Client(reconnection=False)
        sock.on("msg", lambda message: self._on_msg(message, sock), namespace=NS)
        sock.connect(self.base, namespaces=[NS], transports=["websocket"], wait_timeout=30)
        return sock

    def _on_msg(self, message: dict, sock: socketio.Client) -> None:
        if sock is not self.sock:
            return  # the socket being replaced: the widget has one socket, never two at once
        if message["seq"] in self.received:
            self.duplicates += 1
        self.received.setdefault(message["seq"], time.perf_counter())

    def start(self) -> str:
        answer = self.sock.call(
            "start",
            {"name": f"访客{self.n}", "phone": f"1395711{self.n:04d}", "category": "info/policy"},
            namespace=NS, timeout=300,
        )  # fmt: skip
        assert answer["ok"], answer
        self.token = answer["token"]
        self.ticket = answer["ticket"]
        return self.ticket

    def reconnect(self) -> None:
        self.away = True
        self.sock.disconnect()
        self.sock = self._connect()
        seen = max(self.received, default=0)
        answer = self.sock.call("resume", {"token": self.token, "after": seen}, namespace=NS)
        assert answer["ok"], answer
        now = time.perf_counter()
        for message in answer["messages"]:
            if message["seq"] in self.received:
                self.overlap += 1  # the widget keeps one per seq, as here
                continue
            self.via_resume.add(message["seq"])
            self.received[message["seq"]] = now
        self.away = False


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--rate", type=float, default=10.0)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--reconnects", type=float, default=0.02, help="share per second")
    args = parser.parse_args()

    instance = Path(tempfile.mkdtemp(prefix="chat-bench-"))
    port = free_port()
    env = {
        **os.environ,
        "HELPDESK_INSTANCE_PATH": str(instance),
        "HELPDESK_CHAT_HOURS": "always",
        "HELPDESK_CHAT_MAX_CHATS": str(args.sessions // AGENTS + 1),
        "HELPDESK_CHAT_RATE": "100000/100000/100000",
        "HELPDESK_PORT": str(port),
    }
    env.pop("HELPDESK_REDIS_URL", None)
    prepare(env)
    log = (instance / "server.log").open("w")  # closed with the server below
    server = subprocess.Popen(
        [sys.executable, "-m", "gevent.monkey", "--module", "bench.chat_server", str(port)],
        env=env, stdout=subprocess.DEVNULL, stderr=log,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(f"{base}/chat/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.1)
        run(base, args)
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def run(base: str, args: argparse.Namespace) -> None:
    agents = []
    for n in range(AGENTS):
        sock = socketio.Client(http_session=login(base, f"bench{n}"), reconnection=False)
        sock.on(
            "msg", lambda m, box=n: agent_inbox[box].append((m, time.perf_counter())), namespace=NS
        )
        agents.append(sock)
    agent_inbox: dict[int, list] = {n: [] for n in range(AGENTS)}
    queue: list[list] = [[]]
    agents[0].on("queue_list", lambda items: queue.__setitem__(0, items), namespace=NS)
    for sock in agents:
        sock.connect(base, namespaces=[NS], transports=["websocket"])

    began = time.perf_counter()
    visitors = gevent.joinall([gevent.spawn(Visitor, base, n) for n in range(args.sessions)])
    visitors = [g.get() for g in visitors]
    pool = gevent.pool.Pool(25)  # starts make tickets (routing included): not all at once
    gevent.joinall([pool.spawn(v.start) for v in visitors], raise_error=True)
    print(f"{len(visitors)} chats started in {time.perf_counter() - began:.1f} s")

    gevent.sleep(1)
    by_ticket = {item["ticket"]: item["conversation_id"] for item in queue[0]}
    holder: dict[int, int] = {}
    for index, visitor in enumerate(visitors):
        visitor.cid = by_ticket[visitor.ticket]
        k = index % AGENTS
        answer = agents[k].call(
            "accept", {"conversation_id": visitor.cid}, namespace=NS, timeout=30
        )
        assert answer["ok"], answer
        holder[index] = k
    gevent.sleep(1)
    for v in visitors:
        v.received.clear()  # measure from here: the system messages of accepting are not timed
    for box in agent_inbox.values():
        box.clear()

    sent: list[tuple[str, int, int, float]] = []  # direction, visitor index, seq, sent at
    reconnects = 0
    interval = 1.0 / args.rate
    next_reconnect = time.perf_counter() + 1
    deadline = time.perf_counter() + args.seconds
    n = 0

    def send(index: int, direction: str) -> None:
        visitor = visitors[index]
        at = time.perf_counter()
        if direction == "to_visitor":
            body = {"conversation_id": visitor.cid, "body": f"agent {n}", "client_id": f"a{n}"}
            answer = agents[holder[index]].call("message", body, namespace=NS, timeout=30)
        else:
            body = {"body": f"visitor {n}", "client_id": f"v{n}"}
            answer = visitor.sock.call("message", body, namespace=NS, timeout=30)
        if answer.get("ok"):
            sent.append((direction, index, answer["seq"], at))
        else:
            print("refused", answer)

    while time.perf_counter() < deadline:
        index = random.randrange(len(visitors))
        direction = "to_visitor" if n % 2 == 0 else "to_agent"
        if direction == "to_agent" and visitors[index].away:
            continue
        gevent.spawn(send, index, direction)
        n += 1
        if time.perf_counter() >= next_reconnect:
            for v in random.sample(visitors, max(1, int(len(visitors) * args.reconnects))):
                gevent.spawn(v.reconnect)
                reconnects += 1
            next_reconnect += 1
        gevent.sleep(interval)
    gevent.sleep(3)
    # One last resume each: whatever a visitor missed must come back now.
    gevent.joinall([pool.spawn(v.reconnect) for v in visitors], raise_error=True)

    latencies, late, lost = [], 0, 0
    inbox = {
        (m["c"], m["seq"]): t
        for box in agent_inbox.values()
        for m, t in box
        if m["sender"] == "visitor"
    }
    for direction, index, seq, at in sent:
        if direction == "to_visitor":
            arrived = visitors[index].received.get(seq)
        else:
            arrived = inbox.get((visitors[index].cid, seq))
        if arrived is None:
            lost += 1
        elif direction == "to_visitor" and seq in visitors[index].via_resume:
            late += 1  # the visitor was away: it came back in the resume backlog
        else:
            latencies.append((arrived - at) * 1000)
    duplicates = sum(v.duplicates for v in visitors)
    overlap = sum(v.overlap for v in visitors)
    latencies.sort()

    def pct(p: float) -> float:
        return latencies[min(len(latencies) - 1, int(p / 100 * len(latencies)))]

    print(
        f"sessions {len(visitors)}, messages {len(sent)} in {args.seconds:.0f} s "
        f"({len(sent) / args.seconds:.1f}/s), forced reconnects {reconnects}"
    )
    print(
        f"delivery ms: p50 {pct(50):.1f}  p90 {pct(90):.1f}  p99 {pct(99):.1f}  "
        f"max {latencies[-1]:.1f}  mean {statistics.mean(latencies):.1f}"
    )
    print(
        f"lost {lost}, shown twice {duplicates}, came back in a resume backlog {late} "
        f"(backlog overlapping live pushes, dropped by seq: {overlap})"
    )
    ok = pct(99) <= 100 and lost == 0 and duplicates == 0
    print("target p99 <= 100 ms, zero lost:", "MET" if ok else "NOT MET")
    gevent.joinall([gevent.spawn(sock.disconnect) for sock in agents], timeout=10)
    gevent.joinall([gevent.spawn(v.sock.disconnect) for v in visitors], timeout=10)


if __name__ == "__main__":
    main()
