"""Scoping through every endpoint: another organisation's or enterprise's ticket is a 404 with
exactly the body a ticket that does not exist gets, and it never shows in lists or counts."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.api.actions import ACTIONS

from .support import World, error_of, rows

MISSING = "HZ-20000101-99999"


def action_body(world: World, action: str) -> Any:
    return {
        "assign": {"organisation_id": world.org_a.id},
        "pend": {"reason": "r"},
        "reopen": {"reason": "r"},
        "decline": {"reason": "r"},
        "resolve": {"summary": "s"},
        "transfer": {"organisation_id": world.org_a.id, "reason": "r"},
        "cancel": {"reason": "spam"},
        "merge": {"into": world.ticket_a.number},
    }.get(action)


def ticket_requests(world: World) -> list[tuple[str, str, Any]]:
    """(method, path under /tickets/<number>, body) for every endpoint that names a ticket."""
    reads = [("GET", "", None), ("GET", "/events", None), ("GET", "/comments", None)]
    writes = [("POST", "/comments", {"body": "你好"})]
    actions = [("POST", f"/{a}", action_body(world, a)) for a in sorted(ACTIONS)]
    return reads + writes + actions


def call(api, method: str, number: str, path: str, body: Any):  # type: ignore[no-untyped-def]
    if method == "GET":
        return api.get(f"/tickets/{number}{path}")
    return api.post(f"/tickets/{number}{path}", body)


@pytest.mark.parametrize("who", ["provider_b", "ent_user_2"])
def test_another_scope_is_indistinguishable_from_missing(
    who: str, api_as, world: World, session
) -> None:
    api = api_as(getattr(world, who))
    hidden = world.ticket_a.number
    before = rows(session)
    for method, path, body in ticket_requests(world):
        out_of_scope = call(api, method, hidden, path, body)
        missing = call(api, method, MISSING, path, body)
        error = error_of(out_of_scope, 404)
        assert error == {**error_of(missing, 404), "message": f"ticket {hidden} not found"}, (
            method,
            path,
        )
        assert out_of_scope.get_data(as_text=True) == missing.get_data(as_text=True).replace(
            MISSING, hidden
        )
    assert rows(session) == before


def test_provider_lists_and_counts_only_its_organisation(api_as, world: World) -> None:
    api = api_as(world.provider_b)
    numbers = [t["number"] for t in api.get("/tickets").get_json()["items"]]
    assert numbers == [world.ticket_b.number]
    assert api.get("/tickets/count").get_json() == {"count": 1}
    # asking for the other organisation's queue yields nothing, not its tickets
    other = api.get("/tickets", organisation_id=world.org_a.id).get_json()
    assert other == {"items": [], "next_before": None}
    assert api.get("/tickets/count", organisation_id=world.org_a.id).get_json() == {"count": 0}
    by_enterprise = api.get("/tickets/count", enterprise_id=world.enterprise_1.id)
    assert by_enterprise.get_json() == {"count": 0}


def test_enterprise_user_sees_only_its_enterprise(api_as, world: World, make_ticket) -> None:
    make_ticket(world.agent, enterprise_id=world.enterprise_1.id)  # unassigned, still its own
    api = api_as(world.ent_user_1)
    listed = api.get("/tickets").get_json()["items"]
    assert {t["enterprise"]["id"] for t in listed} == {world.enterprise_1.id}
    assert len(listed) == 2
    assert api.get("/tickets/count").get_json() == {"count": 2}
    assert api.get("/tickets/count", enterprise_id=world.enterprise_2.id).get_json() == {"count": 0}
    assert api.get(f"/tickets/{world.ticket_a.number}").status_code == 200


def test_staff_see_everything(api_as, world: World) -> None:
    api = api_as(world.agent)
    assert api.get("/tickets/count").get_json() == {"count": 2}
    assert api.get(f"/tickets/{world.ticket_b.number}").status_code == 200


def test_related_ticket_outside_scope_is_an_unknown_field(api_as, world: World, session) -> None:
    api = api_as(world.ent_user_1)
    base = {"subject": "投诉", "category": "complaint/service", "type": "complaint"}
    before = rows(session)
    hidden = error_of(api.post("/tickets", base | {"related_ticket": world.ticket_b.number}), 422)
    missing = error_of(api.post("/tickets", base | {"related_ticket": MISSING}), 422)
    assert hidden["field"] == missing["field"] == "related_ticket"
    assert hidden["message"].replace(world.ticket_b.number, MISSING) == missing["message"]
    assert rows(session) == before
    own = api.post("/tickets", base | {"related_ticket": world.ticket_a.number})
    assert own.status_code == 201, own.get_json()
    assert own.get_json()["related_ticket"] == world.ticket_a.number


def test_merge_into_a_ticket_the_caller_cannot_see(api_as, world: World, session) -> None:
    """Providers may not merge at all; the role check comes after the scope check."""
    api = api_as(world.provider_b)
    error = error_of(
        api.post(f"/tickets/{world.ticket_b.number}/merge", {"into": world.ticket_a.number}), 403
    )
    assert error["code"] == "forbidden"


def test_enterprise_directory_is_scoped(api_as, world: World) -> None:
    agent = api_as(world.agent)
    page = agent.get("/enterprises").get_json()
    assert {e["id"] for e in page["items"]} == {world.enterprise_1.id, world.enterprise_2.id}
    assert page["items"][0]["contacts"][0]["phone"].startswith("+86")

    for user in (world.provider_a, world.ent_user_1):
        assert error_of(api_as(user).get("/enterprises"), 403)["code"] == "forbidden"

    own = api_as(world.ent_user_1).get(f"/enterprises/{world.enterprise_1.id}")
    assert own.status_code == 200
    assert own.get_json()["uscc"] == world.enterprise_1.uscc
    other = api_as(world.ent_user_1).get(f"/enterprises/{world.enterprise_2.id}")
    missing = api_as(world.ent_user_1).get("/enterprises/999999")
    assert error_of(other, 404)["message"] == f"enterprise {world.enterprise_2.id} not found"
    assert error_of(missing, 404)["field"] == "enterprise_id"
    assert api_as(world.provider_a).get(f"/enterprises/{world.enterprise_1.id}").status_code == 404


def test_a_provider_files_only_for_an_enterprise_it_serves_and_learns_nothing(
    api_as, world: World, make_enterprise
) -> None:
    """Issue 16 item 5: bank staff filed a ticket for any enterprise id and got its name and
    credit code back; a foreign credit code and an unknown one were told apart."""
    api = api_as(world.provider_a)
    base = {"subject": "咨询", "category": "finance/guarantee"}
    foreign = api.post("/tickets", {**base, "enterprise_id": world.enterprise_2.id})
    unknown = api.post("/tickets", {**base, "enterprise_id": 999_999})
    assert foreign.status_code == unknown.status_code == 422
    assert foreign.get_json()["error"]["field"] == unknown.get_json()["error"]["field"]
    assert foreign.get_json()["error"]["message"].replace(str(world.enterprise_2.id), "N") == (
        unknown.get_json()["error"]["message"].replace("999999", "N")
    )
    stranger = make_enterprise()
    by_code = api.post("/tickets", {**base, "enterprise_uscc": stranger.uscc})
    from stdnum.cn import uscc

    nobody = "91330100MA2B00000" + uscc.calc_check_digit("91330100MA2B00000")
    no_code = api.post("/tickets", {**base, "enterprise_uscc": nobody})
    assert by_code.status_code == no_code.status_code == 422
    told, untold = by_code.get_json()["error"], no_code.get_json()["error"]
    assert told["field"] == untold["field"] == "enterprise_uscc"
    assert told["message"].replace(stranger.uscc, "C") == untold["message"].replace(nobody, "C")
    assert stranger.name not in by_code.get_data(as_text=True)

    # Its own organisation's enterprise is fine.
    served = api.post("/tickets", {**base, "enterprise_id": world.enterprise_1.id})
    assert served.status_code == 201, served.get_json()


def test_a_ticket_filed_by_phone_never_echoes_the_stored_contact_to_a_provider(
    api_as, world: World
) -> None:
    """The caller's number matches a stored contact of enterprise 2: the ticket is linked to
    it for the centre, but the provider who filed it is told neither its name nor the contact's."""
    body = {
        "subject": "来电咨询",
        "category": "finance/guarantee",
        "district": "330106",
        "contact_phone": "13800002222",  # ticket_b's contact, enterprise 2
    }
    created = api_as(world.provider_a).post("/tickets", body)
    assert created.status_code == 201, created.get_json()
    text = created.get_data(as_text=True)
    assert world.enterprise_2.name not in text and world.enterprise_2.uscc not in text
    assert created.get_json()["enterprise"] is None
    assert created.get_json()["contact"]["name"] is None
