"""/desk against a real `helpdesk web` (gevent) with real python-socketio clients: who may
connect and join, who receives which ticket, revocation, versions and catch-up, and an event
from a real RQ worker process through the Redis message queue."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
import socketio
from redis import Redis
from rq import Queue
from sqlalchemy import select

from helpdesk import create_app
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket, TicketEvent
from realtime.live import DESK, Web, listen, login, logout

pytestmark = pytest.mark.slow


@pytest.fixture
def world(make_org, make_user):
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre")
    bank_a = make_org(slug="bank-a")
    bank_b = make_org(slug="bank-b")
    return {
        "centre": centre,
        "a": bank_a,
        "b": bank_b,
        "agent": make_user(Role.AGENT, centre),
        "agent2": make_user(Role.AGENT, centre),
        "supervisor": make_user(Role.SUPERVISOR, centre),
        "prov_a": make_user(Role.PROVIDER, bank_a),
        "prov_b": make_user(Role.PROVIDER, bank_b),
        "ent": make_user(Role.ENTERPRISE),
    }


def api(web: Web, http, method: str, path: str, body: dict | None = None):
    from realtime.live import csrf_of

    headers = {"X-CSRFToken": csrf_of(http, web.base)} if method != "GET" else {}
    response = http.request(method, f"{web.base}/api/v1{path}", json=body, headers=headers)
    assert response.status_code < 300, response.text
    return response.json()


def tickets_of(listener, number: str) -> list[dict]:
    return [e for e in listener.named("ticket") if e["number"] == number]


def test_sockets_without_a_valid_session_are_refused_and_logged(web: Web, world) -> None:
    with pytest.raises(socketio.exceptions.ConnectionError):
        listen(web.base, None)
    with pytest.raises(socketio.exceptions.ConnectionError):
        listen(web.base, login(web.base, world["ent"].login))
    time.sleep(0.2)
    log = web.log.read_text()
    assert "refused connect for anonymous" in log
    assert f"refused connect for user {world['ent'].id} (enterprise)" in log


def test_provider_a_never_receives_b_tickets_even_when_asking_to_join(
    web: Web, world, make_ticket
) -> None:
    ticket_b = make_ticket(organisation_id=world["b"].id, assignee_id=world["prov_b"].id)
    a = listen(web.base, login(web.base, world["prov_a"].login))
    b = listen(web.base, login(web.base, world["prov_b"].login))
    try:
        for room in (
            f"ticket:{ticket_b.id}",
            f"org:{world['b'].id}",
            f"user:{world['prov_b'].id}",
            "supervisors",
            "staff",
            "ticket:x",
        ):
            assert a.client.call("join", {"room": room}, namespace=DESK, timeout=5) == {
                "ok": False,
                "room": room,
            }
        assert a.client.call("join", {"room": f"org:{world['a'].id}"}, namespace=DESK)["ok"]
        http = login(web.base, world["prov_b"].login)
        api(web, http, "POST", f"/tickets/{ticket_b.number}/accept", {})
        assert b.wait_for(lambda: tickets_of(b, ticket_b.number))
        time.sleep(0.3)
        assert a.named("ticket") == [] and a.named("ticket.gone") == []
        assert f"refused join 'ticket:{ticket_b.id}' for user {world['prov_a'].id}" in (
            web.log.read_text()
        )
    finally:
        a.close()
        b.close()


def test_ticket_events_go_to_the_right_rooms_with_the_version(
    web: Web, world, make_ticket, session
) -> None:
    listeners = {
        k: listen(web.base, login(web.base, world[k].login))
        for k in ("agent", "agent2", "supervisor", "prov_a", "prov_b")
    }
    try:
        http = login(web.base, world["agent"].login)
        created = api(
            web,
            http,
            "POST",
            "/tickets",
            {
                "subject": "担保贷款咨询",
                "category": "finance/guarantee",
                "district": "330109",
                "organisation_id": world["a"].id,
            },
        )
        for who in ("supervisor", "prov_a"):
            got = listeners[who].wait_for(lambda w=who: tickets_of(listeners[w], created["number"]))
            assert got, who
        version = session.scalars(select(Ticket.version).where(Ticket.id == created["id"])).one()
        last = tickets_of(listeners["prov_a"], created["number"])[-1]
        assert last["version"] == version and last["organisation"]["id"] == world["a"].id
        assert "phone" not in str(last)
        time.sleep(0.3)
        for who in ("agent", "agent2", "prov_b"):
            assert tickets_of(listeners[who], created["number"]) == [], who
        # Transferred to agent2 in the centre: agent2 gets it, provider A is told it is gone.
        api(
            web,
            http,
            "POST",
            f"/tickets/{created['number']}/transfer",
            {
                "organisation_id": world["centre"].id,
                "assignee_id": world["agent2"].id,
                "reason": "转坐席",
            },
        )
        assert listeners["agent2"].wait_for(
            lambda: tickets_of(listeners["agent2"], created["number"])
        )
        gone = listeners["prov_a"].wait_for(lambda: listeners["prov_a"].named("ticket.gone"))
        assert (
            gone and gone[0]["id"] == created["id"] and set(gone[0]) == {"id", "number", "version"}
        )

        def supervisor_versions() -> list[int]:
            return [e["version"] for e in tickets_of(listeners["supervisor"], created["number"])]

        # the supervisors' copy of the transfer may arrive after agent2's and provider A's
        assert listeners["supervisor"].wait_for(lambda: supervisor_versions()[-1] > last["version"])
        versions = supervisor_versions()
        assert versions == sorted(versions)
    finally:
        for listener in listeners.values():
            listener.close()


def test_unassignment_ends_a_providers_ticket_room_at_once(web: Web, world, make_ticket) -> None:
    ticket = make_ticket(organisation_id=world["a"].id)
    a = listen(web.base, login(web.base, world["prov_a"].login))
    try:
        assert a.client.call("join", {"room": f"ticket:{ticket.id}"}, namespace=DESK)["ok"]
        http = login(web.base, world["agent"].login)
        api(
            web,
            http,
            "POST",
            f"/tickets/{ticket.number}/transfer",
            {"organisation_id": world["b"].id, "reason": "不属本行业务"},
        )
        assert a.wait_for(lambda: a.named("ticket.gone"), 1.0)
        api(
            web,
            http,
            "POST",
            f"/tickets/{ticket.number}/comments",
            {"body": "备注", "internal": True},
        )
        time.sleep(0.4)
        assert tickets_of(a, ticket.number) == []
        assert not a.client.call("join", {"room": f"ticket:{ticket.id}"}, namespace=DESK)["ok"]
    finally:
        a.close()


def test_logout_stops_that_browsers_socket_within_a_second(web: Web, world, make_ticket) -> None:
    http = login(web.base, world["agent"].login)
    other_browser = login(web.base, world["agent"].login)
    mine = listen(web.base, http)
    other = listen(web.base, other_browser)
    try:
        started = time.monotonic()
        logout(http, web.base)
        assert mine.wait_for(lambda: not mine.client.connected, 1.0), "still connected after 1 s"
        assert time.monotonic() - started < 1.0
        assert mine.named("revoked") == [{"reason": "logged_out"}]
        api(
            web,
            other_browser,
            "POST",
            "/tickets",
            {
                "subject": "登出后",
                "category": "finance/guarantee",
                "district": "330109",
                "organisation_id": world["centre"].id,
                "assignee_id": world["agent"].id,
            },
        )
        assert other.wait_for(lambda: other.named("ticket"))  # the other login still works
        assert mine.named("ticket") == []
    finally:
        mine.close()
        other.close()


@pytest.fixture
def redis_app(settings, web: Web):
    """This test process as another app on the same Redis: its commits revoke remote sockets."""
    application = create_app(settings.with_(redis_url=web.redis_url))
    with application.app_context():
        yield application
        db.session.remove()


@pytest.mark.parametrize("change", ["role", "suspend", "move"])
def test_role_change_suspension_and_move_end_sockets_within_a_second(
    web: Web, world, redis_app, change: str
) -> None:
    listener = listen(web.base, login(web.base, world["prov_a"].login))
    try:
        user = db.session.get(User, world["prov_a"].id)
        if change == "role":
            user.role = Role.ENTERPRISE
        elif change == "suspend":
            user.active = False
        else:
            user.organisation_id = world["b"].id
        started = time.monotonic()
        db.session.commit()
        assert listener.wait_for(lambda: not listener.client.connected, 1.0)
        assert time.monotonic() - started < 1.0
        assert listener.named("revoked") == [{"reason": "rights_changed"}]
    finally:
        listener.close()


def test_organisation_suspension_ends_its_staffs_sockets(web: Web, world, redis_app) -> None:
    from helpdesk.directory.models import OrgStatus

    listener = listen(web.base, login(web.base, world["prov_b"].login))
    try:
        db.session.get(Organisation, world["b"].id).status = OrgStatus.SUSPENDED
        db.session.commit()
        assert listener.wait_for(lambda: not listener.client.connected, 1.0)
    finally:
        listener.close()


def test_catch_up_after_a_reconnect_returns_what_changed(web: Web, world, make_ticket) -> None:
    mine = make_ticket(organisation_id=world["a"].id)
    leaving = make_ticket(organisation_id=world["a"].id)
    http = login(web.base, world["prov_a"].login)
    start = api(web, http, "GET", "/desk/tickets?view=org")
    have = {t["id"]: t["version"] for t in start["items"]}
    assert set(have) == {mine.id, leaving.id}
    # Offline for a while: one ticket changes, one leaves the provider.
    api(web, http, "POST", f"/tickets/{mine.number}/accept", {})
    agent = login(web.base, world["agent"].login)
    api(
        web,
        agent,
        "POST",
        f"/tickets/{leaving.number}/transfer",
        {"organisation_id": world["b"].id, "reason": "改派"},
    )
    from urllib.parse import quote

    back = api(
        web,
        http,
        "GET",
        f"/desk/changes?since={quote(start['cursor'])}&known={mine.id},{leaving.id}",
    )
    changed = {t["id"]: t for t in back["items"]}
    assert changed[mine.id]["version"] > have[mine.id] and changed[mine.id]["status"] == "accepted"
    assert leaving.id not in changed and back["gone"] == [leaving.id]


def test_an_event_from_an_rq_worker_process_reaches_the_socket(
    web: Web, world, make_ticket
) -> None:
    ticket = make_ticket(organisation_id=world["a"].id)
    listener = listen(web.base, login(web.base, world["prov_a"].login))
    try:
        queue = Queue("default", connection=Redis.from_url(web.redis_url))
        queue.enqueue("helpdesk.realtime.jobs.announce_ticket", ticket.id, "worker_check")
        worker = subprocess.run(
            [sys.executable, "-m", "helpdesk.cli", "worker", "--burst"],
            env=web.env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert worker.returncode == 0, worker.stderr[-2000:]
        got = listener.wait_for(
            lambda: [e for e in tickets_of(listener, ticket.number) if e["kind"] == "worker_check"]
        )
        assert got and got[0]["version"] == ticket.version
    finally:
        listener.close()


def test_revealing_a_masked_phone_is_a_logged_ticket_event(
    web: Web, world, make_ticket, make_enterprise, session
) -> None:
    ent = make_enterprise()
    ticket = make_ticket(
        organisation_id=world["a"].id, contact_phone="13800000000", contact_name="王"
    )
    http = login(web.base, world["prov_a"].login)
    shown = api(web, http, "GET", f"/tickets/{ticket.number}")
    assert shown["contact"]["phone"] == "138****0000"
    revealed = api(web, http, "POST", f"/tickets/{ticket.number}/reveal-phone", {})
    assert revealed["phone"] == "+8613800000000"
    kinds = session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ticket.id, TicketEvent.kind == "phone_revealed"
        )
    ).all()
    assert len(kinds) == 1 and kinds[0].actor_id == world["prov_a"].id and kinds[0].internal
    other = login(web.base, world["prov_b"].login)
    response = other.post(
        f"{web.base}/api/v1/tickets/{ticket.number}/reveal-phone",
        headers={"X-CSRFToken": __import__("realtime.live").live.csrf_of(other, web.base)},
    )
    assert response.status_code == 404
    assert ent is not None
