"""Periods that do not end (or start) on a month boundary: whole months come from the monthly
rollup, the days around them from the daily rollup or the tickets, and every figure is the
hand-counted one. An enterprise served in January and again in the March tail is one
enterprise served; a tail dropped or counted twice changes the figures below.

Today is 2026-03-20 12:00 Hangzhou; times are Hangzhou's:

| #  | enterprise | channel | when              | provider | in 01-01..03-15 |
|----|------------|---------|-------------------|----------|-----------------|
| 1  | A          | phone   | 01-10 10:00       | bank     | yes (January)   |
| 2  | A          | phone   | 03-05 10:00       | bank     | yes (tail)      |
| 3  | B          | chat    | 02-14 10:00       | —        | yes (February)  |
| 4  | C          | phone   | 03-15 23:30       | bank     | yes (tail's end)|
| 5  | F          | walk_in | 01-01 00:05       | —        | yes (January)   |
| 6  | F          | walk_in | 03-01 00:05       | —        | yes (tail)      |
| 7  | —          | phone   | 02-02 10:00       | —        | yes (February)  |
| 8  | —          | chat    | 03-10 10:00       | —        | yes (tail)      |
| 9  | D          | phone   | 03-16 00:10       | —        | no (after)      |
| 10 | D          | phone   | 03-20 09:00       | —        | no (today)      |
| 11 | E          | phone   | 2025-12-31 23:50  | —        | no (before)     |
| 12 | A          | chat    | 03-18 10:00       | —        | no (after)      |
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.loop import scorecards
from helpdesk.stats import months, queries, rollup
from helpdesk.stats.models import StatsOrgDay
from helpdesk.stats.period import Period
from helpdesk.stats.queries import Count, StatsFilter
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket

TODAY = datetime(2026, 3, 20, 12, 0, tzinfo=clock.HANGZHOU)
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
CUSTOM = Period(JAN, date(2026, 3, 15))  # two whole months and a 15-day tail


@pytest.fixture
def spread(
    session: Session,
    make_org: Callable[..., Organisation],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> tuple[Organisation, Enterprise]:
    bank = make_org(slug="hz-bank", name="杭州银行科技支行")
    a, b, c, d, e, f = (make_enterprise() for _ in range(6))
    plan = [
        (a, Channel.PHONE, (2026, 1, 10, 10, 0), bank),
        (a, Channel.PHONE, (2026, 3, 5, 10, 0), bank),
        (b, Channel.CHAT, (2026, 2, 14, 10, 0), None),
        (c, Channel.PHONE, (2026, 3, 15, 23, 30), bank),
        (f, Channel.WALK_IN, (2026, 1, 1, 0, 5), None),
        (f, Channel.WALK_IN, (2026, 3, 1, 0, 5), None),
        (None, Channel.PHONE, (2026, 2, 2, 10, 0), None),
        (None, Channel.CHAT, (2026, 3, 10, 10, 0), None),
        (d, Channel.PHONE, (2026, 3, 16, 0, 10), None),
        (d, Channel.PHONE, (2026, 3, 20, 9, 0), None),
        (e, Channel.PHONE, (2025, 12, 31, 23, 50), None),
        (a, Channel.CHAT, (2026, 3, 18, 10, 0), None),
    ]
    for enterprise, channel, (y, mo, d_, h, mi), org in plan:
        clock.freeze(datetime(y, mo, d_, h, mi, tzinfo=clock.HANGZHOU))
        make_ticket(
            enterprise_id=enterprise.id if enterprise else None,
            channel=channel,
            organisation_id=org.id if org else None,
            route=False,
        )
    clock.freeze(TODAY)
    return bank, a


def figures(session: Session, filters: StatsFilter) -> dict[str, object]:
    return {
        "total": queries.total(session, filters),
        "period": queries.by_dimension(session, filters, "period"),
        "channel": queries.by_dimension(session, filters, "channel"),
    }


# Hand-counted for 2026-01-01..2026-03-15: tickets 1-8; enterprises A, B, C, F.
CUSTOM_FIGURES = {
    "total": Count(4, 8),
    "period": {JAN: Count(2, 2), FEB: Count(1, 2), MAR: Count(3, 4)},
    "channel": {"phone": Count(2, 4), "chat": Count(1, 2), "walk_in": Count(1, 2)},
}


def test_a_custom_range_ending_mid_month_counts_its_tail_once(
    session: Session, spread: tuple[Organisation, Enterprise]
) -> None:
    bank = spread[0]
    unrolled = figures(session, StatsFilter(CUSTOM))  # every day from the tickets
    assert unrolled == CUSTOM_FIGURES

    rollup.maintain_all(session)  # January and February rolled up, March's days rolled
    live = rollup.live_days(session, CUSTOM.first, CUSTOM.last)
    assert live == set()  # the tail is read from the daily rollup
    assert months.usable(session, CUSTOM.first, CUSTOM.last, live) == [JAN, FEB]
    assert figures(session, StatsFilter(CUSTOM)) == CUSTOM_FIGURES

    # the provider filter: tickets 1, 2, 4 (A in January and in the tail: once)
    assert queries.total(session, StatsFilter(CUSTOM, organisation_id=bank.id)) == Count(2, 3)
    card = next(c for c in scorecards.build(session, CUSTOM) if c.organisation_id == bank.id)
    assert card.received == 3

    # whole months only, and a head before them: December 31's E is in, no March
    assert queries.total(session, StatsFilter(Period(JAN, date(2026, 2, 28)))) == Count(3, 4)
    head = StatsFilter(Period(date(2025, 12, 10), date(2026, 3, 15)))
    assert queries.total(session, head) == Count(5, 9)

    # "this month so far" (daily) and up to today (whole months, then a tail with today live)
    so_far = StatsFilter(Period(MAR, TODAY.date()))
    assert queries.total(session, so_far) == Count(4, 7)  # A, C, F, D; tickets 2,4,6,8,9,10,12
    to_today = StatsFilter(Period(JAN, TODAY.date()))
    assert queries.total(session, to_today) == Count(5, 11)
    assert queries.by_dimension(session, to_today, "period")[MAR] == Count(4, 7)


def test_a_ticket_added_to_the_tail_after_the_rollup_is_counted_once(
    session: Session, spread: tuple[Organisation, Enterprise], make_ticket: Callable[..., Ticket]
) -> None:
    rollup.maintain_all(session)
    firm = spread[1]  # A
    clock.freeze(datetime(2026, 3, 12, 9, 0, tzinfo=clock.HANGZHOU))
    make_ticket(enterprise_id=firm.id, channel=Channel.PORTAL, route=False)  # an import
    clock.freeze(TODAY)
    live = rollup.live_days(session, CUSTOM.first, CUSTOM.last)
    assert live == {date(2026, 3, 12)}  # that tail day from the tickets, the rest rolled
    expected = {
        "total": Count(4, 9),
        "period": {JAN: Count(2, 2), FEB: Count(1, 2), MAR: Count(3, 5)},
        "channel": {**CUSTOM_FIGURES["channel"], "portal": Count(1, 1)},  # type: ignore[dict-item]
    }
    assert figures(session, StatsFilter(CUSTOM)) == expected
    clock.freeze(datetime(2026, 3, 20, 12, 10, tzinfo=clock.HANGZHOU))  # past the margin
    rollup.maintain(session)  # the day rolled again: the same figures from the rollup
    assert rollup.live_days(session, CUSTOM.first, CUSTOM.last) == set()
    assert figures(session, StatsFilter(CUSTOM)) == expected


def test_a_tail_day_changed_after_its_roll_gives_the_scorecard_as_it_is_now(
    session: Session,
    spread: tuple[Organisation, Enterprise],
    make_user: Callable[..., User],
) -> None:
    """The tail's rolled days give the scorecards from stats_org_day; a day with a ticket
    changed since is counted from the tickets until it is rolled again."""
    bank = spread[0]
    staff = make_user(Role.PROVIDER, bank, name="柜员")
    rollup.maintain_all(session)
    assert session.scalar(select(func.count(StatsOrgDay.id))) > 0

    def card() -> scorecards.Scorecard:
        return next(c for c in scorecards.build(session, CUSTOM) if c.organisation_id == bank.id)

    assert (card().received, card().accepted) == (3, 0)
    last = session.scalars(
        select(Ticket).where(Ticket.assigned_org_id == bank.id).order_by(Ticket.created_at.desc())
    ).first()
    assert last is not None  # #4, 03-15 23:30, a rolled day of the tail
    service.accept(session, staff, last)
    session.commit()
    assert date(2026, 3, 15) in rollup.live_days(session, CUSTOM.first, CUSTOM.last)
    assert (card().received, card().accepted) == (3, 1)
    clock.freeze(datetime(2026, 3, 20, 12, 10, tzinfo=clock.HANGZHOU))  # past the margin
    rollup.maintain(session)
    assert rollup.live_days(session, CUSTOM.first, CUSTOM.last) == set()
    assert (card().received, card().accepted) == (3, 1)
