"""Counts behind the dashboard: distinct enterprises served and tickets, by one dimension.

Every panel is the same shape of query over rows of counted tickets ("facts": the Hangzhou
day, the enterprise, district, platform, channel, organisation, the enterprise's industry, and
how many tickets the row stands for):

    SELECT dimension, COUNT(DISTINCT enterprise_id), SUM(tickets) FROM facts
    WHERE period and filters GROUP BY dimension

An enterprise with a phone call and a chat in a period is one enterprise served, in the total
and in each row it appears in; so a total is not the sum of its rows. The facts come from the
daily rollup for the days it holds, and from the tickets (one row each) for today and any day
it does not hold or that changed since (helpdesk/stats/rollup.py): the same answer either way.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Subquery,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from helpdesk.directory.models import Enterprise, Organisation, Region, ServiceCategory
from helpdesk.errors import InvalidInput
from helpdesk.ids import required_row_id
from helpdesk.stats import months, rollup
from helpdesk.stats.models import StatsDay
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Channel, Ticket

Rows = Select[*tuple[Any, ...]]  # a select of facts, whatever its columns
DIMENSIONS = ("period", "district", "platform", "industry", "channel")


@dataclass(frozen=True)
class StatsFilter:
    period: Period
    district: str | None = None
    platform: str | None = None
    channel: str | None = None
    organisation_id: int | None = None

    @classmethod
    def from_args(cls, session: Session, args: Any) -> StatsFilter:
        """From the page's query string; an unknown value is InvalidInput naming its field."""
        from flask_babel import gettext as _

        period = Period.from_args(args)
        district = args.get("district") or None
        if district and session.get(Region, district) is None:
            raise InvalidInput(_("There is no such district."), field="district")
        platform = args.get("platform") or None
        if platform:
            found = session.get(ServiceCategory, platform)
            if found is None or found.parent_code is not None:
                raise InvalidInput(_("There is no such service platform."), field="platform")
        channel = args.get("channel") or None
        if channel and channel not in {c.value for c in Channel}:
            raise InvalidInput(_("There is no such channel."), field="channel")
        org_text = args.get("organisation_id") or None
        organisation_id = None
        if org_text:
            message = _("There is no such organisation.")
            organisation_id = required_row_id(org_text, "organisation_id", message)
            if session.get(Organisation, organisation_id) is None:
                raise InvalidInput(message, field="organisation_id")
        return cls(period, district, platform, channel, organisation_id)


@dataclass(frozen=True)
class Count:
    enterprises: int  # distinct
    tickets: int


def _narrowed(stmt: Rows, columns: Any, filters: StatsFilter) -> Rows:
    """The filters, applied to one source of facts (`columns`: its district, platform…)."""
    if filters.district:
        stmt = stmt.where(columns["district"] == filters.district)
    if filters.platform:
        stmt = stmt.where(columns["platform"] == filters.platform)
    if filters.channel:
        stmt = stmt.where(columns["channel"] == filters.channel)
    if filters.organisation_id is not None:
        stmt = stmt.where(columns["organisation_id"] == filters.organisation_id)
    return stmt


def _runs(days: list[date]) -> list[tuple[date, date]]:
    """Consecutive days as (first, last) runs."""
    runs: list[tuple[date, date]] = []
    for day in sorted(days):
        if runs and runs[-1][1] + timedelta(days=1) == day:
            runs[-1] = (runs[-1][0], day)
        else:
            runs.append((day, day))
    return runs


def _facts(
    session: Session,
    filters: StatsFilter,
    industry: bool = False,
    days: list[date] | None = None,
    live: set[date] | None = None,
) -> Subquery:
    """The period's facts in the filters (or only those of `days`, some of its days): the
    only place that says where they come from. With `industry`, each row's enterprise's
    industry too (a join only that panel pays)."""
    period = filters.period
    if live is None:
        live = rollup.live_days(session, period.first, period.last)
    if days is None:
        runs = [(period.first, period.last)]
    else:
        live = live & set(days)
        runs = _runs(days)
    rolled = select(
        StatsDay.day,
        StatsDay.enterprise_id,
        StatsDay.district,
        StatsDay.platform,
        StatsDay.channel,
        StatsDay.organisation_id,
        StatsDay.tickets,
    ).where(or_(*(StatsDay.day.between(a.isoformat(), b.isoformat()) for a, b in runs)))
    if live:
        rolled = rolled.where(StatsDay.day.not_in(sorted(d.isoformat() for d in live)))
    parts = [_narrowed(rolled, StatsDay.__table__.c, filters)]
    if live:
        tickets = rollup.ticket_rows(session).where(rollup.during(list(live)))
        parts.append(_narrowed(tickets, _ticket_columns(), filters))
    rows = union_all(*parts).subquery("rows")
    if not industry:
        return rows
    return (
        select(rows, Enterprise.industry.label("industry"))
        .outerjoin(Enterprise, Enterprise.id == rows.c.enterprise_id)
        .subquery("facts")
    )


def _ticket_columns() -> dict[str, Any]:
    return {
        "district": Ticket.district_code,
        "platform": rollup.platform(),
        "channel": Ticket.channel,
        "organisation_id": Ticket.assigned_org_id,
    }


def _counted(facts: Subquery) -> list[Any]:
    return [
        func.count(facts.c.enterprise_id.distinct()).label("enterprises"),
        func.coalesce(func.sum(facts.c.tickets), 0).label("tickets"),
    ]


