"""A queued call's caller and its offer do not wait for the call's ticket, against a real
`helpdesk web` on PostgreSQL: another transaction holds the ticket numbers (a table lock), and
the reply and the offer still come; the ticket follows once the numbers are free. SQLite has
one writer, so the call itself could not commit either: like test_scale_out.py, CI runs it in
its PostgreSQL stage only (tests/realtime/conftest.py)."""

from __future__ import annotations

import pytest
import requests
from sqlalchemy import create_engine, text

from helpdesk.auth.models import Role
from helpdesk.channels.phone.queue import OFFER
from helpdesk.directory.models import OrgKind
from realtime.live import Web, csrf_of, listen, login
from realtime.test_phone_queue_burst import _tickets, _until

pytestmark = pytest.mark.slow


def test_the_caller_and_the_offer_do_not_wait_for_the_call_s_ticket(
    web: Web, make_org, make_user, fresh_presence
) -> None:
    """The ticket numbers held by another transaction (a PostgreSQL table lock; SQLite has one
    writer, so the call itself could not commit either): the caller still hears their place
    and the console still gets the offer; the ticket follows once the numbers are free."""
    url = web.env["HELPDESK_DATABASE_URL"]
    if not url.startswith("postgresql"):
        pytest.skip(
            "holds the ticket numbers with a PostgreSQL table lock: set HELPDESK_TEST_DATABASE_URL"
        )
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    agent = make_user(Role.AGENT, centre, extension="8201")
    supervisor = make_user(Role.SUPERVISOR, centre)
    console = listen(web.base, login(web.base, agent.login))
    caller = login(web.base, supervisor.login)
    headers = {"X-CSRFToken": csrf_of(caller, web.base)}

    def step(**params: str) -> requests.Response:
        data = {"CallSid": "later-1", "From": "+8613957112345", "To": "057188888888", **params}
        reply = caller.post(f"{web.base}/ivr/voice/hotline", data=data, headers=headers, timeout=10)
        assert reply.status_code == 200, reply.text
        return reply

    engine = create_engine(url)
    holder = engine.connect()
    try:
        step(CallStatus="ringing")
        step(Digits="0")
        holder.begin()
        holder.execute(text("LOCK TABLE ticket_counter IN EXCLUSIVE MODE"))
        # Before: this request made the ticket, so it waited here for the lock (and timed out).
        assert "排在第1位" in step(Digits="00").text

        def offered() -> bool:
            listings = console.named(OFFER)
            return bool(listings) and [c["call_id"] for c in listings[-1]["calls"]] == ["later-1"]

        assert console.wait_for(offered, timeout=10)
        assert _tickets(engine, ["later-1"]) == {"later-1": None}  # no ticket yet
        holder.rollback()  # the numbers are free: the ticket is made and linked
        assert _until(lambda: _tickets(engine, ["later-1"])["later-1"] is not None)
        with engine.connect() as db:
            channel = db.scalar(
                text(
                    "SELECT t.channel FROM ticket t JOIN call_record c ON c.ticket_id = t.id "
                    "WHERE c.call_id = 'later-1'"
                )
            )
        assert str(channel).lower() == "phone"
    finally:
        holder.close()
        engine.dispose()
        console.close()
