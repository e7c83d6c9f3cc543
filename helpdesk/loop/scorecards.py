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
- complaints upheld: complaints created in the period about its tickets, found 成立;
- 回访: call backs answered and unreachable, among those tickets.

Whole closed months come from `stats_org_month` (rolled by the statistics maintenance run,
helpdesk/stats/months.py), the other days from the tickets through the same `tally`.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, aliased

from helpdesk import clock
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.loop.followups import VERDICTS
from helpdesk.loop.models import CALLBACK, DONE, UNREACHABLE, FollowUp
from helpdesk.portal.models import TicketRating
from helpdesk.sla.models import TicketSla
from helpdesk.sla.service import calendar_named
from helpdesk.stats.models import StatsOrgDay, StatsOrgMonth, _OrgSums
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
    callbacks_done: int = 0  # 回访 answered
    callbacks_unreachable: int = 0

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


@dataclass
class Tally:
    """What one organisation's tickets add up to; months' tallies merge exactly (the times
    are kept as histograms of hundredths of an hour, so medians come out as from a list)."""

    received: int = 0
    accepted: int = 0
    sla_judged: int = 0  # resolved tickets
    sla_met: int = 0
    escalated: int = 0
    ratings: int = 0
    rating_sum: int = 0
    callbacks_done: int = 0
    callbacks_unreachable: int = 0
    response: Counter[int] = field(default_factory=Counter)
    resolution: Counter[int] = field(default_factory=Counter)
    open_due: list[int] = field(default_factory=list)  # µs since the epoch

    def add(self, other: Tally) -> None:
        for name in SUMS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.response.update(other.response)
        self.resolution.update(other.resolution)
        self.open_due.extend(other.open_due)


SUMS = (
    "received",
    "accepted",
    "sla_judged",
    "sla_met",
    "escalated",
    "ratings",
    "rating_sum",
    "callbacks_done",
    "callbacks_unreachable",
)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def micros(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def hundredths(delta: timedelta) -> int:
    return round(in_hours(delta) * 100)


def tally(
    session: Session, start: datetime, end: datetime, ids: list[int] | None
) -> dict[int, Tally]:
    """The tickets created in start..end held by these organisations (None: by any), one
    pass in Python (business time needs each ticket's calendar)."""
    held = (
        Ticket.assigned_org_id.in_(ids) if ids is not None else Ticket.assigned_org_id.is_not(None)
    )
    callbacks = (
        select(FollowUp.ticket_id, FollowUp.state)
        .where(FollowUp.kind == CALLBACK, FollowUp.state.in_([DONE, UNREACHABLE]))
        .subquery()
    )
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
            callbacks.c.state,
        )
        .outerjoin(TicketSla, TicketSla.ticket_id == Ticket.id)
        .outerjoin(TicketRating, TicketRating.ticket_id == Ticket.id)
        .outerjoin(callbacks, callbacks.c.ticket_id == Ticket.id)
        .where(held, Ticket.created_at >= start, Ticket.created_at < end)
    )
    out: dict[int, Tally] = defaultdict(Tally)
    for org, created, responded, resolved, cal, paused, fr_due, res_due, overdue, score, cb in rows:
        if org is None:  # never: the query asks for held tickets
            continue
        t = out[org]
        t.received += 1
        calendar = calendar_named(cal or "business")
        if responded is not None:
            t.accepted += 1
            t.response[hundredths(calendar.between(created, responded))] += 1
        if resolved is not None:
            spent = calendar.between(created, resolved) - timedelta(seconds=paused or 0)
            t.resolution[hundredths(max(spent, timedelta(0)))] += 1
            t.sla_judged += 1
            t.sla_met += met_sla(responded, resolved, fr_due, res_due)
        elif res_due is not None:
            t.open_due.append(micros(res_due))  # judged (and missed) once past due
        if overdue is not None:
            t.escalated += 1
        if score is not None:
            t.ratings += 1
            t.rating_sum += score
        if cb == DONE:
            t.callbacks_done += 1
        elif cb == UNREACHABLE:
            t.callbacks_unreachable += 1
    return out


def roll_month(session: Session, first: date) -> None:
    """Replace one closed month's stats_org_month rows (helpdesk/stats/months.py calls it
    from the worker's maintenance run; the caller commits)."""
    from helpdesk.stats.months import month_last

    session.execute(delete(StatsOrgMonth).where(StatsOrgMonth.month == first.strftime("%Y-%m")))
    _store(session, first, month_last(first), lambda: StatsOrgMonth(month=first.strftime("%Y-%m")))


def roll_day(session: Session, day: date) -> None:
    """Replace one day's stats_org_day rows (helpdesk/stats/rollup.py's roll_day calls it with
    the day's stats_day rows; the caller commits)."""
    session.execute(delete(StatsOrgDay).where(StatsOrgDay.day == day.isoformat()))
    _store(session, day, day, lambda: StatsOrgDay(day=day.isoformat()))


