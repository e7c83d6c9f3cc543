"""kill -9 the web process while 8 clients create tickets: no half-written ticket, and the
traceability log still verifies (issue 16's third reliability figure).

    .venv/bin/python -m bench.web_kill [--clients 8] [--after 3]

A fresh instance with the demo's reference data, one web process (as bench.api_create starts
it), `clients` threads POSTing /api/v1/tickets; after `after` seconds the web process is killed
-9. Then, in the database: tickets without their "created" event or their SLA row (half
written), tickets a client was told were created (201) that are missing; then `helpdesk audit
seal` and `helpdesk audit verify` on it. Target: 0 half-written, 0 missing, verify ok.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench._http import web_processes
from bench.api_create import prepare, ticket_body
from helpdesk.config import load_settings
from helpdesk.sla.models import TicketSla
from helpdesk.tickets.models import Ticket, TicketEvent


def client(port: int, token: str, told: list[str], stop: threading.Event) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    i = 0
    while not stop.is_set():
        try:
            connection.request("POST", "/api/v1/tickets", json.dumps(ticket_body(i)), headers)
            response = connection.getresponse()
            payload = response.read()
        except OSError:
            return  # the server is gone
        if response.status == 201:
            told.append(json.loads(payload)["number"])
        elif i == 0:
            print("refused:", response.status, payload[:200])
        i += 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--after", type=float, default=3.0)
    args = parser.parse_args()
    instance = Path(tempfile.mkdtemp(prefix="bench-web-kill-"))
    env, token = prepare(instance)
    told: list[str] = []
    stop = threading.Event()
    with web_processes(env, instance, 1) as (port, servers):
        threads = [
            threading.Thread(target=client, args=(port, token, told, stop))
            for _ in range(args.clients)
        ]
        for thread in threads:
            thread.start()
        time.sleep(args.after)
        os.kill(servers[0].pid, signal.SIGKILL)
        stop.set()
        for thread in threads:
            thread.join(30)
    url = load_settings({"HELPDESK_INSTANCE_PATH": str(instance)}).database_url
    engine = create_engine(url)
    with engine.connect() as db:
        tickets = db.scalar(select(func.count()).select_from(Ticket)) or 0
        created = select(TicketEvent.ticket_id).where(TicketEvent.kind == "created")
        no_event = db.scalar(select(func.count()).where(Ticket.id.not_in(created))) or 0
        no_sla = db.scalar(
            select(func.count()).where(Ticket.id.not_in(select(TicketSla.ticket_id)))
        ) or 0  # fmt: skip
        stored = set(db.scalars(select(Ticket.number)))
    engine.dispose()
    missing = [n for n in told if n not in stored]
    print(f"web kill: {args.clients} clients, killed -9 after {args.after:g} s; {len(told)} told "
          f"created, {tickets} tickets stored")  # fmt: skip
    print(f"web kill: half-written {no_event + no_sla} (no created event {no_event}, no SLA "
          f"{no_sla}), told created but missing {len(missing)}")  # fmt: skip
    helpdesk = [sys.executable, "-m", "helpdesk.cli", "audit"]
    subprocess.run([*helpdesk, "seal"], env=env, check=True, capture_output=True)
    verify = subprocess.run([*helpdesk, "verify"], env=env, capture_output=True, text=True)
    print("audit verify:", (verify.stdout + verify.stderr).strip().splitlines()[-1:], "exit",
          verify.returncode)  # fmt: skip
    ok = no_event == no_sla == 0 and not missing and verify.returncode == 0
    print("web kill target (0 half-written, audit verify ok):", "MET" if ok else "NOT MET")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
