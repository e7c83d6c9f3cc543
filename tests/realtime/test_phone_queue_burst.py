"""The phone queue's offers under a burst, against a real `helpdesk web` (gevent) and real
python-socketio consoles: 30 calls queued at once cost a few coalesced listings per console,
not one per call, every console still ends with all 30 waiting calls, and every call still gets
its ticket, which the web process makes after the reply (channels/phone/later.py; that the
reply and the offer do not wait for it: test_phone_queue_ticket_later.py)."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import create_engine, text

from helpdesk.auth.models import Role
from helpdesk.channels.phone.queue import OFFER
from helpdesk.directory.models import OrgKind
from realtime.live import Web, csrf_of, listen, login

pytestmark = pytest.mark.slow

CALLS = 30
CONSOLES = 4


def test_a_burst_of_queued_calls_is_coalesced_and_nothing_is_lost(
    web: Web, make_org, make_user, fresh_presence
) -> None:
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    agents = [make_user(Role.AGENT, centre, extension=str(8100 + n)) for n in range(CONSOLES)]
    supervisor = make_user(Role.SUPERVISOR, centre)
    consoles = [listen(web.base, login(web.base, agent.login)) for agent in agents]
    caller = login(web.base, supervisor.login)
    headers = {"X-CSRFToken": csrf_of(caller, web.base)}
    sids = [f"burst-{n}" for n in range(CALLS)]

    def step(sid: str, **params: str) -> None:
        data = {"CallSid": sid, "From": "+8613957112345", "To": "057188888888", **params}
        reply = caller.post(f"{web.base}/ivr/voice/hotline", data=data, headers=headers)
        assert reply.status_code == 200, reply.text

    try:
        for sid in sids:  # each caller rings and presses 0 (an agent) ...
            step(sid, CallStatus="ringing")
            step(sid, Digits="0")
        # ... then all of them press 00 (杭州市) at once: 30 calls join the queue together.
        threads = [
            threading.Thread(target=step, args=(sid,), kwargs={"Digits": "00"}) for sid in sids
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        def all_waiting(console) -> bool:  # the sentinel: the latest listing names all 30
            listings = console.named(OFFER)
            return bool(listings) and {c["call_id"] for c in listings[-1]["calls"]} >= set(sids)

        for console in consoles:
            assert console.wait_for(lambda c=console: all_waiting(c), timeout=30), (
                f"{len(console.named(OFFER))} listings, the last without all {CALLS} calls"
            )
        received = [len(console.named(OFFER)) for console in consoles]
        # One listing per queued call per console would be CALLS x CONSOLES = 120.
        assert sum(received) <= CALLS * CONSOLES // 3, received
        # ... and each of the 30 calls still gets its own ticket, made after the reply.
        engine = create_engine(web.env["HELPDESK_DATABASE_URL"])
        try:
            assert _until(lambda: len(set(_tickets(engine, sids).values()) - {None}) == CALLS)
        finally:
            engine.dispose()
    finally:
        for console in consoles:
            console.close()


def _tickets(engine, sids: list[str]) -> dict[str, int | None]:
    """Each call's ticket id, read by another connection (the web process's commits)."""
    with engine.connect() as db:
        rows = db.execute(text("SELECT call_id, ticket_id FROM call_record")).all()
    return {call_id: ticket_id for call_id, ticket_id in rows if call_id in sids}


def _until(check, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return bool(check())
