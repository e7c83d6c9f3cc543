"""One declaration per endpoint: it registers the Flask route, validates the request with its
pydantic models, and is what the OpenAPI document is built from (spec.py), so the two agree.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel

from helpdesk.api import inputs
from helpdesk.auth.models import User
from helpdesk.errors import Forbidden
from helpdesk.extensions import db
from helpdesk.extensions import db_session as db_session  # re-exported for API modules

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

Handler = Callable[..., Any]


@dataclass(frozen=True)
class Route:
    rule: str  # Flask rule below the blueprint prefix, e.g. "/tickets/<number>"
    method: str
    endpoint: str
    summary: str
    tag: str
    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    public: bool = False  # no authentication (the OpenAPI document itself)
    # The role rule (helpdesk.auth.permissions), checked before the query and the body: a role
    # that may not do this is told so whatever it sent.
    allowed: Callable[[User], bool] | None = None
    # A check that needs the path too (a ticket action: scope, then role), same moment.
    before: Callable[[User, dict[str, Any]], None] | None = None
    errors: tuple[int, ...] = ()  # statuses beyond those every route of its kind can answer


ROUTES: list[Route] = []


def route(
    rule: str,
    method: str = "GET",
    *,
    summary: str,
    tag: str,
    endpoint: str | None = None,
    **options: Any,
) -> Callable[[Handler], Handler]:
    """Register `handler(user=..., body=..., query=..., **path)`; it returns a model or dict.

    `user` is passed unless the route is public, `body`/`query` when a model is declared.
    """

    def decorate(handler: Handler) -> Handler:
        spec = Route(rule, method, endpoint or handler.__name__, summary, tag, **options)
        ROUTES.append(spec)

        @functools.wraps(handler)
        def view(**path: Any) -> tuple[Response, int]:
            return _call(spec, handler, path)

        blueprint.add_url_rule(rule, endpoint=spec.endpoint, view_func=view, methods=[method])
        return handler

    return decorate


def _call(spec: Route, handler: Handler, kwargs: dict[str, Any]) -> tuple[Response, int]:
    if not spec.public:
        kwargs["user"] = user = inputs.authenticate()
        if spec.allowed is not None and not spec.allowed(user):
            raise Forbidden(f"a {user.role.value} may not: {spec.summary}", field="user")
        inputs.refuse_nul_in_path(kwargs)  # before `before`, which looks the path up
        if spec.before is not None:
            spec.before(user, kwargs)
    else:
        inputs.refuse_nul_in_path(kwargs)
    if spec.query is not None:
        kwargs["query"] = inputs.parse_query(spec.query)
    if spec.body is not None:
        kwargs["body"] = inputs.parse_body(spec.body)
    result = handler(**kwargs)
    # Serialise before committing: the commit expires every loaded object. A model is written
    # by pydantic straight to JSON text (not to a dict that Flask then encodes again).
    if isinstance(result, BaseModel):
        response = Response(result.model_dump_json(), mimetype="application/json")
    else:
        response = jsonify(result)
    if request.method != "GET":
        db.session.commit()  # the one commit of the request
    return response, spec.status
