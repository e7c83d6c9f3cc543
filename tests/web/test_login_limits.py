"""Limits that fire: failed logins at the staff /login and the portal's slow down, then lock,
per account and per client address; the person is told in Chinese; the lock is logged; the
right password clears the account's count. Time is driven through helpdesk.clock."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from helpdesk import clock
from helpdesk.auth import throttle
from helpdesk.auth.models import Role, User
from web.helpers import password


@pytest.fixture(autouse=True)
def _frozen() -> None:
    clock.freeze(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


def _try(
    client: FlaskClient, login: str, secret: str, path: str = "/login", address: str = "10.0.0.1"
) -> TestResponse:
    return client.post(
        path, data={"login": login, "password": secret}, environ_base={"REMOTE_ADDR": address}
    )


def _text(response: TestResponse) -> str:
    return response.get_data(as_text=True)


def test_fifty_wrong_passwords_then_the_right_one_is_still_refused(
    client: FlaskClient, agent: User
) -> None:
    for _ in range(50):
        _try(client, agent.login, "guess")
        clock.advance(timedelta(seconds=1))
    response = _try(client, agent.login, password())
    assert response.status_code == 429
    assert "登录失败次数过多" in _text(response)
    assert client.get("/tickets").status_code == 302


def test_misses_bring_a_growing_wait_then_a_lock_and_the_right_password_clears_them(
    client: FlaskClient, agent: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="helpdesk.auth.throttle")
    for _ in range(throttle.FREE_MISSES):  # typing errors: no wait
        assert _try(client, agent.login, "typo").status_code == 401
    waits = []
    for _ in range(throttle.FREE_MISSES + 1, throttle.LOCK_AFTER):
        response = _try(client, agent.login, "guess")
        assert response.status_code == 429
        waits.append(int(response.headers["Retry-After"]))
        assert f"请等待 {waits[-1]} 秒" in _text(response)
        # While waiting, even the right password is refused, without being checked.
        assert _try(client, agent.login, password()).status_code == 429
        clock.advance(timedelta(seconds=waits[-1]))
    assert waits == sorted(waits) and waits[0] < waits[-1]
    locked = _try(client, agent.login, "guess")
    assert locked.status_code == 429
    assert "已锁定 15 分钟" in _text(locked)
    assert "login locked" in caplog.text and agent.login in caplog.text
    clock.advance(timedelta(minutes=14))
    assert _try(client, agent.login, password()).status_code == 429
    clock.advance(timedelta(minutes=1))
    assert _try(client, agent.login, password()).status_code == 302
    # The success cleared the count: the next miss is a plain miss again.
    client.post("/logout")
    assert _try(client, agent.login, "typo").status_code == 401


def test_an_enterprise_user_cannot_bypass_the_portal_at_the_staff_login(
    client: FlaskClient, make_user, make_enterprise
) -> None:
    owner = make_user(Role.ENTERPRISE, enterprise_id=make_enterprise().id)
    for _ in range(throttle.LOCK_AFTER):
        _try(client, owner.login, "guess", "/login")
        clock.advance(timedelta(seconds=throttle.MAX_WAIT_SECONDS))
    for path in ("/login", "/portal/login"):
        response = _try(client, owner.login, password(), path, address="10.0.0.2")
        assert response.status_code == 429, path
        assert "已锁定" in _text(response)


def test_one_address_guessing_many_accounts_is_locked_others_are_not(
    client: FlaskClient, agent: User
) -> None:
    for n in range(throttle.ADDRESS_LOCK_AFTER):
        _try(client, f"nobody{n}", "guess", address="10.9.9.9")
    response = _try(client, agent.login, password(), address="10.9.9.9")
    assert response.status_code == 429 and "已锁定" in _text(response)
    assert _try(client, agent.login, password(), address="10.0.0.3").status_code == 302


def test_the_portal_login_counts_misses_too(
    client: FlaskClient, make_user, make_enterprise
) -> None:
    owner = make_user(Role.ENTERPRISE, enterprise_id=make_enterprise().id)
    codes = []
    for _ in range(throttle.FREE_MISSES + 1):
        codes.append(_try(client, owner.login, "guess", "/portal/login").status_code)
    assert codes == [401] * throttle.FREE_MISSES + [429]
    clock.advance(timedelta(seconds=throttle.MAX_WAIT_SECONDS))
    assert _try(client, owner.login, password(), "/portal/login").status_code == 302
