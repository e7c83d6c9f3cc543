"""Phone fixtures: the CTI endpoint, a fixed business-hours answer, agents with extensions."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.channels.phone import service
from helpdesk.channels.phone.config import KEY, phone_config


@pytest.fixture
def cti_url(app: Flask) -> str:
    return f"/api/v1/cti/{phone_config(app).cti_token}"


@pytest.fixture
def post_cti(client: FlaskClient, cti_url: str) -> Callable[..., Any]:
    def post(as_json: bool = False, **fields: Any) -> Any:
        if as_json:
            return client.post(cti_url, json=fields)
        return client.post(cti_url, data=fields)

    return post


@pytest.fixture(autouse=True)
def _open_hours(monkeypatch: pytest.MonkeyPatch) -> None:
    """The hotline is open unless a test says otherwise (the calendar has its own tests)."""
    monkeypatch.setattr(service, "business_hours", lambda moment: True)


@pytest.fixture
def ivr_secret(app: Flask) -> Iterator[str]:
    config = app.extensions[KEY]
    app.extensions[KEY] = type(config)(**{**config.__dict__, "ivr_secret": "s3cret"})
    yield "s3cret"
    app.extensions[KEY] = config


@pytest.fixture
def log_in() -> Callable[[FlaskClient, Any], None]:
    """Log a user in through the real login form (the suite's users share one password)."""

    def do(client: FlaskClient, user: Any) -> None:
        reply = client.post("/login", data={"login": user.login, "password": "secret-pass"})
        assert reply.status_code in (302, 303), reply.get_data(as_text=True)[:300]

    return do