def _store(session: Session, first: date, last: date, new: Callable[[], _OrgSums]) -> None:
    start = clock.local_day_start(first)
    end = clock.local_day_start(last + timedelta(days=1))
    for org, t in tally(session, start, end, None).items():
        row = new()
        row.organisation_id = org
        for name in SUMS:
            setattr(row, name, getattr(t, name))
        row.response_hours = {str(k): n for k, n in t.response.items()}
        row.resolution_hours = {str(k): n for k, n in t.resolution.items()}
        row.open_due = sorted(t.open_due)
        session.add(row)


def _of_row(row: _OrgSums) -> Tally:
    return Tally(
        **{name: getattr(row, name) for name in SUMS},
        response=Counter({int(k): n for k, n in row.response_hours.items()}),
        resolution=Counter({int(k): n for k, n in row.resolution_hours.items()}),
        open_due=list(row.open_due),
    )


def _rolled(
    session: Session, whole: list[date], days: list[date], ids: list[int]
) -> dict[int, Tally]:
    """The stored sums of these whole months and these rolled days."""
    out: dict[int, Tally] = defaultdict(Tally)
    rows: list[_OrgSums] = []
    if whole:
        rows += session.scalars(
            select(StatsOrgMonth).where(
                StatsOrgMonth.month.in_([m.strftime("%Y-%m") for m in whole]),
                StatsOrgMonth.organisation_id.in_(ids),
            )
        )
    if days:
        rows += session.scalars(
            select(StatsOrgDay).where(
                StatsOrgDay.day.in_([d.isoformat() for d in days]),
                StatsOrgDay.organisation_id.in_(ids),
            )
        )
    for row in rows:
        out[row.organisation_id].add(_of_row(row))
    return out


def tallies(session: Session, period: Period, ids: list[int]) -> dict[int, Tally]:
    """The period's tallies: whole usable months from stats_org_month, rolled days that are
    not live from stats_org_day, the other days counted from the tickets (the same `tally`,
    so all give the same numbers)."""
    from helpdesk.stats import months, rollup

    live = rollup.live_days(session, period.first, period.last)
    whole = months.usable(session, period.first, period.last, live)
    covered = {d for m in whole for d in months.month_days(m)}
    days = [period.first + timedelta(days=n) for n in range((period.last - period.first).days + 1)]
    rolled = [d for d in days if d not in covered and d not in live]
    out = _rolled(session, whole, rolled, ids)
    for first, last in _runs([d for d in days if d in live and d not in covered]):
        start = clock.local_day_start(first)
        end = clock.local_day_start(last + timedelta(days=1))
        for org, t in tally(session, start, end, ids).items():
            out[org].add(t)
    return out


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in days:
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def build(session: Session, period: Period, only: int | None = None) -> list[Scorecard]:
    """One scorecard per provider, workstation and contact point (or just `only`)."""
    cards = {o.id: Scorecard(o.id, o.name, o.kind.value) for o in organisations(session, only)}
    if not cards:
        return []
    now = micros(clock.now())
    found = tallies(session, period, list(cards))
    for org, card in cards.items():
        t = found.get(org, Tally())
        card.received, card.accepted, card.escalated = t.received, t.accepted, t.escalated
        past_due = sum(1 for due in t.open_due if due < now)
        card.sla_judged, card.sla_met = t.sla_judged + past_due, t.sla_met
        card.response_median = _median(t.response)
        card.response_p90 = _rank(t.response, 0.9)
        card.resolution_median = _median(t.resolution)
        card.resolution_p90 = _rank(t.resolution, 0.9)
        card.ratings = t.ratings
        if t.ratings:
            card.satisfaction = round(t.rating_sum / t.ratings, 2)
        card.callbacks_done, card.callbacks_unreachable = t.callbacks_done, t.callbacks_unreachable
    _declines(session, period, cards)
    _upheld(session, period, cards)
    # those with no ticket in the period last: nothing to rank them by
    return sorted(cards.values(), key=lambda c: (c.received == 0, -c.score, c.name))


def _nth(histogram: Counter[int], n: int) -> float:
    """The n-th smallest value (0-based), in hours."""
    seen = 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen > n:
            return value / 100
    raise IndexError(n)


def _median(histogram: Counter[int]) -> float | None:
    n = sum(histogram.values())
    if not n:
        return None
    middle = n // 2
    if n % 2:
        return _nth(histogram, middle)
    # From the hundredths: 13.18 and 13.38 as floats averaged to 13.280000000000001,
    # which the csv export printed as it is.
    hundredths = round(_nth(histogram, middle - 1) * 100) + round(_nth(histogram, middle) * 100)
    return hundredths / 200


def _rank(histogram: Counter[int], share: float) -> float | None:
    """As nearest_rank: the ceil(share * n)-th smallest."""
    n = sum(histogram.values())
    if not n:
        return None
    return _nth(histogram, max(1, math.ceil(share * n)) - 1)


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
