"""Every lifecycle action through the API: allowed ones move the ticket, forbidden ones are 409."""

from __future__ import annotations

from typing import Any

import pytest

from helpdesk.api.actions import ACTIONS
from helpdesk.auth.models import Role
from helpdesk.tickets.states import TRANSITIONS

from .support import World, error_of, rows


def act(api, number: str, action: str, body: Any = None) -> dict[str, Any]:
    response = api.post(f"/tickets/{number}/{action}", body)
    assert response.status_code == 200, (action, response.get_json())
    return response.get_json()


def test_every_state_machine_action_has_an_endpoint() -> None:
    assert set(ACTIONS) == set(TRANSITIONS) - {"comment"}


def test_the_whole_lifecycle(api_as, world: World, make_ticket) -> None:
    ticket = make_ticket(world.agent)
    agent, provider = api_as(world.agent), api_as(world.provider_a)
    n = ticket.number
    assert act(agent, n, "assign", {"organisation_id": world.org_a.id})["status"] == "assigned"
    accepted = act(provider, n, "accept")
    assert accepted["status"] == "accepted"
    assert accepted["assignee"] == {"id": world.provider_a.id, "name": world.provider_a.name}
    assert accepted["first_response_at"] is not None
    assert act(provider, n, "start", {})["status"] == "in_progress"
    assert act(provider, n, "pend", {"reason": "等材料"})["status"] == "pending"
    assert act(provider, n, "resume")["status"] == "in_progress"
    resolved = act(provider, n, "resolve", {"summary": "已对接银行"})
    assert resolved["status"] == "resolved" and resolved["resolved_at"] is not None
    assert act(agent, n, "reopen", {"reason": "企业不满意"})["status"] == "in_progress"
    act(provider, n, "resolve", {"summary": "二次处理完毕"})
    closed = act(agent, n, "close")
    assert closed["status"] == "closed" and closed["closed_at"] is not None
    assert closed["allowed_actions"] == ["reopen"]

    kinds = [e["kind"] for e in agent.get(f"/tickets/{n}/events").get_json()["items"]]
    assert kinds == [
        "created",
        "assigned",
        "accepted",
        "started",
        "pended",
        "resumed",
        "resolved",
        "reopened",
        "resolved",
        "closed",
    ]


def test_decline_then_transfer(api_as, world: World) -> None:
    n = world.ticket_a.number
    declined = act(api_as(world.provider_a), n, "decline", {"reason": "不在服务范围"})
    assert declined["status"] == "new" and declined["organisation"] is None
    agent = api_as(world.agent)
    refused = agent.post(
        f"/tickets/{n}/transfer", {"organisation_id": world.org_a.id, "reason": "再试"}
    )
    assert error_of(refused, 422)["field"] == "organisation_id"
    moved = act(agent, n, "transfer", {"organisation_id": world.org_b.id, "reason": "转B"})
    assert moved["status"] == "assigned"
    assert moved["organisation"]["id"] == world.org_b.id


def test_cancel_and_merge(api_as, world: World, make_ticket) -> None:
    supervisor = api_as(world.supervisor)
    spam = make_ticket(world.agent)
    assert act(supervisor, spam.number, "cancel", {"reason": "spam"})["status"] == "cancelled"
    bad = supervisor.post(f"/tickets/{world.ticket_a.number}/cancel", {"reason": "boring"})
    assert error_of(bad, 422)["field"] == "reason"

    duplicate = make_ticket(world.agent)
    merged = act(supervisor, duplicate.number, "merge", {"into": world.ticket_b.number})
    assert merged["status"] == "merged"
    assert merged["merged_into"] == world.ticket_b.number
    missing = supervisor.post(
        f"/tickets/{world.ticket_a.number}/merge", {"into": "HZ-20000101-00001"}
    )
    assert error_of(missing, 422)["field"] == "into"


