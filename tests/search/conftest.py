"""A small platform to search: two providers' tickets on the same subject, notes, enterprises."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import event
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.search import index
from helpdesk.tickets import service
from helpdesk.tickets.models import Channel, Ticket, TicketType

# The backend parity test compares SQLite with PostgreSQL. CI runs it in its PostgreSQL stage and
# leaves it out of its SQLite stage, which has no server URL, instead of skipping it there
# (HELPDESK_REQUIRE_ALL: CI never skips). Elsewhere, without a server, it skips saying why.
collect_ignore = (
    ["test_parity.py"]
    if os.environ.get("HELPDESK_REQUIRE_ALL") and not os.environ.get("HELPDESK_TEST_DATABASE_URL")
    else []
)


class Statements:
    """What the test engine is sent (an engine event, in tests only)."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def __call__(self, _conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        self.sent.append(statement)

    @property
    def full_text(self) -> list[str]:
        return [s for s in self.sent if "search_fts MATCH" in s or "@@" in s]

    @property
    def document_updates(self) -> list[str]:
        return [s for s in self.sent if s.lstrip().upper().startswith("UPDATE SEARCH_DOCUMENT")]


@pytest.fixture
def statements(session: Session) -> Iterator[Statements]:
    engine = session.get_bind()
    seen = Statements()
    event.listen(engine, "before_cursor_execute", seen)
    yield seen
    event.remove(engine, "before_cursor_execute", seen)


@dataclass
class Platform:
    org_a: Organisation
    org_b: Organisation
    agent: User
    provider_a: User
    provider_b: User
    ent_user: User
    enterprise: Enterprise
    a_loan: Ticket  # org A: 融资担保, with an internal note 征信异常
    b_loan: Ticket  # org B: 融资担保 too
    b_only: Ticket  # org B: 商标注册, a word no ticket of org A holds
    a_complaint: Ticket  # org A, a complaint by phone in 西湖区


@pytest.fixture
def platform(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> Platform:
    org_a = make_org(slug="bank-a", name="杭州甲银行")
    org_b = make_org(slug="law-b", name="浙江乙律师事务所", categories=("manage",))
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜")
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330109")
    index.enterprise_changed(session, enterprise)  # the fixture writes the row itself
    session.commit()
    a_loan = make_ticket(
        agent,
        subject="申请融资担保贷款",
        description="企业需要短期流动资金，询问融资担保的流程。",
        enterprise_id=enterprise.id,
        organisation_id=org_a.id,
    )
    service.comment(session, agent, a_loan, "经查该企业征信异常，请银行复核。", internal=True)
    service.comment(session, agent, a_loan, "已转交银行办理，请保持电话畅通。")
    session.commit()
    b_loan = make_ticket(
        agent,
        subject="融资担保公司收费咨询",
        category="manage/legal",
        district="330106",
        organisation_id=org_b.id,
    )
    b_only = make_ticket(
        agent,
        subject="商标注册被驳回怎么办",
        category="manage/legal",
        district="330106",
        organisation_id=org_b.id,
    )
    a_complaint = make_ticket(
        agent,
        subject="投诉担保费用过高",
        type=TicketType.COMPLAINT,
        channel=Channel.PHONE,
        district="330106",
        organisation_id=org_a.id,
    )
    return Platform(
        org_a=org_a,
        org_b=org_b,
        agent=agent,
        provider_a=make_user(Role.PROVIDER, org_a, name="陈静"),
        provider_b=make_user(Role.PROVIDER, org_b, name="刘洋"),
        ent_user=make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, name="周杰"),
        enterprise=enterprise,
        a_loan=a_loan,
        b_loan=b_loan,
        b_only=b_only,
        a_complaint=a_complaint,
    )


@pytest.fixture(scope="session")
def suite_login(request: pytest.FixtureRequest) -> Callable[[FlaskClient, User], None]:
    """The suite's own login (tests/conftest.py), reached through pytest."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None
    return module.login  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def suite_password(request: pytest.FixtureRequest) -> Callable[[], str]:
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None
    return lambda: str(module.PASSWORD)
