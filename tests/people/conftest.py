"""People-page fixtures: an administrator and the service centre they run."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from web import helpers

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind


@pytest.fixture
def centre(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")


@pytest.fixture
def admin(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.ADMIN, centre, login="admin", name="系统管理员")


@pytest.fixture(autouse=True, scope="session")
def _shared_conftest(request: pytest.FixtureRequest) -> None:
    """The suite's own `login` (see tests/web/conftest.py for why it is reached this way)."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None, f"{path} is not loaded"
    helpers.SHARED = module
