"""The phone queue's offers under a burst, against a real `helpdesk web` (gevent) and real
python-socketio consoles: 30 calls queued at once cost a few coalesced listings per console,
not one per call, and every console still ends with all 30 waiting calls."""

from __future__ import annotations

import threading

import pytest

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
    finally:
        for console in consoles:
            console.close()
