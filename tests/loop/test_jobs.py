"""The worker's maintenance run closes the loop: resolved tickets nobody rated close once their
days are up, and the watch bar is judged once a Hangzhou day (a real embedded Redis remembers
the day; a real RQ worker runs the maintenance)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock, redis_connections
from helpdesk.loop.config import LoopConfig
from helpdesk.loop.models import ProviderWatch
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.runner.worker import build_worker
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Status, Ticket

from .conftest import People


@pytest.fixture
def redis_url(app: Flask, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_redis(tmp_path_factory.mktemp("loop-redis")) as url:
        app.extensions[redis_connections.REDIS_OVERRIDE] = url
        yield url
        app.extensions.pop(redis_connections.REDIS_OVERRIDE, None)
        Redis.from_url(url).flushall()


def test_the_maintenance_run_closes_unrated_tickets_and_judges_once_a_day(
    app: Flask,
    session: Session,
    redis_url: str,
    make_ticket: Callable[..., Ticket],
    people: People,
    loop_settings: Callable[..., LoopConfig],
) -> None:
    loop_settings(auto_close_days=2, watch_min_tickets=1)
    clock.freeze(datetime(2025, 4, 7, 10, 0, tzinfo=clock.HANGZHOU))
    rated = make_ticket(channel=Channel.PORTAL, organisation_id=people.provider.id)
    unrated = make_ticket(channel=Channel.PORTAL, organisation_id=people.provider.id)
    for ticket in (rated, unrated):
        service.accept(session, people.provider_staff, ticket)
        service.resolve(session, people.provider_staff, ticket, "已答复")
    service.rate(session, None, rated, 1, "没有解决", channel="portal")
    session.commit()
    worker = build_worker(redis_url, app)

    clock.advance(timedelta(days=2))
    worker.run_maintenance_tasks()
    session.expire_all()
    assert unrated.status is Status.CLOSED and rated.status is Status.RESOLVED
    watched = session.scalars(select(ProviderWatch)).all()
    assert [(w.organisation_id, w.reasons[0]["measure"]) for w in watched] == [
        (people.provider.id, "satisfaction")
    ]

    # lifted the same day: the next minute's run does not judge again; the next day's does
    watched[0].state = "lifted"
    session.commit()
    clock.advance(timedelta(minutes=1))
    worker.run_maintenance_tasks()
    assert len(session.scalars(select(ProviderWatch)).all()) == 1
    clock.advance(timedelta(days=1))
    worker.run_maintenance_tasks()
    assert len(session.scalars(select(ProviderWatch)).all()) == 2
