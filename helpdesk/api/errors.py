"""JSON errors for the API blueprint only: {"error": {"code", "message", "field"}}.

Every error rolls the session back, so a failed request writes nothing. Pages keep their HTML
error pages because these handlers are registered on the blueprint, not the app.
"""

from __future__ import annotations

import logging

from flask import Blueprint, Response, current_app, jsonify, request
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound

from helpdesk.errors import DomainError
from helpdesk.extensions import db

log = logging.getLogger(__name__)

HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
}


class BadBody(DomainError):
    """The body is not JSON, or not a JSON object."""

    status = 400
    code = "invalid_json"


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


class CsrfFailed(DomainError):
    status = 400
    code = "csrf_failed"


def error_response(status: int, code: str, message: str, field: str | None = None) -> Response:
    db.session.rollback()
    response = jsonify({"error": {"code": code, "message": message, "field": field}})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="helpdesk"'
    return response


def _domain(exc: DomainError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.field)


def _validation(exc: ValidationError) -> Response:
    first = exc.errors(include_url=False)[0]
    # Union members add their tag to the loc (e.g. "str-enum[Status]"): keep the field path.
    parts = [str(p) for p in first["loc"] if isinstance(p, int) or str(p).isidentifier()]
    field = ".".join(parts) or None
    message = f"{field}: {first['msg']}" if field else first["msg"]
    return error_response(422, "invalid", message, field)


def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    response = error_response(status, HTTP_CODES.get(status, "error"), exc.description or "")
    if isinstance(exc, MethodNotAllowed) and exc.valid_methods:
        response.headers["Allow"] = ", ".join(exc.valid_methods)
    return response


def _unexpected(exc: Exception) -> Response:
    log.exception("API request %s %s failed", request.method, request.path)
    return error_response(500, "internal", "internal error; the change was not saved")


def _served_methods() -> list[str]:
    """The methods an endpoint serves at this request's path (not the catch-all below)."""
    adapter = current_app.create_url_adapter(request)
    allowed = []
    for method in ("GET", "POST"):
        try:
            endpoint, _ = adapter.match(request.path, method=method)  # type: ignore[union-attr]
        except HTTPException:
            continue
        if endpoint != "api.unknown":
            allowed.append(method)
    return allowed


def _unknown(path: str) -> Response:
    """Unknown API paths answer JSON 404, or 405 when the path exists for another method."""
    allowed = _served_methods()
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound(f"no API endpoint {request.method} {request.path}")


def _allow_what_is_served(response: Response) -> Response:
    """OPTIONS lists the methods the path serves; Flask's default would add every method of
    the catch-all, which matches every path."""
    if request.method == "OPTIONS" and response.status_code < 400:
        allowed = _served_methods()
        allowed += [*(["HEAD"] if "GET" in allowed else []), "OPTIONS"]
        response.headers["Allow"] = ", ".join(allowed)
    return response


def register(blueprint: Blueprint) -> None:
    blueprint.register_error_handler(DomainError, _domain)
    blueprint.register_error_handler(ValidationError, _validation)
    blueprint.register_error_handler(HTTPException, _http)
    # Flask looks for a handler by status code (blueprint, then app) before one by class: the
    # app's Chinese 404/403/413 pages (web/error_pages.py) would answer API calls with HTML.
    for code in (403, 404, 413):
        blueprint.register_error_handler(code, _http)
    blueprint.register_error_handler(Exception, _unexpected)
    blueprint.after_request(_allow_what_is_served)
    blueprint.add_url_rule(
        "/<path:path>",
        endpoint="unknown",
        view_func=_unknown,
        methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
    )
