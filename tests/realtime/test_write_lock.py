"""While a request of `helpdesk web` waits for the database's write lock, the process still
answers everyone else: pages load, and the waiting writes go through once the lock is free.

Another process holds the lock, as the RQ worker does during a job: on SQLite a transaction
begun IMMEDIATE, on PostgreSQL an exclusive lock on the table the request writes. Before
runner/sqlite_writes.py, SQLite's busy wait (C sleeps) held the gevent loop for its 10 s
timeout, so every page of that process waited too and the write then failed."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import requests
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from helpdesk.channels.phone.config import phone_config
from helpdesk.channels.phone.models import CallRecord
from realtime.live import Web

pytestmark = pytest.mark.slow

PING_BOUND = 1.0  # seconds for the login page while writes wait (it answers in ~10 ms)
PINGS = 40


@contextmanager
def write_lock_held(database_url: str) -> Iterator[None]:
    """Hold the write lock on call_record from this process until the block ends."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        holder = sqlite3.connect(url.database, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("COMMIT")
            holder.close()
        return
    engine = create_engine(database_url)
    with engine.connect() as connection:
        connection.execute(text("LOCK TABLE call_record IN EXCLUSIVE MODE"))
        try:
            yield
        finally:
            connection.rollback()
    engine.dispose()


def test_pages_answer_while_writes_wait_for_the_lock(web: Web, app, settings, session) -> None:
    cti = f"{web.base}/api/v1/cti/{phone_config(app).cti_token}"
    replies: dict[str, int] = {}

    def new_call(call_id: str) -> None:
        fields = {"event": "newCall", "callId": call_id, "from": "057187001234", "to": "12345"}
        fields["direction"] = "in"
        replies[call_id] = requests.post(cti, data=fields, timeout=60).status_code

    new_call("lock-warm")  # the first call loads the number data (seconds of CPU); not a wait
    assert replies.pop("lock-warm") == 200
    with write_lock_held(settings.database_url):
        # two writers: one waits for the other process, the next for the first (in-process)
        writers = [threading.Thread(target=new_call, args=(f"lock-{n}",)) for n in range(2)]
        for writer in writers:
            writer.start()
        slowest = 0.0
        for _ in range(PINGS):
            started = time.monotonic()
            assert requests.get(f"{web.base}/login", timeout=30).status_code == 200
            slowest = max(slowest, time.monotonic() - started)
        assert slowest < PING_BOUND, f"the login page took {slowest:.1f} s while writes waited"
        assert not replies  # the writes are still waiting: the lock is still held
    for writer in writers:
        writer.join(timeout=60)
    assert replies == {"lock-0": 200, "lock-1": 200}  # nothing lost once the lock is free
    session.expire_all()
    mine = CallRecord.call_id.startswith("lock-")
    calls = session.scalars(select(CallRecord.call_id).where(mine))
    assert sorted(calls) == ["lock-0", "lock-1", "lock-warm"]
