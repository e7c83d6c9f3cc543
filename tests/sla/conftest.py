"""SLA fixtures: a real (embedded) Redis for the timers, a clean one per test, and burst workers.

Time is driven through helpdesk.clock: tests freeze it, create tickets, advance it past a step
and run a real RQ worker in burst mode in this process (it sees the same frozen clock).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from redis import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock, redis_connections
from helpdesk.auth.models import Role, User
from helpdesk.config import Settings
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.runner.embedded_redis import embedded_redis
from helpdesk.runner.worker import build_worker
from helpdesk.sla import timers
from helpdesk.sla.calendar import HANGZHOU
from helpdesk.sla.models import SlaStage
from helpdesk.tickets.models import TicketEvent

SLOW_WORKER = Path(__file__).with_name("slow_worker.py")
MONDAY_9 = datetime(2026, 11, 23, 9, 0, tzinfo=HANGZHOU)


@pytest.fixture(scope="session")
def sla_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with embedded_redis(tmp_path_factory.mktemp("sla-redis")) as url:
        yield url


@pytest.fixture
def redis(app: Flask, sla_redis_url: str) -> Iterator[Redis]:
    """Timers go to the test Redis for this test only; it starts and ends empty."""
    connection = Redis.from_url(sla_redis_url)
    connection.flushall()
    app.extensions[redis_connections.REDIS_OVERRIDE] = sla_redis_url
    yield connection
    app.extensions.pop(redis_connections.REDIS_OVERRIDE, None)
    connection.flushall()
    connection.close()


@pytest.fixture
def burst(app: Flask, sla_redis_url: str) -> Callable[[], None]:
    def run() -> None:
        build_worker(sla_redis_url, app).work(burst=True, with_scheduler=False)

    return run


@pytest.fixture
def monday() -> datetime:
    clock.freeze(MONDAY_9)
    return MONDAY_9


@pytest.fixture
def centre(session: Session, make_org, make_user) -> dict[str, object]:
    """A service centre with an agent and a supervisor, and a provider with a member."""
    centre_org = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", provider_type=None)
    provider = make_org(slug="bank")
    return {
        "centre": centre_org,
        "agent": make_user(Role.AGENT, centre_org),
        "supervisor": make_user(Role.SUPERVISOR, centre_org),
        "provider": provider,
        "staff": make_user(Role.PROVIDER, provider),
    }


@pytest.fixture
def due_escalation(session: Session, redis: Redis, make_ticket, centre, monday):  # type: ignore[no-untyped-def]
    """A ticket whose only timer is its first-response escalation, booked in Redis, with the
    clock a minute past it: the next worker to look fires it."""
    ticket = make_ticket(organisation_id=centre["provider"].id, assignee_id=centre["staff"].id)
    escalate = stages(session, ticket.id)[("first_response", "escalate", 0)]
    session.query(SlaStage).filter(
        SlaStage.ticket_id == ticket.id, SlaStage.id != escalate.id
    ).delete()  # keep one timer: the escalation under test
    session.commit()
    clock.freeze(escalate.fire_at + timedelta(minutes=1))
    timers.reconcile(session, redis)
    session.rollback()
    return ticket


def hanging_worker(settings: Settings, redis_url: str, marker: Path) -> subprocess.Popen[bytes]:
    """tests/sla/slow_worker.py: a real worker that touches `marker` half-way through the
    escalation and hangs there, to be killed."""
    return subprocess.Popen(
        [sys.executable, str(SLOW_WORKER), settings.database_url, redis_url,
         str(settings.instance_path), clock.now().isoformat(), str(marker)],
        cwd=SLOW_WORKER.resolve().parents[2],
    )  # fmt: skip


def stages(session: Session, ticket_id: int) -> dict[tuple[str, str, int], SlaStage]:
    session.expire_all()
    rows = session.scalars(select(SlaStage).where(SlaStage.ticket_id == ticket_id))
    return {(s.target, s.step, s.cycle): s for s in rows}


def sla_events(session: Session, ticket_id: int) -> list[TicketEvent]:
    session.expire_all()
    return list(
        session.scalars(
            select(TicketEvent)
            .where(TicketEvent.ticket_id == ticket_id, TicketEvent.kind.like("sla_%"))
            .order_by(TicketEvent.id)
        )
    )


def org(session: Session, slug: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.slug == slug)).one()


def user(session: Session, login: str) -> User:
    return session.scalars(select(User).where(User.login == login)).one()
