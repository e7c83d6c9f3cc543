"""The monthly report (issue 14 item 6) the centre sends upward, read only: enterprises served,
volumes by channel, platform and district (the dashboard's panels, helpdesk.stats), first
response and resolution times and SLA compliance over every ticket of the month (business
time, as the scorecards count them), satisfaction, the provider ranking (the scorecards) and
the month's complaints."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from helpdesk import clock
from helpdesk.directory.models import Organisation
from helpdesk.errors import InvalidInput
from helpdesk.loop import scorecards
from helpdesk.loop.followups import VERDICTS
from helpdesk.portal.models import TicketRating
from helpdesk.sla.models import TicketSla
from helpdesk.sla.service import calendar_named
from helpdesk.stats import panels, queries
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Ticket, TicketEvent, TicketType

RANKED = 10
VOLUMES = ("channel", "platform", "district")  # the dashboard's panels the report shows
COMPLAINTS = 10


@dataclass
class Complaint:
    number: str
    subject: str
    about: str  # the provider the complained-about ticket is held by
    upheld: bool | None  # None: no finding yet


@dataclass
class Report:
    month: date
    period: Period
    enterprises: int = 0
    tickets: int = 0
    panels: list[panels.Panel] = field(default_factory=list)
    overall: scorecards.Scorecard = field(
        default_factory=lambda: scorecards.Scorecard(0, "", "centre")
    )
    ranking: list[scorecards.Scorecard] = field(default_factory=list)
    complaints: list[Complaint] = field(default_factory=list)
    complaint_count: int = 0


def parse_month(text: str | None) -> date:
    """`2026-11` → its first day; this month by default. Refuses a future month."""
    today = clock.local_today_date()
    if not text:
        return today.replace(day=1)
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise InvalidInput(_("Give a month such as 2026-11."), field="month")
    month = date(int(match.group(1)), int(match.group(2)), 1)
    if month > today:
        raise InvalidInput(_("This month has not begun yet: no report for it."), field="month")
    if month.year < 2000:
        raise InvalidInput(_("Give a month such as 2026-11."), field="month")
    return month


def _period(month: date) -> Period:
    following = (month + timedelta(days=32)).replace(day=1)
    return Period(month, min(following - timedelta(days=1), clock.local_today_date()))


def build(session: Session, month: date) -> Report:
    period = _period(month)
    filters = queries.StatsFilter(period)
    served = queries.total(session, filters)
    report = Report(month, period, served.enterprises, served.tickets)
    report.panels = [panels.build(session, filters, name) for name in VOLUMES]
    report.overall = _overall(session, period)
    report.ranking = [c for c in scorecards.build(session, period) if c.received][:RANKED]
    report.complaints, report.complaint_count = _complaints(session, period)
    return report


def _overall(session: Session, period: Period) -> scorecards.Scorecard:
    """Every ticket of the month as one card, counted the way the scorecards count."""
    card = scorecards.Scorecard(0, _("The whole centre"), "centre")
    now = clock.now()
    rows = session.execute(
        select(
            Ticket.created_at, Ticket.first_response_at, Ticket.resolved_at, TicketSla.calendar,
            TicketSla.paused_seconds, TicketSla.first_response_due, TicketSla.resolution_due,
            TicketSla.overdue_since, TicketRating.score,
        )
        .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
        .outerjoin(TicketRating, TicketRating.ticket_id == Ticket.id)
        .where(Ticket.created_at >= period.start, Ticket.created_at < period.end)
    )  # fmt: skip
    times: dict[str, list[float]] = defaultdict(list)
    scores: list[int] = []
    for created, responded, resolved, cal, paused, fr_due, res_due, overdue, score in rows:
        card.received += 1
        calendar = calendar_named(cal or "business")
        if responded is not None:
            card.accepted += 1
            times["response"].append(scorecards.in_hours(calendar.between(created, responded)))
        if resolved is not None:
            spent = calendar.between(created, resolved) - timedelta(seconds=paused or 0)
            times["resolution"].append(scorecards.in_hours(max(spent, timedelta(0))))
        if resolved is not None or (res_due is not None and res_due < now):
            card.sla_judged += 1
            card.sla_met += scorecards.met_sla(responded, resolved, fr_due, res_due)
        card.escalated += overdue is not None
        if score is not None:
            scores.append(score)
    card.response_median = scorecards.median(times["response"])
    card.response_p90 = scorecards.nearest_rank(times["response"], 0.9)
    card.resolution_median = scorecards.median(times["resolution"])
    card.resolution_p90 = scorecards.nearest_rank(times["resolution"], 0.9)
    card.ratings = len(scores)
    card.satisfaction = round(sum(scores) / len(scores), 2) if scores else None
    return card


def _complaints(session: Session, period: Period) -> tuple[list[Complaint], int]:
    """The month's complaints, upheld ones first, then those still without a finding."""
    about = aliased(Ticket)
    rows = session.execute(
        select(Ticket.id, Ticket.number, Ticket.subject, Organisation.name)
        .outerjoin(about, about.id == Ticket.related_ticket_id)
        .outerjoin(Organisation, Organisation.id == about.assigned_org_id)
        .where(
            Ticket.type == TicketType.COMPLAINT,
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end,
        )
        .order_by(Ticket.id)
    ).all()
    verdicts: dict[int, bool] = {}
    if rows:
        found = session.execute(
            select(TicketEvent.ticket_id, TicketEvent.kind)
            .where(
                TicketEvent.ticket_id.in_([r.id for r in rows]),
                TicketEvent.kind.in_(tuple(VERDICTS.values())),
            )
            .order_by(TicketEvent.id)
        )
        for ticket_id, kind in found:
            verdicts[ticket_id] = kind == VERDICTS[True]
    listed = [Complaint(r.number, r.subject, r.name or "", verdicts.get(r.id)) for r in rows]
    order = {True: 0, None: 1, False: 2}
    listed.sort(key=lambda c: order[c.upheld])
    return listed[:COMPLAINTS], len(listed)
