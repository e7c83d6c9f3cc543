"""A small knowledge base: a centre with an agent, a supervisor, a provider and an enterprise,
and three guides: one public and published, one internal and published, one draft."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.kb import service
from helpdesk.kb.models import Article


@dataclass
class Guides:
    agent: User
    supervisor: User
    provider: User
    ent_user: User
    public: Article  # 融资担保 guide, published for everyone
    internal: Article  # staff-only, published
    draft: Article  # never published


def _suite(request: pytest.FixtureRequest) -> object:
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None
    return module


@pytest.fixture
def staff_login(request: pytest.FixtureRequest) -> Callable[[FlaskClient, User], None]:
    return _suite(request).login  # type: ignore[attr-defined, no-any-return]


@pytest.fixture
def portal_login(request: pytest.FixtureRequest) -> Callable[[FlaskClient, User], None]:
    password = _suite(request).PASSWORD  # type: ignore[attr-defined]

    def login(client: FlaskClient, user: User) -> None:
        reply = client.post("/portal/login", data={"login": user.login, "password": password})
        assert reply.status_code in (302, 303)

    return login


def publish(session: Session, writer: User, reviewer: User, **text: str) -> Article:
    article = service.create(session, writer, service.ArticleText(**text))  # type: ignore[arg-type]
    service.submit(session, writer, article)
    service.publish(session, reviewer, article)
    session.commit()
    return article


@pytest.fixture
def guides(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
) -> Guides:
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="bank-a", name="杭州甲银行")
    agent = make_user(Role.AGENT, centre, name="李娜")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    provider = make_user(Role.PROVIDER, bank, name="陈静")
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司")
    ent_user = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, name="周杰")
    public = publish(
        session,
        agent,
        supervisor,
        title="小微企业融资担保贷款申请指南",
        body="## 申请条件\n- 正常经营满 1 年\n\n**担保**费率不超过 1%。",
        category="finance/guarantee",
    )
    internal = publish(
        session,
        agent,
        supervisor,
        title="坐席受理要点：融资类来电",
        body="派单规则：贷款担保优先派担保公司。",
        category="finance",
        audience="internal",
    )
    draft = service.create(
        session,
        agent,
        service.ArticleText(
            title="展销会补贴（征求意见稿）",
            body="展位费补贴拟调整。",
            category="market/exhibition",
        ),
    )
    session.commit()
    return Guides(agent, supervisor, provider, ent_user, public, internal, draft)
