"""The tickets service: lifecycle with its events, permissions, decline, transfer, merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind, OrgStatus
from helpdesk.errors import Forbidden, InvalidInput, NotFound
from helpdesk.tickets import service
from helpdesk.tickets.models import Comment, Status, Ticket, TicketEvent
from helpdesk.tickets.states import TransitionError


def events(session, ticket):  # type: ignore[no-untyped-def]
    rows = session.scalars(
        select(TicketEvent).where(TicketEvent.ticket_id == ticket.id).order_by(TicketEvent.id)
    )
    return [(e.kind, e.from_status, e.to_status) for e in rows]


@pytest.fixture
def world(make_org, make_user, make_enterprise):  # type: ignore[no-untyped-def]
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    bank = make_org(slug="bank")
    lawyers = make_org(slug="lawyers", categories=("manage",))
    return {
        "centre": centre,
        "bank": bank,
        "lawyers": lawyers,
        "agent": make_user(Role.AGENT, centre),
        "supervisor": make_user(Role.SUPERVISOR, centre),
        "banker": make_user(Role.PROVIDER, bank),
        "lawyer": make_user(Role.PROVIDER, lawyers),
        "enterprise": make_enterprise(),
    }


def test_full_lifecycle_records_one_event_per_change_with_timestamps(session, world, make_ticket):
    clock.freeze(datetime(2026, 11, 26, 1, 30, tzinfo=UTC))
    agent, banker = world["agent"], world["banker"]
    ticket = make_ticket(agent, organisation_id=world["bank"].id)
    assert ticket.number == "HZ-20261126-00001"
    clock.advance(timedelta(minutes=5))
    service.accept(session, banker, ticket)
    assert ticket.first_response_at == clock.now()
    assert ticket.assignee_id == banker.id
    service.start(session, banker, ticket)
    service.pend(session, banker, ticket, "请补充营业执照")
    service.resume(session, banker, ticket)
    clock.advance(timedelta(hours=2))
    service.resolve(session, banker, ticket, "已放款")
    assert ticket.resolved_at == clock.now()
    service.close(session, agent, ticket)
    session.commit()
    assert ticket.status is Status.CLOSED and not ticket.is_open
    assert ticket.closed_at is not None
    assert events(session, ticket) == [
        ("created", None, "new"),
        ("assigned", "new", "assigned"),
        ("accepted", "assigned", "accepted"),
        ("started", "accepted", "in_progress"),
        ("pended", "in_progress", "pending"),
        ("resumed", "pending", "in_progress"),
        ("resolved", "in_progress", "resolved"),
        ("closed", "resolved", "closed"),
    ]
    assert ticket.version == 8


def test_reopen_clears_resolution_and_keeps_the_assignee(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank"].id)
    service.accept(session, world["banker"], ticket)
    service.resolve(session, world["banker"], ticket, "done")
    service.reopen(session, world["agent"], ticket, "企业反映问题仍未解决")
    assert ticket.status is Status.IN_PROGRESS and ticket.resolved_at is None
    assert ticket.assigned_org_id == world["bank"].id


def test_forbidden_action_changes_nothing_and_names_allowed_actions(session, world, make_ticket):
    ticket = make_ticket(world["agent"])
    with pytest.raises(TransitionError) as caught:
        service.resolve(session, world["agent"], ticket, "too early")
    session.rollback()
    assert "new" in caught.value.message and "assign" in caught.value.message
    session.refresh(ticket)
    assert ticket.status is Status.NEW
    assert [e[0] for e in events(session, ticket)] == ["created"]


def test_decline_returns_to_routing_and_excludes_the_provider(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank"].id)
    service.decline(session, world["banker"], ticket, "不在我行业务范围")
    session.commit()
    assert ticket.status is Status.NEW and ticket.assigned_org_id is None
    assert service.declined_by(session, ticket) == {world["bank"].id}
    with pytest.raises(InvalidInput) as caught:
        service.transfer(session, world["agent"], ticket, world["bank"].id, None, "再试一次")
    assert caught.value.field == "organisation_id"


def test_decline_needs_a_reason_and_a_provider(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank"].id)
    with pytest.raises(InvalidInput) as caught:
        service.decline(session, world["banker"], ticket, "  ")
    assert caught.value.field == "reason"
    with pytest.raises(Forbidden):
        service.decline(session, world["agent"], ticket, "agents transfer instead")


def test_transfer_moves_the_ticket_with_a_reason(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank"].id)
    service.accept(session, world["banker"], ticket)
    service.transfer(
        session, world["agent"], ticket, world["lawyers"].id, world["lawyer"].id, "法律问题"
    )
    session.commit()
    assert ticket.status is Status.ASSIGNED
    assert (ticket.assigned_org_id, ticket.assignee_id) == (world["lawyers"].id, world["lawyer"].id)
    last = session.scalars(select(TicketEvent).order_by(TicketEvent.id.desc())).first()
    assert last.data["from"]["organisation_id"] == world["bank"].id
    assert last.data["reason"] == "法律问题"


def test_transfer_refuses_a_suspended_organisation_or_a_stranger(session, world, make_ticket):
    ticket = make_ticket(world["agent"])
    world["lawyers"].status = OrgStatus.SUSPENDED
    session.commit()
    with pytest.raises(InvalidInput, match="suspended"):
        service.transfer(session, world["agent"], ticket, world["lawyers"].id, None, "x")
    with pytest.raises(InvalidInput) as caught:
        service.transfer(session, world["agent"], ticket, world["bank"].id, world["lawyer"].id, "x")
    assert caught.value.field == "assignee_id"


def test_only_supervisors_cancel_and_only_for_duplicates_or_spam(session, world, make_ticket):
    ticket = make_ticket(world["agent"])
    with pytest.raises(Forbidden):
        service.cancel(session, world["agent"], ticket, "spam")
    with pytest.raises(InvalidInput):
        service.cancel(session, world["supervisor"], ticket, "bored")
    service.cancel(session, world["supervisor"], ticket, "spam")
    assert ticket.status is Status.CANCELLED and not ticket.is_open


def test_merge_links_both_tickets(session, world, make_ticket):
    original = make_ticket(world["agent"])
    duplicate = make_ticket(world["agent"])
    with pytest.raises(InvalidInput):
        service.merge(session, world["supervisor"], duplicate, duplicate.number)
    service.merge(session, world["supervisor"], duplicate, original.number)
    session.commit()
    assert duplicate.status is Status.MERGED and duplicate.merged_into_id == original.id
    assert events(session, original)[-1][0] == "merged_from"
    third = make_ticket(world["agent"])
    with pytest.raises(InvalidInput, match="open ticket"):
        service.merge(session, world["supervisor"], third, duplicate.number)


def test_provider_cannot_touch_another_providers_ticket(session, world, make_ticket):
    ticket = make_ticket(world["agent"], organisation_id=world["bank"].id)
    with pytest.raises(NotFound):
        service.accept(session, world["lawyer"], ticket)
    with pytest.raises(NotFound):
        service.get_by_number(session, ticket.number, world["lawyer"])


def test_enterprise_reply_resumes_a_pending_ticket_and_cannot_write_notes(
    session, world, make_ticket, make_user
):
    owner = make_user(Role.ENTERPRISE, enterprise_id=world["enterprise"].id)
    ticket = make_ticket(owner, organisation_id=None)
    assert ticket.enterprise_id == world["enterprise"].id
    service.assign(session, world["agent"], ticket, world["bank"].id)
    service.accept(session, world["banker"], ticket)
    service.pend(session, world["banker"], ticket, "请提供流水")
    with pytest.raises(InvalidInput):
        service.comment(session, owner, ticket, "secret", internal=True)
    service.comment(session, owner, ticket, "流水已上传")
    session.commit()
    assert ticket.status is Status.IN_PROGRESS
    assert session.scalar(select(func.count(Comment.id))) == 1


def test_enterprise_files_only_for_itself(session, world, make_enterprise, make_user, make_ticket):
    other = make_enterprise()
    owner = make_user(Role.ENTERPRISE, enterprise_id=world["enterprise"].id)
    ticket = make_ticket(owner, enterprise_id=other.id)
    assert ticket.enterprise_id == world["enterprise"].id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "finance/nonsense"}, "category"),
        ({"district": "330199"}, "district"),
        ({"subject": "长" * 201}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"contact_phone": "010-12345"}, "contact_phone"),
        ({"contact_phone": "not a phone"}, "contact_phone"),
        ({"district": None}, "district"),
        ({"enterprise_id": 999999}, "enterprise_id"),
    ],
)
def test_invalid_input_names_the_field_and_writes_nothing(session, world, fields, field):
    data = {"subject": "咨询", "category": "finance/guarantee", "district": "330109", **fields}
    with pytest.raises(InvalidInput) as caught:
        service.create(session, world["agent"], service.NewTicket(**data))
    session.rollback()
    assert caught.value.field == field
    assert session.scalar(select(func.count(Ticket.id))) == 0


def test_district_defaults_to_the_enterprises(session, world, make_ticket):
    ticket = make_ticket(world["agent"], district=None, enterprise_id=world["enterprise"].id)
    assert ticket.district_code == world["enterprise"].district_code


def test_caller_phone_is_stored_in_e164_and_matches_a_known_contact(session, world, make_ticket):
    known = world["enterprise"].contacts[0]
    national = known.phone.removeprefix("+86")
    ticket = make_ticket(
        world["agent"], contact_phone=f"{national[:3]} {national[3:7]} {national[7:]}"
    )
    assert ticket.contact_id == known.id
    fresh = make_ticket(world["agent"], contact_phone="0571-87001234", contact_name="王先生")
    assert fresh.contact.phone == "+8657187001234"


def test_a_number_typed_again_gets_the_same_answer(session, world, make_ticket):
    """The caller's number normalised once is kept (validation.normalise_phone): the same
    number typed again matches the same contact, and a refused one is refused again alike."""
    first = make_ticket(world["agent"], contact_phone="0571-87001234", contact_name="王先生")
    again = make_ticket(world["agent"], contact_phone="0571 8700 1234", contact_name="王先生")
    assert again.contact_id == first.contact_id
    assert again.contact.phone == "+8657187001234"
    refusals = []
    for _ in range(2):
        data = service.NewTicket(
            subject="咨询",
            category="finance/guarantee",
            district="330109",
            contact_phone="010-12345",
        )
        with pytest.raises(InvalidInput) as caught:
            service.create(session, world["agent"], data)
        refusals.append((caught.value.field, caught.value.message))
    assert refusals == [("contact_phone", "'010-12345' is not a valid phone number")] * 2


def test_numbers_restart_each_hangzhou_day(session, world, make_ticket):
    clock.freeze(datetime(2026, 11, 26, 15, 59, tzinfo=UTC))  # 23:59 in Hangzhou
    assert make_ticket(world["agent"]).number == "HZ-20261126-00001"
    assert make_ticket(world["agent"]).number == "HZ-20261126-00002"
    clock.advance(timedelta(minutes=2))
    assert make_ticket(world["agent"]).number == "HZ-20261127-00001"
