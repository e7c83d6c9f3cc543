"""Bad input and bad callers: the right status, the field named, JSON always, nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from flask import session as flask_session
from flask_wtf.csrf import generate_csrf

from helpdesk.directory.models import OrgStatus

from .support import API, Api, World, error_of, rows

GOOD = {"subject": "咨询担保", "category": "finance/guarantee", "district": "330106"}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"enterprise_uscc": "91330100MA2XXXXXX1"}, "enterprise_uscc"),  # bad check character
        ({"enterprise_uscc": "9133010"}, "enterprise_uscc"),
        ({"contact_phone": "not a phone"}, "contact_phone"),
        ({"contact_phone": "12345"}, "contact_phone"),
        ({"category": "finance/no-such-service"}, "category"),
        ({"district": "999999"}, "district"),
        ({"district": None}, "district"),  # neither a district nor an enterprise to take it from
        ({"subject": "长" * 201}, "subject"),
        ({"subject": "   "}, "subject"),
        ({"description": "x" * 10_001}, "description"),
        ({"contact_name": "名" * 61}, "contact_name"),
        ({"priority": "whenever"}, "priority"),
        ({"priority": 5}, "priority"),
        ({"enterprise_id": "3"}, "enterprise_id"),
        ({"enterprise_id": 999999}, "enterprise_id"),
        ({"subject": ["a"]}, "subject"),
        ({"organisation_id": 999999}, "organisation_id"),
        ({"colour": "red"}, "colour"),  # unknown fields are refused, not ignored
    ],
)
def test_invalid_field_is_422_naming_it(
    change: dict[str, Any], field: str, api_as, world: World, session
) -> None:
    before = rows(session)
    error = error_of(api_as(world.agent).post("/tickets", GOOD | change), 422)
    assert error["field"] == field
    assert error["code"] == "invalid"
    assert error["message"]
    assert rows(session) == before


def test_missing_required_fields(api_as, world: World, session) -> None:
    error = error_of(api_as(world.agent).post("/tickets", {"category": "finance"}), 422)
    assert error["field"] == "subject"
    assert "required" in error["message"].lower()


def test_a_valid_credit_code_of_no_enterprise(api_as, world: World, session) -> None:
    before = rows(session)
    code = "91330106MA27XXXX6Q"
    from stdnum.cn import uscc

    code = code[:-1] + uscc.calc_check_digit(code[:-1])
    error = error_of(api_as(world.agent).post("/tickets", GOOD | {"enterprise_uscc": code}), 422)
    assert error["field"] == "enterprise_uscc"
    assert "no enterprise" in error["message"]
    assert rows(session) == before


def test_failure_after_a_partial_write_leaves_nothing(
    api_as, world: World, session, make_org
) -> None:
    """Creating straight to a suspended organisation fails after the ticket row was flushed."""
    suspended = make_org(status=OrgStatus.SUSPENDED)
    before = rows(session)
    error = error_of(
        api_as(world.agent).post("/tickets", GOOD | {"organisation_id": suspended.id}), 422
    )
    assert error["field"] == "organisation_id"
    assert rows(session) == before


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"subject=hello", "not valid JSON"),
        (b'{"subject": ', "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b'["subject"]', "JSON object"),
        (b'"text"', "JSON object"),
        (b"null", "JSON object"),
    ],
)
def test_body_that_is_not_a_json_object_is_400(
    data: bytes, fragment: str, api_as, world: World, session
) -> None:
    before = rows(session)
    api = api_as(world.agent)
    response = api.client.post(
        f"{API}/tickets", data=data, headers=api.headers, content_type="application/json"
    )
    error = error_of(response, 400)
    assert error["code"] == "invalid_json"
    assert fragment in error["message"]
    assert rows(session) == before


def test_body_over_two_mebibytes_is_413(api_as, world: World, session) -> None:
    before = rows(session)
    huge = GOOD | {"description": "x" * (2 * 1024 * 1024)}
    error = error_of(api_as(world.agent).post("/tickets", huge), 413)
    assert error["code"] == "too_large"
    assert rows(session) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/tickets"),
        ("GET", "/tickets/count"),
        ("POST", "/tickets"),
        ("GET", "/tickets/HZ-20260101-00001"),
        ("POST", "/tickets/HZ-20260101-00001/accept"),
        ("GET", "/regions"),
        ("GET", "/enterprises"),
    ],
)
def test_no_credentials_is_401_json_not_a_redirect(
    method: str, path: str, anonymous: Api, session
) -> None:
    before = rows(session)
    response = anonymous.client.open(f"{API}{path}", method=method, json=GOOD)
    error = error_of(response, 401)
    assert error["code"] == "unauthenticated"
    assert "Location" not in response.headers
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert rows(session) == before


def test_revoked_unknown_and_inactive_tokens_are_401(
    client, token, world: World, session, make_user
) -> None:
    revoked = token(world.agent, revoked=True)
    inactive_user = make_user(active=False)
    inactive = token(inactive_user)
    for raw in (revoked, "hd_not-a-token", inactive, ""):
        response = client.get(f"{API}/tickets", headers={"Authorization": f"Bearer {raw}"})
        assert error_of(response, 401)["code"] == "unauthenticated", raw
    assert (
        client.get(
            f"{API}/tickets", headers={"Authorization": f"Bearer {token(world.agent)}"}
        ).status_code
        == 200
    )


def _log_in(client, user) -> None:  # type: ignore[no-untyped-def]
    """A session as a real login leaves it (helpdesk.auth.lifetime checks its marks)."""
    from helpdesk import clock
    from helpdesk.auth import lifetime

    now = int(clock.now().timestamp())
    with client.session_transaction() as s:
        s["_user_id"] = str(user.id)
        s["_fresh"] = True
        s.update({lifetime.GENERATION: user.session_generation, "rt_login": "test"})
        s.update({lifetime.STARTED: now, lifetime.SEEN: now})


def test_a_bad_token_never_falls_back_to_the_session_cookie(client, world: World) -> None:
    _log_in(client, world.agent)
    assert client.get(f"{API}/tickets").status_code == 200
    response = client.get(f"{API}/tickets", headers={"Authorization": "Bearer hd_wrong"})
    error_of(response, 401)


@pytest.fixture
def csrf_on(app, monkeypatch):  # type: ignore[no-untyped-def]
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)


def test_session_writes_need_the_csrf_header(app, client, world: World, session, csrf_on) -> None:
    _log_in(client, world.agent)
    before = rows(session)
    refused = client.post(f"{API}/tickets", json=GOOD)
    error = error_of(refused, 400)
    assert error["code"] == "csrf_failed" and error["field"] == "X-CSRFToken"
    forged = client.post(f"{API}/tickets", json=GOOD, headers={"X-CSRFToken": "forged"})
    assert error_of(forged, 400)["code"] == "csrf_failed"
    assert rows(session) == before

    with app.test_request_context():
        signed = generate_csrf()
        raw = flask_session["csrf_token"]
    with client.session_transaction() as s:
        s["csrf_token"] = raw
    accepted = client.post(f"{API}/tickets", json=GOOD, headers={"X-CSRFToken": signed})
    assert accepted.status_code == 201, accepted.get_json()
    # reads need no token
    assert client.get(f"{API}/tickets").status_code == 200


def test_token_writes_need_no_csrf(api_as, world: World, csrf_on) -> None:
    assert api_as(world.agent).post("/tickets", GOOD).status_code == 201


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"status": "bogus"}, "status"),
        ({"limit": 0}, "limit"),
        ({"limit": 101}, "limit"),
        ({"limit": "many"}, "limit"),
        ({"before": "x"}, "before"),
        ({"organisation_id": "abc"}, "organisation_id"),
        ({"assignee_id": str(2**70)}, "assignee_id"),  # beyond any row id: not a driver error
        ({"before": str(2**63)}, "before"),
        ({"channel": "fax"}, "channel"),
    ],
)
def test_bad_list_filters_are_422(query: dict[str, Any], field: str, api_as, world) -> None:
    api = api_as(world.agent)
    assert error_of(api.get("/tickets", **query), 422)["field"] == field
    if field not in ("limit", "before"):
        assert error_of(api.get("/tickets/count", **query), 422)["field"] == field


def test_unknown_endpoint_and_method_are_json(api_as, world: World) -> None:
    api = api_as(world.agent)
    assert error_of(api.get("/nothing-here"), 404)["code"] == "not_found"
    assert error_of(api.post(f"/tickets/{world.ticket_a.number}/explode"), 404)
    wrong = api.client.delete(f"{API}/tickets", headers=api.headers)
    assert error_of(wrong, 405)["code"] == "method_not_allowed"
    assert set(wrong.headers["Allow"].split(", ")) == {"GET", "POST"}


def test_options_lists_only_what_the_path_serves(api_as, world: World) -> None:
    api = api_as(world.agent)
    listed = api.client.options(f"{API}/categories", headers=api.headers).headers["Allow"]
    assert set(listed.split(", ")) == {"GET", "HEAD", "OPTIONS"}
    action = f"{API}/tickets/{world.ticket_a.number}/accept"
    listed = api.client.options(action, headers=api.headers).headers["Allow"]
    assert set(listed.split(", ")) == {"POST", "OPTIONS"}


def test_pages_keep_html_errors(client) -> None:
    response = client.get("/no-such-page-anywhere")
    assert response.status_code == 404
    assert not response.is_json


def test_ids_beyond_64_bits_are_refused_by_field_not_a_server_error(
    api_as, world: World, session
) -> None:
    api, huge = api_as(world.supervisor), 2**70
    before = rows(session)
    move = {"organisation_id": world.org_b.id, "assignee_id": huge}
    error = error_of(api.post(f"/tickets/{world.ticket_a.number}/assign", move), 422)
    assert error["field"] == "assignee_id"
    assert error_of(api.post("/tickets", GOOD | {"enterprise_id": huge}), 422)["field"] == (
        "enterprise_id"
    )
    assert error_of(api.get(f"/organisations/{huge}"), 404)["code"] == "not_found"
    assert rows(session) == before
