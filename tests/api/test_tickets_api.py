"""Tickets through the API: create, read, list pages, count, comments, timeline."""

from __future__ import annotations

import re

from helpdesk.auth.models import Role

from .support import World, rows

NUMBER = re.compile(r"^HZ-\d{8}-\d{5}$")


def test_agent_creates_a_ticket_and_reads_it_back(api_as, world: World, session) -> None:
    api = api_as(world.agent)
    before = rows(session)
    response = api.post(
        "/tickets",
        {
            "subject": "  咨询担保贷款额度  ",
            "category": "finance/guarantee",
            "type": "inquiry",
            "channel": "phone",
            "enterprise_id": world.enterprise_1.id,
            "contact_name": "王经理",
            "contact_phone": "138 0013 8000",
        },
    )
    assert response.status_code == 201, response.get_json()
    created = response.get_json()
    assert NUMBER.match(created["number"])
    assert created["subject"] == "咨询担保贷款额度"
    assert created["status"] == "new"
    assert created["category"]["code"] == "finance/guarantee"
    assert created["district"]["code"] == "330109"  # the enterprise's district
    assert created["enterprise"]["id"] == world.enterprise_1.id
    assert created["contact"] == {
        "name": "王经理",
        "phone": "+8613800138000",
        "phone_display": "138 0013 8000",
    }
    assert "assign" in created["allowed_actions"]
    assert rows(session) == (before[0] + 1, before[1] + 1)

    read = api.get(f"/tickets/{created['number']}")
    assert read.status_code == 200
    assert read.get_json() == created


