"""回访: calling phone and walk-in callers back after their ticket is resolved, the supervisor's
follow-up of a 不满意, complaints filed from a call back, and the auto-close of resolved tickets.

Follow-up rows are this package's; every step is also a ticket event, written by the tickets
service (`tickets.service.note`, `rate_by_callback`, `close`, `create`), so the traceability
chain has all of it. The caller commits once.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.validation import check_length
from helpdesk.errors import Forbidden, InvalidInput
from helpdesk.loop.config import LoopConfig
from helpdesk.loop.models import CALLBACK, DONE, OPEN, SUPERVISOR, UNREACHABLE, FollowUp
from helpdesk.loop.words import say as _
from helpdesk.portal.models import TicketRating
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Channel, Status, Ticket, TicketEvent, TicketType

# The three answers of a call back and the 1-5 score each is stored as (the portal's scale):
# evenly spread, so 基本满意 sits in the middle and averages mean the same across channels.
OUTCOMES = {"satisfied": 5, "basic": 3, "dissatisfied": 1}
CALLBACK_CHANNELS = frozenset({Channel.PHONE, Channel.WALK_IN})
COMPLAINT_BAR = 2  # a rating at or below this, with a comment, offers a complaint
NOTE_LIMIT = 1000
VERDICTS = {True: "complaint_upheld", False: "complaint_rejected"}


def on_resolved(session: Session, ticket: Ticket) -> FollowUp | None:
    """Called by tickets.service.resolve: a phone or walk-in ticket with no rating yet gets a
    call-back task (once; a ticket resolved again after a reopen keeps its task)."""
    if ticket.channel not in CALLBACK_CHANNELS:
        return None
    rated = session.scalars(select(TicketRating.id).where(TicketRating.ticket_id == ticket.id))
    known = session.scalars(
        select(FollowUp).where(FollowUp.ticket_id == ticket.id, FollowUp.kind == CALLBACK)
    ).first()
    if rated.first() is not None or known is not None:
        return None
    task = FollowUp(ticket_id=ticket.id, kind=CALLBACK, state=OPEN, created_at=clock.now())
    session.add(task)
    return task


def _staff(actor: User) -> None:
    if not actor.is_staff:
        raise Forbidden(_("Only the centre's staff do call backs."), field="outcome")


def _open(task: FollowUp) -> None:
    if task.state != OPEN:
        raise InvalidInput(_("This follow-up is already finished."), field="outcome")


def _note(text: str | None) -> str:
    return check_length(text, NOTE_LIMIT, "comment") or ""


def record_answer(
    session: Session, actor: User, task: FollowUp, outcome: str | None, comment: str | None
) -> FollowUp:
    """The caller answered: their 满意/基本满意/不满意 becomes the ticket's rating. A 不满意
    opens the supervisor's follow-up."""
    _staff(actor)
    _open(task)
    if task.kind != CALLBACK:
        raise InvalidInput(_("This follow-up is not a call back."), field="outcome")
    if outcome not in OUTCOMES:
        raise InvalidInput(_("Choose what the caller said."), field="outcome")
    text = _note(comment)
    ticket = task.ticket
    tickets.rate_by_callback(session, actor, ticket, OUTCOMES[outcome], text, outcome)
    task.state, task.note = DONE, text
    task.tries += 1
    task.done_at, task.done_by_id = clock.now(), actor.id
    if outcome == "dissatisfied":
        open_supervisor_task(session, actor, ticket, text)
    return task


def open_supervisor_task(
    session: Session, actor: User | None, ticket: Ticket, why: str
) -> FollowUp | None:
    known = session.scalars(
        select(FollowUp).where(FollowUp.ticket_id == ticket.id, FollowUp.kind == SUPERVISOR)
    ).first()
    if known is not None:
        return None
    task = FollowUp(ticket_id=ticket.id, kind=SUPERVISOR, state=OPEN, note=why)
    session.add(task)
    tickets.note(session, actor, ticket, "supervisor_followup_opened", {"comment": why})
    return task


