"""What a request brings: who is asking, and a body or query string checked against a model."""

from __future__ import annotations

import json
from typing import TypeVar

from flask import current_app, request
from flask_login import current_user
from flask_wtf.csrf import validate_csrf
from pydantic import BaseModel
from wtforms import ValidationError as CsrfError

from helpdesk.api.errors import BadBody, CsrfFailed, Unauthenticated
from helpdesk.auth.models import User
from helpdesk.auth.session import is_token_request, token_verdict, user_from_token
from helpdesk.errors import Forbidden, InvalidInput

M = TypeVar("M", bound=BaseModel)
CSRF_HEADERS = ("X-CSRFToken", "X-CSRF-Token")


def authenticate() -> User:
    """The caller. A bearer token, when sent, must be valid: it never falls back to the cookie.

    A session-cookie caller is a browser, so its writes must carry the page's CSRF token.
    """
    if is_token_request():
        user = user_from_token(request)
        if user is None:
            verdict = token_verdict()
            reason = verdict.refusal if verdict and verdict.refusal else "the API token is refused"
            if verdict is not None and verdict.status == 403:
                raise Forbidden(reason, field="Authorization")
            raise Unauthenticated(reason, field="Authorization")
        return user
    if not current_user.is_authenticated:
        raise Unauthenticated("log in or send 'Authorization: Bearer <token>'")
    if request.method not in ("GET", "HEAD", "OPTIONS"):
        _check_csrf()
    return current_user._get_current_object()


def _check_csrf() -> None:
    if not current_app.config.get("WTF_CSRF_ENABLED", True):
        return
    token = next((request.headers[h] for h in CSRF_HEADERS if h in request.headers), None)
    try:
        validate_csrf(token)
    except CsrfError as exc:
        raise CsrfFailed(f"CSRF check failed: {exc}", field="X-CSRFToken") from exc


def parse_body(model: type[M]) -> M:
    """A JSON object validated by `model` (strict types, unknown fields refused).

    An empty body counts as `{}`, so actions without fields need no body at all.
    Reading the body raises 413 when it is over the app's MAX_CONTENT_LENGTH.
    """
    raw = request.get_data(cache=True)
    if not raw.strip():
        raw = b"{}"
    try:
        value = json.loads(raw)
        _refuse_nul(value, "")
    except RecursionError as exc:  # nested thousands deep: no body of ours is
        raise BadBody("the body is nested too deeply") from exc
    except ValueError as exc:
        raise BadBody(f"the body is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise BadBody(f"the body must be a JSON object, not {type(value).__name__}")
    return model.model_validate_json(raw)


def parse_query(model: type[M]) -> M:
    """Query-string arguments (first value of each) validated by `model`."""
    arguments = request.args.to_dict()
    _refuse_nul(arguments, "")
    return model.model_validate(arguments)


def refuse_nul_in_path(path: dict[str, object]) -> None:
    for name, value in path.items():
        if isinstance(value, str):
            _refuse_nul(value, name)


def _refuse_nul(value: object, where: str) -> None:
    """NUL characters are refused with the field named: PostgreSQL cannot store them in text,
    and no field of ours needs one."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidInput("NUL characters are not allowed", field=where or "body")
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(key, where or "body")
            _refuse_nul(item, f"{where}.{key}" if where else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_nul(item, f"{where}[{index}]")
