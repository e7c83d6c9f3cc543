"""Provider and workstation scorecards (考核考评) for a period, read only.

The tickets a period covers are those created in it (a cohort), held by the organisation now:

- received: those tickets, plus those it declined in the period (a decline hands it on);
- accepted: held tickets it answered (first response given);
- first response and resolution times: business time (the ticket's SLA calendar, holidays
  and lunch excluded) from creation to first response, and to resolution less the time the
  ticket waited on the enterprise; median and 90th percentile by nearest rank;
- SLA compliance: among resolved tickets, and open ones already past their resolution due
  time, the share that met both the first-response and the resolution due time;
- 督办: tickets that reached the ladder's overdue step;
- satisfaction: average rating (1-5; a call back's 满意/基本满意/不满意 is 5/3/1) and count;
- complaints upheld: complaints created in the period about its tickets, found 成立.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from helpdesk import clock
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.loop.followups import VERDICTS
from helpdesk.portal.models import TicketRating
from helpdesk.sla.models import TicketSla
from helpdesk.sla.service import calendar_named
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Ticket, TicketDecline, TicketEvent, TicketType

SCORED_KINDS = (OrgKind.PROVIDER, OrgKind.WORKSTATION, OrgKind.CONTACT_POINT)


@dataclass
class Scorecard:
    organisation_id: int
    name: str
    kind: str
    received: int = 0
    accepted: int = 0
    declined: int = 0
    decline_reasons: dict[str, int] = field(default_factory=dict)
    response_median: float | None = None  # business hours
    response_p90: float | None = None
    resolution_median: float | None = None
    resolution_p90: float | None = None
    sla_judged: int = 0
    sla_met: int = 0
    escalated: int = 0  # 督办
    ratings: int = 0
    satisfaction: float | None = None  # average score, 1-5
    complaints_upheld: int = 0

    @property
    def compliance(self) -> float | None:
        """Percent of judged tickets that met their SLA, or None with nothing to judge."""
        return round(100 * self.sla_met / self.sla_judged, 1) if self.sla_judged else None

    @property
    def score(self) -> float:
        """The ranking's score (优秀服务机构), 0-100: satisfaction counts 60 % (an average of
        5 is 60), SLA compliance 40 %, minus 5 per upheld complaint. Nothing known counts
        as neither good nor bad (half marks)."""
        sat = (self.satisfaction - 1) / 4 if self.satisfaction is not None else 0.5
        sla = self.compliance / 100 if self.compliance is not None else 0.5
        return round(max(0.0, 60 * sat + 40 * sla - 5 * self.complaints_upheld), 1)


def median(values: list[float]) -> float | None:
    if not values:
        return None
    ordered, n = sorted(values), len(values)
    middle = n // 2
    return ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2


def nearest_rank(values: list[float], share: float) -> float | None:
    """The value below which `share` of them lie: the ceil(share * n)-th smallest."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(1, math.ceil(share * len(ordered))) - 1]


def in_hours(delta: timedelta) -> float:
    return round(delta.total_seconds() / 3600, 2)


def organisations(session: Session, only: int | None = None) -> list[Organisation]:
    stmt = select(Organisation).where(Organisation.kind.in_(SCORED_KINDS))
    if only is not None:
        stmt = stmt.where(Organisation.id == only)
    return list(session.scalars(stmt.order_by(Organisation.name)))


def build(session: Session, period: Period, only: int | None = None) -> list[Scorecard]:
    """One scorecard per provider, workstation and contact point (or just `only`)."""
    cards = {o.id: Scorecard(o.id, o.name, o.kind.value) for o in organisations(session, only)}
    if not cards:
        return []
    ids = list(cards)
    now = clock.now()
    rows = session.execute(
        select(
            Ticket.assigned_org_id,
            Ticket.created_at,
            Ticket.first_response_at,
            Ticket.resolved_at,
            TicketSla.calendar,
            TicketSla.paused_seconds,
            TicketSla.first_response_due,
            TicketSla.resolution_due,
            TicketSla.overdue_since,
            TicketRating.score,
        )
        .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
        .outerjoin(TicketRating, TicketRating.ticket_id == Ticket.id)
        .where(
            Ticket.assigned_org_id.in_(ids),
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end,
        )
    )
    responses: dict[int, list[float]] = defaultdict(list)
    resolutions: dict[int, list[float]] = defaultdict(list)
    scores: dict[int, list[int]] = defaultdict(list)
    for held, created, responded, resolved, cal, paused, fr_due, res_due, overdue, score in rows:
        if held is None:  # never: the query asks for these organisations
            continue
        org = held
        card = cards[org]
        card.received += 1
        calendar = calendar_named(cal or "business")
        if responded is not None:
            card.accepted += 1
            responses[org].append(in_hours(calendar.between(created, responded)))
        if resolved is not None:
            spent = calendar.between(created, resolved) - timedelta(seconds=paused or 0)
            resolutions[org].append(in_hours(max(spent, timedelta(0))))
        if resolved is not None or (res_due is not None and res_due < now):
            card.sla_judged += 1
            card.sla_met += met_sla(responded, resolved, fr_due, res_due)
        if overdue is not None:
            card.escalated += 1
        if score is not None:
            scores[org].append(score)
    for org, card in cards.items():
        card.response_median = median(responses[org])
        card.response_p90 = nearest_rank(responses[org], 0.9)
        card.resolution_median = median(resolutions[org])
        card.resolution_p90 = nearest_rank(resolutions[org], 0.9)
        card.ratings = len(scores[org])
        if scores[org]:
            card.satisfaction = round(sum(scores[org]) / len(scores[org]), 2)
    _declines(session, period, cards)
    _upheld(session, period, cards)
    # those with no ticket in the period last: nothing to rank them by
    return sorted(cards.values(), key=lambda c: (c.received == 0, -c.score, c.name))


def met_sla(
    responded: datetime | None,
    resolved: datetime | None,
    fr_due: datetime | None,
    res_due: datetime | None,
) -> int:
    if resolved is None:
        return 0  # still open past its resolution due time
    first_ok = fr_due is None or (responded is not None and responded <= fr_due)
    return int(first_ok and (res_due is None or resolved <= res_due))


def _declines(session: Session, period: Period, cards: dict[int, Scorecard]) -> None:
    rows = session.execute(
        select(TicketDecline.organisation_id, TicketDecline.reason, func.count())
        .where(
            TicketDecline.organisation_id.in_(list(cards)),
            TicketDecline.at >= period.start,
            TicketDecline.at < period.end,
        )
        .group_by(TicketDecline.organisation_id, TicketDecline.reason)
    )
    for org, reason, count in rows:
        card = cards[org]
        card.declined += count
        card.received += count
        card.decline_reasons[reason] = card.decline_reasons.get(reason, 0) + count


def _upheld(session: Session, period: Period, cards: dict[int, Scorecard]) -> None:
    about = aliased(Ticket)
    upheld = (
        select(TicketEvent.id)
        .where(TicketEvent.ticket_id == Ticket.id, TicketEvent.kind == VERDICTS[True])
        .exists()
    )
    rows = session.execute(
        select(about.assigned_org_id, func.count())
        .select_from(Ticket)
        .join(about, about.id == Ticket.related_ticket_id)
        .where(
            Ticket.type == TicketType.COMPLAINT,
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end,
            about.assigned_org_id.in_(list(cards)),
            upheld,
        )
        .group_by(about.assigned_org_id)
    )
    for org, count in rows:
        if org is not None:
            cards[org].complaints_upheld = count