def test_create_by_credit_code_and_straight_to_an_organisation(api_as, world: World) -> None:
    response = api_as(world.agent).post(
        "/tickets",
        {
            "subject": "融资租赁",
            "category": "finance/leasing",
            "enterprise_uscc": world.enterprise_2.uscc.lower(),
            "organisation_id": world.org_a.id,
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["enterprise"]["id"] == world.enterprise_2.id
    assert body["status"] == "assigned"
    assert body["organisation"] == {"id": world.org_a.id, "name": world.org_a.name}


def test_enterprise_user_files_only_for_its_own_enterprise(api_as, world: World) -> None:
    response = api_as(world.ent_user_1).post(
        "/tickets",
        {
            "subject": "想了解政策",
            "category": "info/policy",
            "enterprise_id": world.enterprise_2.id,
        },
    )
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["enterprise"]["id"] == world.enterprise_1.id
    assert response.get_json()["allowed_actions"] == ["comment"]


def test_provider_sees_the_contact_phone_masked_staff_in_full(api_as, world: World) -> None:
    number = world.ticket_a.number
    provider = api_as(world.provider_a).get(f"/tickets/{number}").get_json()
    agent = api_as(world.agent).get(f"/tickets/{number}").get_json()
    owner = api_as(world.ent_user_1).get(f"/tickets/{number}").get_json()
    assert provider["contact"]["phone"] == "138****1111"
    assert agent["contact"]["phone"] == "+8613800001111"
    assert owner["contact"]["phone"] == "+8613800001111"
    listed = api_as(world.provider_a).get("/tickets").get_json()["items"]
    assert [t["contact"]["phone"] for t in listed] == ["138****1111"]


def test_keyset_pages_cover_every_ticket_once(api_as, world: World, make_ticket) -> None:
    for n in range(5):
        make_ticket(world.agent, subject=f"第{n}号")
    api = api_as(world.agent)
    seen: list[int] = []
    before = None
    pages = 0
    while True:
        query = {"limit": 3} | ({"before": before} if before else {})
        page = api.get("/tickets", **query).get_json()
        seen += [t["id"] for t in page["items"]]
        pages += 1
        before = page["next_before"]
        if before is None:
            break
    assert pages == 3  # 7 tickets: 3 + 3 + 1
    assert seen == sorted(seen, reverse=True)
    assert len(seen) == len(set(seen)) == 7
    assert api.get("/tickets/count").get_json() == {"count": 7}


def test_filters_apply_to_list_and_count(api_as, world: World, make_ticket) -> None:
    make_ticket(world.agent, category="manage/legal", district="330106")
    api = api_as(world.agent)
    legal = api.get("/tickets", category="manage").get_json()["items"]
    assert [t["category"]["code"] for t in legal] == ["manage/legal"]
    assert api.get("/tickets/count", category="manage").get_json() == {"count": 1}
    assigned = api.get("/tickets", status="assigned", organisation_id=world.org_b.id)
    assert [t["number"] for t in assigned.get_json()["items"]] == [world.ticket_b.number]
    assert api.get("/tickets/count", status="open").get_json() == {"count": 3}
    assert api.get("/tickets/count", status="closed").get_json() == {"count": 0}
    assert api.get("/tickets/count", district="330106").get_json() == {"count": 1}


def test_comments_and_internal_notes(api_as, world: World) -> None:
    number = world.ticket_a.number
    agent, owner = api_as(world.agent), api_as(world.ent_user_1)
    note = agent.post(
        f"/tickets/{number}/comments", {"body": "内部：客户信用良好", "internal": True}
    )
    assert note.status_code == 201, note.get_json()
    assert note.get_json()["internal"] is True
    assert note.get_json()["author"]["role"] == "agent"
    reply = agent.post(f"/tickets/{number}/comments", {"body": "您好，已转交银行"})
    assert reply.status_code == 201

    assert [c["body"] for c in agent.get(f"/tickets/{number}/comments").get_json()["items"]] == [
        "内部：客户信用良好",
        "您好，已转交银行",
    ]
    seen_by_owner = owner.get(f"/tickets/{number}/comments").get_json()["items"]
    assert [c["body"] for c in seen_by_owner] == ["您好，已转交银行"]

    staff_events = agent.get(f"/tickets/{number}/events").get_json()["items"]
    owner_events = owner.get(f"/tickets/{number}/events").get_json()["items"]
    assert [e["kind"] for e in staff_events] == ["created", "assigned", "commented", "commented"]
    assert [e["internal"] for e in staff_events].count(True) == 1
    assert [e["kind"] for e in owner_events] == ["created", "assigned", "commented"]
    assert not any(e["internal"] for e in owner_events)


def test_enterprise_cannot_write_internal_notes(api_as, world: World, session) -> None:
    before = rows(session)
    response = api_as(world.ent_user_1).post(
        f"/tickets/{world.ticket_a.number}/comments", {"body": "hi", "internal": True}
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["field"] == "internal"
    assert rows(session) == before


def test_enterprise_reply_resumes_a_pending_ticket(api_as, world: World) -> None:
    number = world.ticket_a.number
    provider = api_as(world.provider_a)
    for action, body in (("accept", None), ("pend", {"reason": "等待企业补充材料"})):
        assert provider.post(f"/tickets/{number}/{action}", body).status_code == 200
    reply = api_as(world.ent_user_1).post(f"/tickets/{number}/comments", {"body": "材料已上传"})
    assert reply.status_code == 201
    assert provider.get(f"/tickets/{number}").get_json()["status"] == "in_progress"


def test_events_name_the_actor(api_as, world: World, make_user) -> None:
    api = api_as(world.agent)
    events = api.get(f"/tickets/{world.ticket_a.number}/events").get_json()["items"]
    assert events[0]["actor"] == {"id": world.agent.id, "name": world.agent.name, "role": "agent"}
    assert events[1]["data"]["organisation_id"] == world.org_a.id
    assert events[1]["from_status"] == "new" and events[1]["to_status"] == "assigned"
    assert make_user(Role.ADMIN) is not None


def test_each_write_is_committed_at_the_request_boundary(api_as, world: World, session) -> None:
    """Another connection sees the new ticket and its event: the request committed them."""
    from sqlalchemy import text

    from helpdesk.extensions import db

    created = api_as(world.agent).post(
        "/tickets", {"subject": "提交了吗", "category": "info/policy", "district": "330102"}
    )
    assert created.status_code == 201
    with db.engine.connect() as other:
        found = other.execute(
            text(
                "SELECT count(*) FROM ticket JOIN ticket_event"
                " ON ticket_event.ticket_id = ticket.id"
                " WHERE ticket.number = :n"
            ),
            {"n": created.get_json()["number"]},
        ).scalar_one()
    assert found == 1


def test_a_platform_or_a_phone_with_letters_is_refused_by_field(api_as, world: World) -> None:
    """Issue 16 item 6: `finance` is a platform, not a service; 138-ABCD was read as keypad
    digits. Both were stored."""
    api = api_as(world.agent)
    base = {"subject": "咨询", "district": "330109"}
    platform = api.post("/tickets", {**base, "category": "finance"})
    assert platform.status_code == 422 and platform.get_json()["error"]["field"] == "category"
    letters = {**base, "category": "info/policy", "contact_phone": "138-ABCD-5678"}
    phone = api.post("/tickets", letters)
    assert phone.status_code == 422 and phone.get_json()["error"]["field"] == "contact_phone"
