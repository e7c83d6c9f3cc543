"""Bad input never reaches a 500: every operation of the OpenAPI document, as each role, with
Hypothesis-made path ids, query strings and JSON bodies (deep nesting, NUL bytes, ids beyond
64 bits, odd dates, any Unicode). Runs on SQLite, and on PostgreSQL with
HELPDESK_TEST_DATABASE_URL, which refuses NUL bytes the driver is handed."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk.auth.models import Role

from .support import World

ROLES = ["agent", "supervisor", "admin", "provider", "enterprise", "anonymous"]

text = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(
    ["\x00", "a\x00b", "0001-01-01", "9999-12-31T23:59:59", "2" * 30, "-1", "1e400", "finance"]
)
numbers = st.integers(min_value=-(2**70), max_value=2**70) | st.floats(allow_nan=False)
scalars = st.none() | st.booleans() | numbers | text
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)
query_values = text | st.integers(min_value=-(2**70), max_value=2**70).map(str)


def _deep(levels: int) -> str:
    return "[" * levels + "]" * levels


def _operations(app: Flask) -> list[tuple[str, str, dict[str, Any]]]:
    document = app.test_client().get("/api/v1/openapi.json").get_json()
    found = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            if method in ("get", "post") and not path.endswith("openapi.json"):
                found.append((method, path, operation))
    return found


@st.composite
def requests_for(
    draw: st.DrawFn, operations: list[tuple[str, str, dict[str, Any]]], numbers_seen: list[str]
) -> tuple[str, str, dict[str, str], bytes | None]:
    method, path, operation = draw(st.sampled_from(operations))
    query: dict[str, str] = {}
    for parameter in operation.get("parameters", []):
        name = parameter["name"]
        if parameter["in"] == "path":
            value = draw(
                st.sampled_from(numbers_seen) | query_values.filter(lambda v: "/" not in v)
            )
            path = path.replace("{" + name + "}", value or "x")
        elif draw(st.booleans()):
            query[name] = draw(query_values)
    body = None
    if method == "post":
        shape = draw(st.sampled_from(["json", "object", "deep", "raw"]))
        if shape == "deep":
            body = _deep(draw(st.sampled_from([100, 5_000, 50_000]))).encode()
        elif shape == "raw":
            body = draw(st.binary(max_size=60))
        else:
            value = draw(json_values if shape == "json" else st.dictionaries(text, json_values))
            body = json.dumps(value).encode()
    return method, path, query, body


@pytest.fixture
def callers(world: World, make_user, token) -> dict[str, dict[str, str]]:  # type: ignore[no-untyped-def]
    admin = make_user(Role.ADMIN, world.centre)
    people = {
        "agent": world.agent,
        "supervisor": world.supervisor,
        "admin": admin,
        "provider": world.provider_a,
        "enterprise": world.ent_user_1,
    }
    headers = {role: {"Authorization": f"Bearer {token(user)}"} for role, user in people.items()}
    headers["anonymous"] = {}
    return headers


@pytest.mark.parametrize("role", ROLES)
def test_no_input_reaches_a_500(
    app: Flask, client: FlaskClient, world: World, callers: dict[str, dict[str, str]], role: str
) -> None:
    operations = _operations(app)
    numbers_seen = [world.ticket_a.number, world.ticket_b.number, str(world.org_a.id)]

    @settings(
        max_examples=60,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(requests_for(operations, numbers_seen))
    def check(request: tuple[str, str, dict[str, str], bytes | None]) -> None:
        method, path, query, body = request
        headers = {**callers[role], "Content-Type": "application/json"}
        response = client.open(path, method=method, query_string=query, data=body, headers=headers)
        assert response.status_code < 500, (
            f"{method.upper()} {path} {query} {body[:80] if body else None!r} as {role}: "
            f"{response.status_code} {response.get_data(as_text=True)[:300]}"
        )
        if response.status_code >= 400 and response.is_json:
            assert re.fullmatch(r"[a-z_]+", response.get_json()["error"]["code"])

    check()
