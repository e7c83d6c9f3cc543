"""A web process's dispatcher under a burst: the burst's commits are dispatched in a few
batches, not one each, and every ticket's console update and first timer still go out (a real
gevent web process serving real HTTP requests, real Redis)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from processes import helpdesk_env
from redis import Redis

from .test_timers import scheduled_ids

pytestmark = pytest.mark.slow

BURST = 16

# The web process as `helpdesk web` builds it, serving on a port of its own; BURST clients post
# a new ticket each at once (after one ticket that warms the process up), then it waits for the
# outbox to be empty and says how many batches the burst took and each ticket's next timer.
PROBE = """
from gevent import monkey
monkey.patch_all()
import http.client, json, os, sys
import gevent
from gevent import pywsgi
from sqlalchemy import func, select
from helpdesk.config import load_settings
from helpdesk.extensions import db
from helpdesk.outbox import dispatcher
from helpdesk.outbox.models import OutboxEntry
from helpdesk.runner.web import web_app
from helpdesk.sla import timers

app = web_app(load_settings())
server = pywsgi.WSGIServer(("127.0.0.1", 0), app, log=None)
server.start()
headers = {"Authorization": "Bearer " + os.environ["PROBE_TOKEN"],
           "Content-Type": "application/json"}

def post(i):
    body = {"subject": f"并发工单 {i}", "category": "finance/guarantee", "district": "330109",
            "channel": "phone", "contact_phone": "13800138000", "description": "咨询担保。"}
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=60)
    connection.request("POST", "/api/v1/tickets", json.dumps(body), headers)
    response = connection.getresponse()
    answer = response.read()
    assert response.status == 201, answer
    return json.loads(answer)["id"]

def drained():
    while True:
        with app.app_context():
            left = db.session.scalar(select(func.count()).select_from(OutboxEntry))
            db.session.remove()
        if not left:
            return
        gevent.sleep(0.01)  # the dispatcher's greenlet runs meanwhile

post(-1)
drained()
before = dispatcher._background.batches
burst = [gevent.spawn(post, i) for i in range(int(sys.argv[1]))]
gevent.joinall(burst, raise_error=True)
drained()
ids = [g.value for g in burst]
with app.app_context():
    booked = [timers.job_id(*item) for item in timers.next_timers(db.session, ids)]
print(json.dumps({"batches": dispatcher._background.batches - before, "ids": ids,
                  "timers": booked}))
"""


def _told(pubsub) -> set[int]:  # type: ignore[no-untyped-def]
    """The tickets whose summary the process sent its consoles (through the message queue)."""
    told = set()
    while (message := pubsub.get_message(timeout=1.0)) is not None:
        if message["type"] != "pmessage":
            continue
        sent = json.loads(message["data"])
        if sent.get("method") == "emit" and sent.get("event") == "ticket":
            told.add(sent["data"][0]["id"])  # the emit's arguments: the ticket's summary
    return told


def test_a_burst_of_commits_is_dispatched_in_a_few_batches_and_nothing_is_left_out(
    tmp_path: Path, sla_redis_url: str
) -> None:
    redis = Redis.from_url(sla_redis_url)
    redis.flushall()
    env = helpdesk_env(tmp_path, "web.sqlite3", sla_redis_url)
    cli = [sys.executable, "-m", "helpdesk.cli"]
    for command in (["db", "upgrade"], ["seed", "--demo", "--tickets", "0"]):
        subprocess.run([*cli, *command], env=env, check=True, capture_output=True, timeout=300)
    env["PROBE_TOKEN"] = subprocess.run(
        [*cli, "token", "issue", "agent1"], env=env, check=True, capture_output=True, text=True
    ).stdout.strip()
    pubsub = redis.pubsub()
    pubsub.psubscribe("*socketio*")
    try:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, str(BURST)],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-3000:]
        result = json.loads(done.stdout.strip().splitlines()[-1])
        told = _told(pubsub)
        booked = scheduled_ids(redis)
    finally:
        pubsub.close()
        redis.flushall()
        redis.close()

    assert len(result["ids"]) == BURST
    # the burst's requests reach their commits before the dispatcher claims: one batch here,
    # 3 before the gather (a dispatcher woken by the first commit claimed while others ran)
    assert result["batches"] <= 2
    assert set(result["ids"]) <= told  # every console update went out
    assert len(result["timers"]) == BURST
    assert set(result["timers"]) <= booked
