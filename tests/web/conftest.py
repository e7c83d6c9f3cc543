"""Page-test helpers: people of each role, and reading a page's text."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from web import helpers


@pytest.fixture
def centre(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")


@pytest.fixture
def agent(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.AGENT, centre, name="李娜")


@pytest.fixture
def supervisor(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.SUPERVISOR, centre, name="王敏")


@pytest.fixture(autouse=True, scope="session")
def _shared_conftest(request: pytest.FixtureRequest) -> None:
    """Reach the suite's own conftest (its `login` and PASSWORD) through pytest, not by the
    module name `conftest`, which another folder's conftest.py may hold in sys.modules."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None, f"{path} is not loaded"
    helpers.SHARED = module
