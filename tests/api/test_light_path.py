"""A bearer-token API call takes the light path (helpdesk.web.token_calls): no cookie session
opened or saved, the API's security headers, none of the pages' hooks; pages and browser API
calls keep theirs."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from helpdesk.api.registry import blueprint
from helpdesk.auth.models import User
from helpdesk.web import token_calls
from helpdesk.web.headers import API_POLICY

from .support import API, World, error_of
from .test_errors_api import GOOD, _log_in


def _no_cookie_business(response) -> None:  # type: ignore[no-untyped-def]
    assert "Set-Cookie" not in response.headers
    assert "Cookie" not in response.vary
    assert response.headers["Content-Security-Policy"] == API_POLICY
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_a_token_call_sets_no_cookie_and_carries_the_api_headers(
    client: FlaskClient, world: World, token: Callable[..., str]
) -> None:
    # The same client is logged in as a browser too, and asks for English: the token call
    # still neither reads nor writes the session cookie.
    _log_in(client, world.supervisor)
    bearer = {"Authorization": f"Bearer {token(world.agent)}"}
    created = client.post(f"{API}/tickets?lang=en", json=GOOD, headers=bearer)
    assert created.status_code == 201, created.get_json()
    _no_cookie_business(created)
    listed = client.get(f"{API}/tickets?lang=en", headers=bearer)
    assert listed.status_code == 200
    _no_cookie_business(listed)


def test_refused_and_unknown_token_calls_answer_json_without_a_cookie(
    client: FlaskClient, world: World, token: Callable[..., str]
) -> None:
    revoked = {"Authorization": f"Bearer {token(world.agent, revoked=True)}"}
    refused = client.post(f"{API}/tickets?lang=en", json=GOOD, headers=revoked)
    assert error_of(refused, 401)["field"] == "Authorization"
    assert refused.headers["WWW-Authenticate"].startswith("Bearer")
    _no_cookie_business(refused)
    valid = {"Authorization": f"Bearer {token(world.agent)}"}
    missing = client.get(f"{API}/no-such-thing", headers=valid)
    assert error_of(missing, 404)["code"] == "not_found"
    _no_cookie_business(missing)


def test_pages_and_browser_api_calls_keep_the_session_and_the_page_policy(
    client: FlaskClient, world: World
) -> None:
    page = client.get("/login?lang=en")
    assert "session=" in page.headers["Set-Cookie"]  # the remembered language
    assert re.search(r"script-src 'self' 'nonce-[^']+'", page.headers["Content-Security-Policy"])
    _log_in(client, world.agent)
    browser = client.get(f"{API}/tickets")  # the console: its cookie is the caller
    assert browser.status_code == 200
    assert "Cookie" in browser.vary
    assert "'nonce-" in browser.headers["Content-Security-Policy"]


def test_every_page_only_hook_was_found_and_skipped(app: Flask) -> None:
    assert app.extensions["helpdesk.token_calls.skipped"] == token_calls.PAGE_ONLY_HOOKS
    assert f"{blueprint.url_prefix}/" == token_calls.API_PREFIX


def test_a_token_is_not_a_person_told_to_change_their_password(
    client: FlaskClient, make_user: Callable[..., User], token: Callable[..., str], session
) -> None:  # type: ignore[no-untyped-def]
    user = make_user()
    user.must_change_password = True
    session.commit()
    answer = client.get(f"{API}/tickets", headers={"Authorization": f"Bearer {token(user)}"})
    assert answer.status_code == 200
