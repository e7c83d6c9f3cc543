"""Reads behind the loop's pages: task lists, the watch list, a provider's trend, export rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from helpdesk import clock
from helpdesk.loop import agents, followups, scorecards
from helpdesk.loop.models import CALLBACK, DONE, OPEN, FollowUp, ProviderWatch
from helpdesk.portal.models import TicketRating
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Ticket, TicketEvent, TicketType
from helpdesk.web.labels import label
from helpdesk.web.punctuation import marks

LIST_LIMIT = 200
TREND_MONTHS = 12


def open_followups(session: Session, kind: str) -> list[FollowUp]:
    """Oldest first: the caller waiting longest is called first."""
    return list(
        session.scalars(
            select(FollowUp)
            .options(joinedload(FollowUp.ticket).joinedload(Ticket.contact))
            .where(FollowUp.kind == kind, FollowUp.state == OPEN)
            .order_by(FollowUp.created_at, FollowUp.id)
            .limit(LIST_LIMIT)
        )
    )


@dataclass
class Answered:
    task: FollowUp
    rating: TicketRating
    may_complain: bool
    complained: bool


def recent_callbacks(session: Session, limit: int = 20) -> list[Answered]:
    """The latest answered call backs, each saying whether a complaint may be filed from it."""
    rows = session.execute(
        select(FollowUp, TicketRating)
        .join(TicketRating, TicketRating.ticket_id == FollowUp.ticket_id)
        .where(FollowUp.kind == CALLBACK, FollowUp.state == DONE)
        .order_by(FollowUp.done_at.desc(), FollowUp.id.desc())
        .limit(limit)
    ).all()
    filed = set(
        session.scalars(
            select(Ticket.related_ticket_id).where(
                Ticket.type == TicketType.COMPLAINT,
                Ticket.related_ticket_id.in_([t.ticket_id for t, _r in rows]),
            )
        )
    )
    return [Answered(t, r, followups.may_complain(r), t.ticket_id in filed) for t, r in rows]


def complaints_awaiting_finding(session: Session) -> list[Ticket]:
    """Complaints about a ticket with no finding yet (成立 or not)."""
    found = (
        select(TicketEvent.id)
        .where(
            TicketEvent.ticket_id == Ticket.id,
            TicketEvent.kind.in_(followups.VERDICTS.values()),
        )
        .exists()
    )
    return list(
        session.scalars(
            select(Ticket)
            .where(
                Ticket.type == TicketType.COMPLAINT,
                Ticket.related_ticket_id.is_not(None),
                ~found,
            )
            .order_by(Ticket.created_at)
            .limit(LIST_LIMIT)
        )
    )


def watches(session: Session) -> list[ProviderWatch]:
    """Watches waiting for a decision, and suspensions in force."""
    return list(
        session.scalars(
            select(ProviderWatch)
            .options(joinedload(ProviderWatch.organisation))
            .where(ProviderWatch.state.in_(("watch", "suspended")))
            .order_by(ProviderWatch.opened_at.desc())
        )
    )


def watch_history(session: Session, organisation_id: int) -> list[ProviderWatch]:
    return list(
        session.scalars(
            select(ProviderWatch)
            .where(ProviderWatch.organisation_id == organisation_id)
            .order_by(ProviderWatch.opened_at.desc())
        )
    )


def _month_starts(today: date, count: int) -> list[date]:
    months, at = [], today.replace(day=1)
    for _n in range(count):
        months.append(at)
        at = (at - timedelta(days=1)).replace(day=1)
    return months[::-1]


def trend(session: Session, organisation_id: int) -> dict[str, list[Any]]:
    """The last twelve months, month by month: tickets, satisfaction, SLA compliance."""
    today = clock.local_today_date()
    out: dict[str, list[Any]] = {"months": [], "received": [], "satisfaction": [], "sla": []}
    for first in _month_starts(today, TREND_MONTHS):
        following = (first + timedelta(days=32)).replace(day=1)
        period = Period(first, min(following - timedelta(days=1), today))
        cards = scorecards.build(session, period, only=organisation_id)
        card = cards[0] if cards else None
        out["months"].append(first.strftime("%Y-%m"))
        out["received"].append(card.received if card else 0)
        out["satisfaction"].append(card.satisfaction if card else None)
        out["sla"].append(card.compliance if card else None)
    return out


def export_header() -> list[str]:
    return [
        _("Rank"),
        _("Organisation"),
        _("Kind"),
        _("Received"),
        _("Accepted"),
        _("Declined"),
        _("Decline reasons"),
        _("First response, median (business hours)"),
        _("First response, 90th percentile (business hours)"),
        _("Resolution, median (business hours)"),
        _("Resolution, 90th percentile (business hours)"),
        _("SLA compliance, in percent"),
        _("Escalated to supervision"),
        _("Ratings"),
        _("Satisfaction (1-5)"),
        _("Upheld complaints"),
        _("Score"),
    ]


def export_row(card: scorecards.Scorecard, rank: int) -> list[Any]:
    shown = marks()
    declined = sorted(card.decline_reasons.items())
    reasons = shown.semicolon.join(f"{r}{shown.paren(n)}" for r, n in declined)
    return [
        rank,
        card.name,
        label("org_kind", card.kind),
        card.received,
        card.accepted,
        card.declined,
        reasons,
        card.response_median,
        card.response_p90,
        card.resolution_median,
        card.resolution_p90,
        card.compliance,
        card.escalated,
        card.ratings,
        card.satisfaction,
        card.complaints_upheld,
        card.score,
    ]


def agent_header() -> list[str]:
    return [
        _("Agent or team"),
        _("Team"),
        _("Calls answered"),
        _("Abandoned while ringing"),
        _("Average handling time (seconds)"),
        _("Average after-call work (seconds)"),
        _("Chats"),
        _("Tickets created"),
        _("First-contact resolution, in percent"),
        _("Ratings"),
        _("Satisfaction (1-5)"),
    ]


def agent_row(card: agents.AgentCard) -> list[Any]:
    """A team's row names the team in both columns."""
    return [
        card.name,
        card.team,
        card.answered,
        card.abandoned_ringing,
        card.handling_seconds,
        card.wrap_up_average,
        card.chats,
        card.created,
        card.fcr,
        card.ratings,
        card.satisfaction,
    ]
