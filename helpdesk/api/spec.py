"""The OpenAPI 3.1 document, built with apispec from the route registry and pydantic models."""

from __future__ import annotations

import re
from typing import Any

from apispec import APISpec
from flask import current_app
from pydantic import BaseModel

from helpdesk.api import schemas as out
from helpdesk.api.registry import ROUTES, Route, blueprint, route
from helpdesk.ids import MAX_PATH_ID

REF = "#/components/schemas/{model}"
PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ERROR_TEXT = {
    400: "The body is not a JSON object, or the CSRF token is missing",
    401: "Not authenticated",
    403: "The caller's role may not do this",
    404: "Unknown ticket or record, or one outside the caller's scope",
    409: "The ticket's status does not allow this action",
    413: "The body is larger than 2 MiB",
    422: "A field is invalid; error.field names it",
}
DESCRIPTION = (
    "Authenticate with `Authorization: Bearer <token>` (integrations) or the session cookie "
    "(browser; writes then need the page's CSRF token in `X-CSRFToken`). Errors are "
    '`{"error": {"code", "message", "field"}}`.'
)


class _Schemas:
    """Collects model schemas and their $defs as components, answering $refs to them."""

    def __init__(self) -> None:
        self.components: dict[str, dict[str, Any]] = {}

    def add(self, model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
        schema = self.full(model, mode)
        self.components.setdefault(model.__name__, schema)
        return {"$ref": REF.format(model=model.__name__)}

    def full(self, model: type[BaseModel], mode: str = "validation") -> dict[str, Any]:
        schema = model.model_json_schema(ref_template=REF, mode=mode)  # type: ignore[arg-type]
        for name, definition in schema.pop("$defs", {}).items():
            self.components.setdefault(name, definition)
        return schema


def _path(rule: str) -> str:
    return blueprint.url_prefix + PATH_PARAM.sub(r"{\2}", rule)  # type: ignore[operator]


def _parameters(r: Route, schemas: _Schemas) -> list[dict[str, Any]]:
    params = [
        {
            "in": "path",
            "name": name,
            "required": True,
            "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PATH_ID}
            if converter == "id"
            else {"type": "string"},
        }
        for converter, name in PATH_PARAM.findall(r.rule)
    ]
    if r.query is not None:
        query = schemas.full(r.query)
        for name, prop in query.get("properties", {}).items():
            param: dict[str, Any] = {"in": "query", "name": name, "schema": prop}
            param["required"] = name in query.get("required", [])
            if "description" in prop:
                param["description"] = prop["description"]
            params.append(param)
    return params


def _operation(r: Route, schemas: _Schemas) -> dict[str, Any]:
    def json_of(ref: dict[str, Any]) -> dict[str, Any]:
        return {"application/json": {"schema": ref}}

    error = schemas.add(out.ErrorResponse, "serialization")
    ok: dict[str, Any] = {"description": "OK" if r.status == 200 else "Created"}
    if r.response is not None:
        ok["content"] = json_of(schemas.add(r.response, "serialization"))
    statuses = set(r.errors)
    if r.allowed is not None:
        statuses.add(403)
    if not r.public:
        statuses.add(401)
    if r.query is not None:
        statuses.add(422)
    if r.body is not None:
        statuses.update({400, 413, 422})
    responses: dict[str, Any] = {str(r.status): ok}
    for status in sorted(statuses):
        responses[str(status)] = {"description": ERROR_TEXT[status], "content": json_of(error)}
    operation: dict[str, Any] = {
        "operationId": r.endpoint,
        "summary": r.summary,
        "tags": [r.tag],
        "parameters": _parameters(r, schemas),
        "responses": responses,
    }
    if r.body is not None:
        # An empty body counts as {}: a body is required only when the model needs a field.
        needed = any(field.is_required() for field in r.body.model_fields.values())
        operation["requestBody"] = {"required": needed, "content": json_of(schemas.add(r.body))}
    if r.public:
        operation["security"] = []
    return operation


def build() -> dict[str, Any]:
    spec = APISpec(
        title="Hangzhou SME service platform helpdesk",
        version="1",
        openapi_version="3.1.0",
        info={"description": DESCRIPTION},
        security=[{"bearer": []}, {"session": []}],
    )
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme(
        "session", {"type": "apiKey", "in": "cookie", "name": "session"}
    )
    schemas = _Schemas()
    paths: dict[str, dict[str, Any]] = {}
    for r in ROUTES:
        paths.setdefault(_path(r.rule), {})[r.method.lower()] = _operation(r, schemas)
    for name in sorted(schemas.components):
        spec.components.schema(name, schemas.components[name])
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


@route("/openapi.json", summary="This document", tag="meta", public=True)
def openapi() -> dict[str, Any]:
    cached = current_app.extensions.get("helpdesk.openapi")
    if cached is None:
        cached = current_app.extensions["helpdesk.openapi"] = build()
    return cached
