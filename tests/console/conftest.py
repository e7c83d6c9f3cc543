from __future__ import annotations

from collections.abc import Callable

import pytest
from realtime.live import fresh_presence, rt_redis, web  # noqa: F401
from sqlalchemy.orm import Session

from console.provider_desk import BankDesk
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind


@pytest.fixture
def bank_desk(
    session: Session,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
) -> BankDesk:
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="bank", name="杭州银行科技支行")
    agent = make_user(Role.AGENT, centre, name="李娜")
    banker = make_user(Role.PROVIDER, bank, name="陈静")
    return BankDesk(session, centre, bank, agent, banker)
