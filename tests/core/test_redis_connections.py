"""One owner of the Redis clients (helpdesk.redis_connections, issue 17 item 3): realtime and
audit get theirs without importing SLA, and a forked child never shares its parent's.

The import check runs in a fresh interpreter (this test process has long since loaded
everything) and reads its sys.modules after importing the packages' modules and asking each
part that talks to Redis for its client, so an import hidden inside a function counts too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from helpdesk import redis_connections
from helpdesk.realtime import store

ROOT = Path(__file__).resolve().parents[2]
# These show a ticket's SLA state (a summary carries its due time), so they read SLA's rows.
SHOW_SLA = {
    "helpdesk.realtime.summary",
    "helpdesk.realtime.fanout",
    "helpdesk.realtime.jobs",
    "helpdesk.audit.views",
}

PROBE = """
import importlib, json, pkgutil, sys
from types import SimpleNamespace

from flask import Flask

show_sla = set(json.loads(sys.argv[1]))
imported = []
for package in ("helpdesk.realtime", "helpdesk.audit"):
    found = importlib.import_module(package)
    imported.append(package)
    for info in pkgutil.iter_modules(found.__path__, package + "."):
        if info.name not in show_sla:
            importlib.import_module(info.name)
            imported.append(info.name)

from helpdesk import redis_connections
from helpdesk.audit import jobs
from helpdesk.realtime import emit, notify, store

app = Flask("probe")
app.extensions[redis_connections.REDIS_OVERRIDE] = "redis://127.0.0.1:1/0"  # never dialled
with app.app_context():
    got = {
        "store": type(store.current_store()).__name__,
        "sender": emit.sender() is not None,
        "connection": redis_connections.connection() is not None,
    }
    notify.notify_sla(SimpleNamespace(recipients=()))  # nobody to tell: returns early
    assert callable(jobs.request_seal)
sla = sorted(name for name in sys.modules if name.startswith("helpdesk.sla"))
print(json.dumps({"imported": imported, "sla": sla, "got": got}))
"""


def test_realtime_and_audit_reach_redis_without_importing_sla() -> None:
    path = os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(sorted(SHOW_SLA))],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": path},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout.strip().splitlines()[-1])
    assert {"helpdesk.realtime.store", "helpdesk.audit.jobs"} <= set(found["imported"])
    assert found["got"] == {"store": "RedisStore", "sender": True, "connection": True}
    assert found["sla"] == [], "realtime or audit still imports SLA to reach Redis"


def test_one_client_per_url_and_a_forked_child_opens_its_own() -> None:
    url = "redis://127.0.0.1:1/0"  # never dialled: only which client object is handed out
    mine = redis_connections.client(url)
    assert redis_connections.client(url) is mine
    assert redis_connections.client(url, decode=True) is not mine  # str replies apart
    parent_store = store.store_for(url)
    assert store.store_for(url) is parent_store
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child's answer is read below
        try:
            os.close(read)
            fresh = redis_connections.client(url)
            again = redis_connections.client(url)
            child_store = store.store_for(url)
            answer = {
                "fresh": fresh is not mine and again is fresh,
                "store": child_store is not parent_store
                and child_store.process != parent_store.process,  # type: ignore[attr-defined]
            }
            os.write(write, json.dumps(answer).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        answer = json.loads(pipe.read())
    os.waitpid(child, 0)
    assert answer == {"fresh": True, "store": True}
    assert redis_connections.client(url) is mine  # the parent keeps its own
