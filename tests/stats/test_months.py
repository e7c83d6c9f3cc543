"""The monthly rollup gives the raw tickets' numbers: random tickets over five months, counted
by hand in Python from the ticket rows and compared with the dashboard's figures for random
periods and filters, before and after tickets change; the scorecards from stats_org_month
equal those counted ticket by ticket."""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, ServiceCategory
from helpdesk.loop import scorecards
from helpdesk.stats import months, queries, rollup
from helpdesk.stats.models import (
    StatsMonth,
    StatsOrgDay,
    StatsOrgMonth,
    StatsRolledDay,
    StatsRolledMonth,
)
from helpdesk.stats.period import Period
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket

TODAY = datetime(2025, 3, 20, 12, 0, tzinfo=clock.HANGZHOU)
FIRST = date(2024, 11, 10)
CATEGORIES = ["finance/guarantee", "finance/pawn", "info/policy"]
DISTRICTS = ["330106", "330109"]
CHANNELS = [Channel.PHONE, Channel.CHAT, Channel.PORTAL, Channel.WALK_IN]


@dataclass
class Spread:
    orgs: list[Organisation]
    staff: dict[int, User]
    tickets: list[Ticket]


@pytest.fixture
def spread(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> Spread:
    rng = random.Random(14)
    orgs = [make_org(slug=f"p{i}", name=f"服务机构{i}") for i in range(3)]
    staff = {o.id: make_user(Role.PROVIDER, o, name=f"员工{o.id}") for o in orgs}
    industries = ["零售", "批发", None]
    firms = [make_enterprise(industry=industries[i % 3]) for i in range(7)]
    tickets = []
    for _ in range(70):
        at = datetime.combine(FIRST, datetime.min.time(), clock.HANGZHOU) + timedelta(
            minutes=rng.randrange(0, 130 * 24 * 60)
        )
        clock.freeze(at)
        org = rng.choice([*orgs, None])
        firm = rng.choice([*firms, None])
        ticket = make_ticket(
            enterprise_id=firm.id if firm else None,
            channel=rng.choice(CHANNELS),
            district=rng.choice(DISTRICTS),
            category=rng.choice(CATEGORIES),
            organisation_id=org.id if org else None,
            route=False,
        )
        if org is not None and rng.random() < 0.7:  # answered, some resolved and rated
            clock.freeze(at + timedelta(hours=rng.randrange(1, 30)))
            service.accept(session, staff[org.id], ticket)
            if rng.random() < 0.7:
                clock.freeze(at + timedelta(hours=rng.randrange(31, 200)))
                service.resolve(session, staff[org.id], ticket, "已办结")
                if rng.random() < 0.6:
                    service.rate(session, None, ticket, rng.randint(1, 5))
            session.commit()
        tickets.append(ticket)
    clock.freeze(TODAY)
    return Spread(orgs, staff, tickets)


def raw(session: Session, filters: queries.StatsFilter, dimension: str) -> dict[Any, Any]:
    """Counted by hand from the ticket rows, nothing shared with the queries."""
    platforms = {c.code: c.parent_code or c.code for c in session.scalars(select(ServiceCategory))}
    industries = {e.id: e.industry for e in session.scalars(select(Enterprise))}
    period = filters.period
    found: dict[Any, set[int]] = defaultdict(set)
    tickets: dict[Any, int] = defaultdict(int)
    for t in session.scalars(select(Ticket)):
        day = t.created_at.astimezone(clock.HANGZHOU).date()
        values = {
            "district": t.district_code,
            "platform": platforms[t.category_code],
            "channel": Channel(t.channel).value,
            "organisation_id": t.assigned_org_id,
        }
        if not period.first <= day <= period.last:
            continue
        wanted = {
            "district": filters.district,
            "platform": filters.platform,
            "channel": filters.channel,
            "organisation_id": filters.organisation_id,
        }
        if any(v is not None and values[k] != v for k, v in wanted.items()):
            continue
        if dimension == "total":
            key: Any = None
        elif dimension == "period":
            key = day.replace(day=1) if period.by_month else day
        elif dimension == "industry":
            if t.enterprise_id is None:
                continue
            key = industries.get(t.enterprise_id)
        else:
            key = values[dimension]
        tickets[key] += 1
        if t.enterprise_id is not None:
            found[key].add(t.enterprise_id)
    return {k: queries.Count(len(found[k]), tickets[k]) for k in tickets}


def shown(session: Session, filters: queries.StatsFilter, dimension: str) -> dict[Any, Any]:
    if dimension == "total":
        count = queries.total(session, filters)
        return {None: count} if count.tickets else {}
    return {k: c for k, c in queries.by_dimension(session, filters, dimension).items() if c.tickets}


def random_filters(rng: random.Random, orgs: list[Organisation]) -> queries.StatsFilter:
    first = FIRST + timedelta(days=rng.randrange(0, 100))
    last = min(first + timedelta(days=rng.randrange(60, 140)), TODAY.date())
    narrower: dict[str, Any] = {}
    for name, values in (
        ("district", DISTRICTS),
        ("platform", ["finance", "info"]),
        ("channel", [c.value for c in CHANNELS]),
        ("organisation_id", [o.id for o in orgs]),
    ):
        if rng.random() < 0.25:
            narrower[name] = rng.choice(values)
    return queries.StatsFilter(Period(first, last), **narrower)


def check_random_periods(session: Session, spread: Spread, seed: int, runs: int = 25) -> None:
    rng = random.Random(seed)
    for _ in range(runs):
        filters = random_filters(rng, spread.orgs)
        for dimension in (*queries.DIMENSIONS, "total"):
            assert shown(session, filters, dimension) == raw(session, filters, dimension), (
                filters,
                dimension,
            )


def test_the_monthly_rollup_answers_as_the_raw_tickets(session: Session, spread: Spread) -> None:
    rollup.maintain_all(session)
    rolled = set(session.scalars(select(StatsRolledMonth.month)))
    assert rolled == {"2024-11", "2024-12", "2025-01", "2025-02"}  # March is not over
    year = queries.StatsFilter(Period(date(2024, 12, 1), date(2025, 3, 20)))
    live = rollup.live_days(session, year.period.first, year.period.last)
    assert len(months.usable(session, year.period.first, year.period.last, live)) == 3
    assert queries.total(session, year) == raw(session, year, "total")[None]
    check_random_periods(session, spread, seed=1)

    # A ticket moves to another provider: its month is live
    # until the next maintenance run rolls them again, and the figures never go stale.
    moved = next(
        t
        for t in spread.tickets
        if t.is_open and t.created_at < clock.local_day_start(date(2025, 1, 1))
    )
    target = next(o for o in spread.orgs if o.id != moved.assigned_org_id)
    service.transfer(session, None, moved, target.id, None, "转交")
    session.commit()
    month = moved.created_at.astimezone(clock.HANGZHOU).date().replace(day=1)
    period = Period(month, months.month_last(month))
    live = rollup.live_days(session, period.first, period.last)
    assert months.usable(session, period.first, period.last, live) == []
    check_random_periods(session, spread, seed=2)

    clock.freeze(TODAY + timedelta(minutes=10))  # past the rollup's margin
    rollup.maintain(session)  # the day is rolled again, the month not yet (hourly at most)
    live = rollup.live_days(session, period.first, period.last)
    assert months.usable(session, period.first, period.last, live) == []
    check_random_periods(session, spread, seed=4, runs=5)
    clock.freeze(TODAY + timedelta(minutes=70))
    rollup.maintain(session)
    live = rollup.live_days(session, period.first, period.last)
    assert months.usable(session, period.first, period.last, live) == [month]
    check_random_periods(session, spread, seed=3)


def cards(session: Session, period: Period) -> list[Any]:
    return [vars(c) for c in scorecards.build(session, period)]


def test_scorecards_from_the_rollup_equal_those_counted_ticket_by_ticket(
    session: Session, spread: Spread
) -> None:
    rollup.maintain_all(session)
    assert session.scalar(select(func.count(StatsOrgMonth.id))) > 0
    periods = [
        Period(date(2024, 11, 10), date(2025, 3, 20)),
        Period(date(2024, 12, 1), date(2025, 2, 28)),
        Period(date(2024, 12, 15), date(2025, 2, 10)),
        Period(date(2025, 1, 1), date(2025, 1, 31)),
    ]
    from_rollup = [cards(session, p) for p in periods]
    assert sum(c["received"] for c in from_rollup[0]) > 20
    assert any(c["satisfaction"] for c in from_rollup[1])
    assert session.scalar(select(func.count(StatsOrgDay.id))) > 0
    # no usable month nor rolled day: every ticket counted again
    session.execute(delete(StatsRolledMonth))
    session.execute(delete(StatsMonth))
    session.execute(delete(StatsRolledDay))
    assert [cards(session, p) for p in periods] == from_rollup
    session.rollback()