def total(session: Session, filters: StatsFilter) -> Count:
    answered = _from_months(session, filters, "total")
    if answered is not None:
        return answered.get(None, Count(0, 0))
    facts = _facts(session, filters)
    row = session.execute(select(*_counted(facts))).one()
    return Count(int(row.enterprises), int(row.tickets))


def by_dimension(session: Session, filters: StatsFilter, dimension: str) -> dict[Any, Count]:
    """Counts keyed by the dimension's value: a date for "period" (a day or a month's first),
    a code for district and platform, a channel value, an industry (None: not given)."""
    answered = _from_months(session, filters, dimension)
    if answered is not None:
        return answered
    facts = _facts(session, filters, industry=dimension == "industry")
    key: ColumnElement[Any]
    stmt: Select[Any]
    if dimension == "period":
        key = func.substr(facts.c.day, 1, 7) if filters.period.by_month else facts.c.day
    elif dimension in ("district", "platform", "channel", "industry"):
        key = facts.c[dimension]
    else:
        raise ValueError(f"unknown dimension {dimension}")
    stmt = select(key.label("key"), *_counted(facts)).group_by(key)
    if dimension == "industry":  # an industry is an enterprise's: tickets without one are out
        stmt = stmt.where(facts.c.enterprise_id.is_not(None))
    counts: dict[Any, Count] = {}
    for row in session.execute(stmt):
        value = row.key
        if dimension == "period":
            value = date.fromisoformat(value if len(value) == 10 else value + "-01")
        elif dimension == "channel":
            value = Channel(value).value
        counts[value] = Count(int(row.enterprises), int(row.tickets))
    return counts


def _from_months(session: Session, filters: StatsFilter, dimension: str) -> dict[Any, Count] | None:
    """The counts from the monthly rollup for the period's whole usable months and from the
    days for the rest; None when the rollup cannot answer (a daily period, no usable month):
    the caller counts from the days."""
    period = filters.period
    if dimension == "period" and not period.by_month:
        return None
    fixed = {
        d: v
        for d, v in (
            ("district", filters.district),
            ("platform", filters.platform),
            ("channel", filters.channel),
            ("organisation_id", filters.organisation_id),
        )
        if v is not None
    }
    grouped = dimension if dimension in months.DIMS else None
    needed = set(fixed) | ({grouped} if grouped else set())
    live = rollup.live_days(session, period.first, period.last)
    whole = months.usable(session, period.first, period.last, live)
    if not whole:
        return None
    industry = dimension == "industry"
    group = "month" if dimension == "period" else grouped
    dims = tuple(d for d in months.DIMS if d in needed)
    served = months.read(session, whole, dims, fixed, group, per_enterprise=industry)
    covered = {d for m in whole for d in months.month_days(m)}
    rest = [d for d in period_days(period) if d not in covered]
    if rest:
        facts = _facts(session, filters, days=rest, live=live)
        if industry:  # tickets per enterprise, all under None
            per = select(facts.c.enterprise_id, func.sum(facts.c.tickets)).group_by(
                facts.c.enterprise_id
            )
            cell = served[None]
            for enterprise_id, tickets in session.connection().execute(per):
                cell.tickets += int(tickets)
                if enterprise_id is not None:
                    cell.counts = cell.counts if cell.counts is not None else defaultdict(int)
                    cell.counts[enterprise_id] += int(tickets)
            cell.bitmap |= months.bitmap_of(cell.counts or ())
        else:  # one row per value: its tickets and its enterprises' ids, listed
            key: ColumnElement[Any]
            if dimension == "period":
                key = func.substr(facts.c.day, 1, 7)
            elif grouped:
                key = facts.c[grouped]
            else:
                key = literal(None)
            listed = select(key, func.sum(facts.c.tickets), _id_list(session, facts))
            for value, tickets, text in session.connection().execute(listed.group_by(key)):
                k = date.fromisoformat(value + "-01") if dimension == "period" else value
                served[k].tickets += int(tickets)
                if text:
                    served[k].bitmap |= months.bitmap_of(map(int, text.split(",")))
    if industry:
        return _by_industry(session, served.get(None))
    out = {k: Count(s.enterprises, s.tickets) for k, s in served.items()}
    if dimension == "channel":
        out = {Channel(k).value: c for k, c in out.items()}
    return out


def _id_list(session: Session, facts: Subquery) -> ColumnElement[str | None]:
    """The distinct enterprise ids of a group as one text, "1,5,9" (NULL when none): a few
    rows per panel value instead of one per enterprise (the tail of a year: ~40,000 rows)."""
    if session.get_bind().dialect.name == "postgresql":
        as_text = cast(facts.c.enterprise_id, String)
        return func.string_agg(as_text.distinct(), literal_column("','"))
    return func.group_concat(facts.c.enterprise_id.distinct())


def _by_industry(session: Session, served: months.Served | None) -> dict[Any, Count]:
    """Industry is the enterprise's now: the served enterprises' tickets, by their industry."""
    if served is None or not served.counts:
        return {}
    industries = {
        i: name for i, name in session.execute(select(Enterprise.id, Enterprise.industry))
    }
    found: dict[Any, set[int]] = defaultdict(set)
    tickets: dict[Any, int] = defaultdict(int)
    for enterprise_id, n in served.counts.items():
        industry = industries.get(enterprise_id)
        found[industry].add(enterprise_id)
        tickets[industry] += n
    return {k: Count(len(found[k]), tickets[k]) for k in found}


def period_days(period: Period) -> list[date]:
    return [period.first + timedelta(days=n) for n in range((period.last - period.first).days + 1)]
