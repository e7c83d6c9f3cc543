"""Page-test helpers: people of each role, and reading a page's text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind


@pytest.fixture
def centre(make_org: Callable[..., Organisation]) -> Organisation:
    return make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")


@pytest.fixture
def agent(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.AGENT, centre, name="李娜")


@pytest.fixture
def supervisor(make_user: Callable[..., User], centre: Organisation) -> User:
    return make_user(Role.SUPERVISOR, centre, name="王敏")
