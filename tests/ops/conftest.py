"""Operations-console fixtures: an administrator, the service centre, two banks, and rules
that send finance tickets to the first bank that can take them."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session
from web import helpers

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind, ServiceCategory
from helpdesk.directory.queries import forget_reference

FINANCE_RULES = """\
rules:
  - name: finance
    priority: 100
    conditions: [{type: category, in: finance/*}]
    route: {to: [bank-a, bank-b]}
  - name: default
    priority: 0
    route: {to: [centre]}
"""


@pytest.fixture(autouse=True)
def _fresh_caches() -> Iterator[None]:
    """The SLA calendar and the catalogue are cached per process (reference_version); the
    database is emptied between tests without the console, so forget them before and after."""
    from helpdesk.sla import calendar_store, policy_store

    calendar_store.forget()
    policy_store.reset()
    forget_reference()
    yield
    calendar_store.forget()
    policy_store.reset()
    forget_reference()


@pytest.fixture
def centre(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")


@pytest.fixture
def admin(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.ADMIN, centre, login="admin", name="系统管理员")


@pytest.fixture
def banks(
    make_org: Callable[..., Organisation],
    centre: Organisation,
    use_rules: Callable[..., Path],
) -> tuple[Organisation, Organisation]:
    first = make_org(slug="bank-a", name="杭州银行", categories=("finance",), capacity=10)
    second = make_org(slug="bank-b", name="浙商银行", categories=("finance",), capacity=10)
    use_rules({"rules.yaml": FINANCE_RULES})
    return first, second


@pytest.fixture
def restore_catalogue(session: Session) -> Iterator[None]:
    """The catalogue is reference data the suite keeps between tests: put it back."""
    before = {c.code: (c.name_zh, c.name_en, c.position, c.active)
              for c in session.scalars(select(ServiceCategory))}  # fmt: skip
    yield
    session.rollback()
    session.execute(delete(ServiceCategory).where(ServiceCategory.code.not_in(before)))
    for c in session.scalars(select(ServiceCategory)):
        c.name_zh, c.name_en, c.position, c.active = before[c.code]
    session.commit()
    forget_reference()


@pytest.fixture(autouse=True, scope="session")
def _shared_conftest(request: pytest.FixtureRequest) -> None:
    """The suite's own `login` (see tests/web/conftest.py for why it is reached this way)."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None, f"{path} is not loaded"
    helpers.SHARED = module