def record_no_answer(
    session: Session, actor: User, task: FollowUp, comment: str | None, config: LoopConfig
) -> FollowUp:
    """One more call nobody answered; the last allowed try ends the task as unreachable."""
    _staff(actor)
    _open(task)
    text = _note(comment)
    task.tries += 1
    task.note = text
    data = {"try": task.tries, "of": config.callback_tries, "comment": text}
    tickets.note(session, actor, task.ticket, "callback_attempted", data)
    if task.tries >= config.callback_tries:
        task.state = UNREACHABLE
        task.done_at, task.done_by_id = clock.now(), actor.id
        tickets.note(session, actor, task.ticket, "callback_unreachable", {"tries": task.tries})
    return task


def finish_supervisor_task(
    session: Session, actor: User, task: FollowUp, comment: str | None
) -> FollowUp:
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden(_("Only supervisors finish this follow-up."), field="comment")
    _open(task)
    text = check_length(comment, NOTE_LIMIT, "comment", required=True)
    task.state, task.note = DONE, text
    task.done_at, task.done_by_id = clock.now(), actor.id
    tickets.note(session, actor, task.ticket, "supervisor_followup_done", {"comment": text})
    return task


def may_complain(rating: TicketRating | None) -> bool:
    """A low rating that says something: the agent is offered to file it as a complaint."""
    return rating is not None and rating.score <= COMPLAINT_BAR and bool(rating.comment.strip())


def file_complaint(session: Session, actor: User, ticket: Ticket, text: str | None) -> Ticket:
    """A complaint ticket about `ticket`, from what the caller said on the call back."""
    _staff(actor)
    description = check_length(text, tickets.DESCRIPTION_LIMIT, "description", required=True)
    contact = ticket.contact
    data = tickets.NewTicket(
        subject=f"关于工单 {ticket.number} 的投诉",  # the record's words, not the page's
        category="complaint/service",
        type=TicketType.COMPLAINT,
        channel=ticket.channel,
        district=ticket.district_code,
        description=description,
        enterprise_id=ticket.enterprise_id,
        contact_name=contact.name if contact else None,
        contact_phone=contact.phone if contact else None,
        related_ticket=ticket.number,
    )
    complaint = tickets.create(session, actor, data)
    tickets.note(session, actor, ticket, "complaint_filed", {"complaint": complaint.number})
    return complaint


def verdict_of(session: Session, complaint: Ticket) -> bool | None:
    kinds = session.scalars(
        select(TicketEvent.kind).where(
            TicketEvent.ticket_id == complaint.id, TicketEvent.kind.in_(VERDICTS.values())
        )
    ).first()
    return None if kinds is None else kinds == VERDICTS[True]


def record_verdict(
    session: Session, actor: User, complaint: Ticket, upheld: bool, reason: str | None
) -> None:
    """A supervisor's finding on a complaint (成立 or not): counted against the provider that
    held the ticket complained about. Given once."""
    if actor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden(_("Only supervisors decide on complaints."), field="upheld")
    if complaint.type is not TicketType.COMPLAINT or complaint.related_ticket_id is None:
        raise InvalidInput(_("Only a complaint about a ticket has a finding."), field="upheld")
    if verdict_of(session, complaint) is not None:
        raise InvalidInput(_("This complaint already has a finding."), field="upheld")
    text = check_length(reason, NOTE_LIMIT, "reason", required=True)
    related = session.get(Ticket, complaint.related_ticket_id)
    org = related.assigned_org_id if related else None
    data = {"reason": text, "organisation_id": org}
    tickets.note(session, actor, complaint, VERDICTS[upheld], data)


def auto_close(session: Session, config: LoopConfig, limit: int = 200) -> list[str]:
    """Close resolved tickets nobody rated within `auto_close_days` (a batch); their numbers.
    A rated one is left for its owner to close: the enterprise has spoken."""
    cutoff = clock.now() - timedelta(days=config.auto_close_days)
    rated = exists().where(TicketRating.ticket_id == Ticket.id)
    due = session.scalars(
        select(Ticket)
        .where(Ticket.status == Status.RESOLVED, Ticket.resolved_at <= cutoff, ~rated)
        .order_by(Ticket.id)
        .limit(limit)
    ).all()
    for ticket in due:
        tickets.close(session, None, ticket, {"auto": True, "days": config.auto_close_days})
    return [t.number for t in due]
