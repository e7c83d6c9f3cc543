"""Call records through the REST API (issue 12): filters, one call with its IVR path and ticket,
scoping like tickets, and the OpenAPI document."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import validate

from helpdesk import clock
from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus
from helpdesk.channels.phone.service import hang_up
from helpdesk.directory.models import OrgKind

from .support import API


@pytest.fixture
def calls(session, world, make_user):
    """Four calls over two days: answered by the agent with ticket A, a missed one from
    enterprise 2, an outbound busy one, and an IVR call with ticket B."""
    start = clock.now() - timedelta(days=1)

    def call(call_id, at, **fields):
        row = CallRecord(
            call_id=call_id,
            source="cti",
            direction=fields.pop("direction", CallDirection.IN),
            status=CallStatus.RINGING,
            ring_at=at,
            updated_at=at,
            users=[],
            transfers=[],
            ivr_path=fields.pop("ivr_path", []),
            **fields,
        )
        session.add(row)
        session.flush()
        return row

    answered = call(
        "a-1",
        start,
        from_number="13800001111",
        caller_e164="+8613800001111",
        ticket_id=world.ticket_a.id,
        enterprise_id=world.enterprise_1.id,
    )
    answered.status, answered.answer_at = CallStatus.ANSWERED, start + timedelta(seconds=5)
    answered.answered_by_id = world.agent.id
    missed = call(
        "m-2", start + timedelta(hours=2), from_number="057187001234",
        caller_e164="+8657187001234", enterprise_id=world.enterprise_2.id,
    )  # fmt: skip
    busy = call(
        "o-3", clock.now(), direction=CallDirection.OUT, from_number="8001", to_number="13900000000"
    )
    ivr = call(
        "i-4",
        clock.now(),
        from_number="057187009999",
        ticket_id=world.ticket_b.id,
        ivr_script="hotline",
        ivr_outcome="message",
        ivr_path=[{"node": "welcome"}, {"node": "closed_menu", "input": "1"}],
    )
    hang_up(session, answered, "NORMAL_CLEARING")
    hang_up(session, missed, "ORIGINATOR_CANCEL")
    hang_up(session, busy, "USER_BUSY")
    hang_up(session, ivr, "normalClearing")
    session.commit()
    return start


def ids(reply) -> list[str]:
    assert reply.status_code == 200, reply.get_json()
    return [c["call_id"] for c in reply.get_json()["items"]]


def test_filters(api_as, world, calls):
    api = api_as(world.supervisor)
    assert ids(api.get("/calls")) == ["i-4", "o-3", "m-2", "a-1"]
    assert ids(api.get("/calls", outcome="abandoned")) == ["m-2"]
    assert ids(api.get("/calls", outcome="busy", direction="out")) == ["o-3"]
    assert ids(api.get("/calls", agent_id=world.agent.id)) == ["a-1"]
    assert ids(api.get("/calls", number="0571-87001234")) == ["m-2"]  # any usual spelling
    assert ids(api.get("/calls", number="13900000000")) == ["o-3"]
    day_one = {"since": calls.isoformat(), "until": (calls + timedelta(hours=3)).isoformat()}
    assert ids(api.get("/calls", **day_one)) == ["m-2", "a-1"]
    page = api.get("/calls", limit=3).get_json()
    assert page["next_before"] is not None
    assert ids(api.get("/calls", before=page["next_before"])) == ["a-1"]


def test_one_call_with_its_ivr_path_and_ticket(api_as, world, calls):
    body = api_as(world.agent).get("/calls/i-4").get_json()
    assert body["ticket"] == world.ticket_b.number
    assert body["ivr_path"] == [
        {"node": "welcome", "input": None},
        {"node": "closed_menu", "input": "1"},
    ]
    assert (body["status"], body["outcome"], body["ivr_outcome"]) == ("ended", "ivr", "message")
    answered = api_as(world.agent).get("/calls/a-1").get_json()
    assert (answered["outcome"], answered["cause"]) == ("answered", "NORMAL_CLEARING")
    assert answered["agent"]["id"] == world.agent.id


def test_scoped_like_tickets(api_as, world, calls):
    assert ids(api_as(world.provider_a).get("/calls")) == ["a-1"]  # its ticket is theirs
    masked = api_as(world.provider_a).get("/calls/a-1").get_json()["caller"]
    assert masked != "+8613800001111" and "****" in masked
    assert ids(api_as(world.provider_b).get("/calls")) == ["i-4"]
    assert ids(api_as(world.ent_user_2).get("/calls")) == ["m-2"]
    hidden = api_as(world.provider_b).get("/calls/a-1")
    assert hidden.status_code == 404 and hidden.get_json()["error"]["field"] == "call_id"


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"outcome": "lost"}, "outcome"),
        ({"direction": "up"}, "direction"),
        ({"since": "yesterday"}, "since"),
        ({"since": "2026-01-01T00:00:00"}, "since"),  # no zone: ambiguous
        ({"agent_id": str(2**70)}, "agent_id"),
        ({"number": "1" * 65}, "number"),
        ({"since": "2026-01-02T00:00:00+08:00", "until": "2026-01-01T00:00:00+08:00"}, "until"),
    ],
)
def test_bad_filters_are_422_naming_the_field(api_as, world, query, field):
    reply = api_as(world.supervisor).get("/calls", **query)
    assert reply.status_code == 422, reply.get_json()
    assert reply.get_json()["error"]["field"] == field


def test_documented_in_openapi(client, make_org):
    make_org(kind=OrgKind.SERVICE_CENTRE)
    document = client.get(f"{API}/openapi.json").get_json()
    validate(document)
    listing = document["paths"][f"{API}/calls"]["get"]
    names = {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert {"since", "until", "direction", "outcome", "agent_id", "number"} <= names
    assert "404" in document["paths"][f"{API}/calls/{{call_id}}"]["get"]["responses"]
