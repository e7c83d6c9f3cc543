"""The OpenAPI document: valid OpenAPI 3.1, complete, and describing what the API really does."""

from __future__ import annotations

import dataclasses
import re
from typing import Any

import jsonschema
import pytest
from openapi_spec_validator import validate

from helpdesk.api.actions import ACTIONS
from helpdesk.tickets.queries import TicketFilter

from .support import API, World


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get(f"{API}/openapi.json")  # public: no credentials
    assert response.status_code == 200
    return dict(response.get_json())


def test_document_is_valid_openapi(document: dict[str, Any]) -> None:
    validate(document)
    assert document["openapi"].startswith("3.1")


def test_every_api_route_is_documented(app, document: dict[str, Any]) -> None:
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    served = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.unknown":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        served |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert served == documented
    for action in ACTIONS:
        assert (f"{API}/tickets/{{number}}/{action}", "POST") in documented


def test_bodies_are_the_models_that_validate_requests(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    create = document["paths"][f"{API}/tickets"]["post"]
    ref = create["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref == "#/components/schemas/TicketCreate"
    body = schemas["TicketCreate"]
    assert body["additionalProperties"] is False
    assert body["properties"]["subject"]["maxLength"] == 200
    assert set(body["required"]) == {"subject", "category"}
    assert set(create["responses"]) == {"201", "400", "401", "413", "422"}
    cancel = document["paths"][f"{API}/tickets/{{number}}/cancel"]["post"]
    cancel_ref = cancel["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schemas[cancel_ref.rsplit("/", 1)[1]]["properties"]["reason"]["enum"] == [
        "duplicate",
        "spam",
    ]
    assert {"403", "404", "409"} <= set(cancel["responses"])


def test_list_query_parameters_cover_the_ticket_filter(document: dict[str, Any]) -> None:
    params = document["paths"][f"{API}/tickets"]["get"]["parameters"]
    names = {p["name"] for p in params if p["in"] == "query"}
    assert {f.name for f in dataclasses.fields(TicketFilter)} | {"limit", "before"} == names


def test_openapi_is_public_and_everything_else_needs_auth(document: dict[str, Any]) -> None:
    assert document["paths"][f"{API}/openapi.json"]["get"]["security"] == []
    assert {"bearer", "session"} == set(document["components"]["securitySchemes"])


def test_real_responses_match_their_documented_schemas(
    api_as, world: World, document: dict[str, Any]
) -> None:
    api = api_as(world.agent)
    number = world.ticket_a.number
    api.post(f"/tickets/{number}/comments", {"body": "你好"})
    checks = [
        (f"/tickets/{number}", "/tickets/{number}"),
        ("/tickets", "/tickets"),
        ("/tickets/count", "/tickets/count"),
        (f"/tickets/{number}/events", "/tickets/{number}/events"),
        (f"/tickets/{number}/comments", "/tickets/{number}/comments"),
        ("/categories", "/categories"),
        ("/regions", "/regions"),
        ("/organisations", "/organisations"),
        ("/enterprises", "/enterprises"),
        ("/nothing", None),
    ]
    for url, template in checks:
        response = api.get(url)
        if template is None:
            schema = {"$ref": "#/components/schemas/ErrorResponse"}
        else:
            ok = document["paths"][API + template]["get"]["responses"]["200"]
            schema = ok["content"]["application/json"]["schema"]
        root = {**schema, "components": document["components"]}
        jsonschema.validate(response.get_json(), root)
