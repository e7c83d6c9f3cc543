"""The loop's fixtures: its settings per test, and a centre, a provider and their people."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from web import helpers

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.loop.config import KEY, LoopConfig


@pytest.fixture(autouse=True)
def loop_settings(app: Flask) -> Iterator[Callable[..., LoopConfig]]:
    """Each test starts from the defaults; `loop_settings(auto_close_days=2)` changes some."""
    app.extensions[KEY] = LoopConfig()

    def change(**values: Any) -> LoopConfig:
        app.extensions[KEY] = replace(app.extensions[KEY], **values)
        return app.extensions[KEY]  # type: ignore[no-any-return]

    yield change
    app.extensions.pop(KEY, None)


@dataclass
class People:
    centre: Organisation
    provider: Organisation
    other: Organisation
    agent: User
    supervisor: User
    provider_staff: User
    other_staff: User


@pytest.fixture
def people(make_org: Callable[..., Organisation], make_user: Callable[..., User]) -> People:
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    provider = make_org(slug="hz-bank", name="杭州银行科技支行")
    other = make_org(slug="zj-law", name="浙江律师事务所")
    return People(
        centre,
        provider,
        other,
        make_user(Role.AGENT, centre, name="李娜"),
        make_user(Role.SUPERVISOR, centre, name="王敏"),
        make_user(Role.PROVIDER, provider, name="赵强"),
        make_user(Role.PROVIDER, other, name="钱律师"),
    )


@pytest.fixture(autouse=True, scope="session")
def _shared_conftest(request: pytest.FixtureRequest) -> None:
    """The suite's own `login` (see tests/web/conftest.py for why it is reached this way)."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None, f"{path} is not loaded"
    helpers.SHARED = module