# A valid body for each action, so only the ticket's status can refuse it.
def bodies(world: World, target: str) -> dict[str, Any]:
    return {
        "assign": {"organisation_id": world.org_a.id},
        "accept": None,
        "start": None,
        "pend": {"reason": "r"},
        "resume": None,
        "resolve": {"summary": "s"},
        "close": None,
        "reopen": {"reason": "r"},
        "decline": {"reason": "r"},
        "transfer": {"organisation_id": world.org_b.id, "reason": "r"},
        "cancel": {"reason": "duplicate"},
        "merge": {"into": target},
    }


@pytest.mark.parametrize("action", sorted(ACTIONS))
def test_forbidden_transition_is_409_naming_state_and_allowed_actions(
    action: str, api_as, world: World, make_user, make_ticket, session
) -> None:
    """A cancelled ticket allows nothing: every action is refused with the same 409."""
    ticket = make_ticket(world.agent)
    api = api_as(world.supervisor)
    act(api, ticket.number, "cancel", {"reason": "duplicate"})
    # decline is the provider's own action; give it a provider of an org that sees the ticket
    caller = api_as(make_user(Role.PROVIDER, world.org_a)) if action == "decline" else api
    if action == "decline":
        session.refresh(ticket)
        ticket.assigned_org_id = world.org_a.id  # visible to that provider, still cancelled
        session.commit()
    before = rows(session)
    response = caller.post(
        f"/tickets/{ticket.number}/{action}", bodies(world, world.ticket_b.number)[action]
    )
    error = error_of(response, 409)
    assert error["code"] == "invalid_transition"
    assert "cancelled" in error["message"]
    assert f"'{action}' is not allowed" in error["message"]
    assert "allowed actions: none" in error["message"]
    assert rows(session) == before


def test_409_lists_what_is_allowed(api_as, world: World, session) -> None:
    before = rows(session)
    error = error_of(
        api_as(world.agent).post(f"/tickets/{world.ticket_a.number}/close"),
        409,
    )
    assert "is assigned" in error["message"]
    assert "allowed actions: accept, decline, transfer, cancel, merge, comment" in error["message"]
    assert rows(session) == before


@pytest.mark.parametrize(
    ("role", "action", "body"),
    [
        (Role.ENTERPRISE, "assign", {"organisation_id": 999999}),
        (Role.ENTERPRISE, "accept", None),
        (Role.AGENT, "cancel", {"reason": "spam"}),
        (Role.AGENT, "merge", {"into": "HZ-20000101-00001"}),
        (Role.AGENT, "decline", {"reason": "r"}),
        (Role.PROVIDER, "assign", {"organisation_id": 1}),
        (Role.PROVIDER, "transfer", {"organisation_id": 1, "reason": "r"}),
    ],
)
def test_role_not_allowed_is_403(
    role: Role, action: str, body: Any, api_as, world: World, session
) -> None:
    user = {
        Role.ENTERPRISE: world.ent_user_1,
        Role.AGENT: world.agent,
        Role.PROVIDER: world.provider_a,
    }[role]
    before = rows(session)
    error = error_of(api_as(user).post(f"/tickets/{world.ticket_a.number}/{action}", body), 403)
    assert error["code"] == "forbidden"
    assert action in error["message"]
    assert rows(session) == before


def test_action_bodies_are_validated(api_as, world: World, session) -> None:
    provider = api_as(world.provider_a)
    n = world.ticket_a.number
    act(provider, n, "accept")
    before = rows(session)
    assert error_of(provider.post(f"/tickets/{n}/pend", {}), 422)["field"] == "reason"
    assert error_of(provider.post(f"/tickets/{n}/pend", {"reason": "   "}), 422)["field"] == (
        "reason"
    )
    long = provider.post(f"/tickets/{n}/pend", {"reason": "x" * 501})
    assert error_of(long, 422)["field"] == "reason"
    extra = provider.post(f"/tickets/{n}/start", {"force": True})
    assert error_of(extra, 422)["field"] == "force"
    typed = api_as(world.agent).post(
        f"/tickets/{n}/transfer", {"organisation_id": str(world.org_b.id), "reason": "r"}
    )
    assert error_of(typed, 422)["field"] == "organisation_id"
    assert rows(session) == before
