"""The daily rollup gives the live count's numbers, to the ticket: on the hand-counted month
of conftest.py, after a ticket changes past its day's rollup, and with enterprises seen on
several days and channels counted once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from helpdesk import clock, redis_connections
from helpdesk.directory.models import Organisation
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.runner.worker import build_worker
from helpdesk.stats import queries, rollup
from helpdesk.stats.models import StatsDay, StatsRolledDay, StatsRolledMonth, StatsRollupState
from helpdesk.stats.period import Period
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel

from .conftest import TODAY, Month

MARCH = Period(date(2025, 3, 1), date(2025, 3, 20))
LONG = Period(date(2025, 1, 1), date(2025, 3, 20))  # month by month


def figures(session: Session, filters: queries.StatsFilter) -> dict[str, Any]:
    """Everything the dashboard shows for these filters."""
    out: dict[str, Any] = {"total": queries.total(session, filters)}
    for name in queries.DIMENSIONS:
        out[name] = queries.by_dimension(session, filters, name)
    return out


def live(session: Session, filters: queries.StatsFilter) -> dict[str, Any]:
    """The same figures straight from the tickets: with no rollup every day is counted live."""
    saved = [
        (model, session.execute(select(model.__table__)).mappings().all())
        for model in (StatsDay, StatsRolledDay, StatsRollupState)
    ]
    for model, _rows in saved:
        session.execute(delete(model))
    assert not session.scalar(select(func.count(StatsRolledDay.day)))
    counted = figures(session, filters)
    session.rollback()  # the rollup back as it was
    assert session.scalar(select(func.count(StatsRolledDay.day))) == sum(
        len(rows) for model, rows in saved if model is StatsRolledDay
    )
    return counted


def every_filter(bank: Organisation) -> list[queries.StatsFilter]:
    return [
        queries.StatsFilter(period, **narrower)
        for period in (MARCH, LONG)
        for narrower in (
            {},
            {"district": "330106"},
            {"platform": "finance"},
            {"channel": "phone"},
            {"organisation_id": bank.id},
            {"district": "330109", "channel": "portal"},
        )
    ]


def test_the_rollup_answers_as_the_live_count(session: Session, month: Month) -> None:
    assert rollup.maintain_all(session) == 20  # 02-28 .. 03-19; today stays live
    assert rollup.live_days(session, MARCH.first, MARCH.last) == {MARCH.last}
    assert session.scalar(select(func.sum(StatsDay.tickets))) == 8  # every ticket, once

    whole = figures(session, queries.StatsFilter(MARCH))
    assert whole["total"] == queries.Count(3, 7)  # A, B, C; A on three days and channels
    assert whole["channel"]["phone"] == queries.Count(2, 4)
    assert whole["period"][date(2025, 3, 3)] == queries.Count(1, 2)  # A by phone and chat
    assert whole["industry"] == {
        "零售": queries.Count(1, 3),
        "批发": queries.Count(1, 2),
        None: queries.Count(1, 1),
    }
    for filters in every_filter(month.bank):
        assert figures(session, filters) == live(session, filters), filters


def test_a_ticket_changed_after_its_day_was_rolled_is_counted_as_it_is_now(
    session: Session, month: Month, make_org: Callable[..., Organisation]
) -> None:
    rollup.maintain_all(session)
    by_bank = queries.StatsFilter(MARCH, organisation_id=month.bank.id)
    assert queries.total(session, by_bank) == queries.Count(2, 2)  # tickets 1 (A) and 4 (B)

    other = make_org(slug="xh-centre", name="西湖区工作站")
    service.transfer(session, month.supervisor, month.tickets[0], other.id, None, "转交")
    session.commit()

    assert date(2025, 3, 3) in rollup.live_days(session, MARCH.first, MARCH.last)
    assert queries.total(session, by_bank) == queries.Count(1, 1)  # only B's now
    by_other = queries.StatsFilter(MARCH, organisation_id=other.id)
    assert queries.total(session, by_other) == queries.Count(1, 1)
    for filters in [*every_filter(month.bank), by_other]:
        assert figures(session, filters) == live(session, filters), filters

    # The next maintenance re-rolls the day; once past the margin the rollup holds it again.
    clock.freeze(TODAY + rollup.MARGIN + timedelta(minutes=1))
    assert rollup.maintain(session) == 1
    clock.freeze(TODAY + 2 * rollup.MARGIN + timedelta(minutes=2))
    rollup.maintain(session)
    assert rollup.live_days(session, MARCH.first, MARCH.last) == {MARCH.last}
    assert queries.total(session, by_bank) == queries.Count(1, 1)
    assert queries.total(session, by_other) == queries.Count(1, 1)
    for filters in [*every_filter(month.bank), by_other]:
        assert figures(session, filters) == live(session, filters), filters


def test_days_not_rolled_yet_are_counted_live(session: Session, month: Month) -> None:
    assert rollup.maintain(session, limit=5) == 5  # the five latest closed days
    live_now = rollup.live_days(session, MARCH.first, MARCH.last)
    assert date(2025, 3, 19) not in live_now and date(2025, 3, 3) in live_now
    whole = queries.StatsFilter(MARCH)
    assert queries.total(session, whole) == queries.Count(3, 7)
    assert figures(session, whole) == live(session, whole)


def test_a_ticket_added_with_an_earlier_day_is_counted(
    session: Session, month: Month, make_ticket: Callable[..., Any]
) -> None:
    """An import (or the demo) may add a ticket on a day already rolled up."""
    rollup.maintain_all(session)
    clock.freeze(datetime(2025, 3, 4, 10, 0, tzinfo=clock.HANGZHOU))
    make_ticket(enterprise_id=month.tickets[4].enterprise_id, channel=Channel.PHONE,
                district="330109", category="info/policy", route=False)  # fmt: skip
    clock.freeze(TODAY)
    assert date(2025, 3, 4) in rollup.live_days(session, MARCH.first, MARCH.last)
    whole = queries.StatsFilter(MARCH)
    assert queries.total(session, whole) == queries.Count(3, 8)
    assert queries.by_dimension(session, whole, "period")[date(2025, 3, 4)] == queries.Count(1, 1)
    assert figures(session, whole) == live(session, whole)

    assert rollup.maintain(session) == 1  # the day is rolled again, with the new ticket
    assert rollup.live_days(session, MARCH.first, MARCH.last) == {MARCH.last}
    assert figures(session, whole) == live(session, whole)


@pytest.fixture
def redis_url(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_redis(tmp_path_factory.mktemp("stats-redis")) as url:
        app.extensions[redis_connections.REDIS_OVERRIDE] = url
        yield url
        app.extensions.pop(redis_connections.REDIS_OVERRIDE, None)
        Redis.from_url(url).flushall()


def test_the_workers_maintenance_run_rolls_the_closed_days(
    app: Flask, session: Session, month: Month, redis_url: str
) -> None:
    build_worker(redis_url, app).run_maintenance_tasks()
    session.expire_all()
    # 02-28 .. 03-19, and the rest of February: the closed month is rolled whole
    assert session.scalar(select(func.count(StatsRolledDay.day))) == 20 + 27
    assert session.scalars(select(StatsRolledMonth.month)).all() == ["2025-02"]
    assert rollup.live_days(session, MARCH.first, MARCH.last) == {MARCH.last}
    whole = queries.StatsFilter(MARCH)
    assert queries.total(session, whole) == queries.Count(3, 7)
    assert figures(session, whole) == live(session, whole)
