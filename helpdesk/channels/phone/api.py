"""JSON endpoints: the Zammad-compatible CTI webhook, and call transfer for integrations.

Errors have the API's shape, {"error": {"code", "message", "field"}}, and roll back the session.
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, jsonify, request
from werkzeug.exceptions import HTTPException

from helpdesk.api.errors import Unauthenticated, error_response
from helpdesk.api.inputs import authenticate
from helpdesk.auth import permissions, tokens
from helpdesk.channels.phone import cti, service
from helpdesk.channels.phone.config import phone_config
from helpdesk.errors import DomainError, Forbidden, InvalidInput
from helpdesk.extensions import csrf, db

log = logging.getLogger(__name__)
blueprint = Blueprint("phone_api", __name__, url_prefix="/api/v1")
csrf.exempt(blueprint)


@blueprint.errorhandler(DomainError)
def _domain(exc: DomainError) -> Response:
    return error_response(exc.status, exc.code, exc.message, exc.field)


@blueprint.errorhandler(HTTPException)
@blueprint.errorhandler(413)  # by code: the app's Chinese page for a too-large form is HTML
def _http(exc: HTTPException) -> Response:
    return error_response(exc.code or 500, "error", exc.description or "")


def _form() -> cti.Form:
    """A form post (as most PBX bridges send) or a JSON object (as Zammad recommends)."""
    if request.is_json or (request.data[:1] == b"{" and not request.form):
        try:
            data = json.loads(request.get_data(cache=True) or b"{}")
        except ValueError as exc:
            raise InvalidInput(f"the body is not valid JSON: {exc}", field="body") from exc
        if not isinstance(data, dict):
            raise InvalidInput("the body must be a JSON object", field="body")
        return cti.Form(data)
    form = request.form
    return cti.Form(form.to_dict(), {key: form.getlist(key) for key in form if key.endswith("[]")})


@blueprint.post("/cti/<token>")
def cti_event(token: str) -> tuple[Response, int]:
    if not tokens.cti_path_token_ok(db.session(), token, phone_config().cti_token):
        raise Unauthenticated("unknown, revoked or expired CTI token")
    event = cti.parse(_form())
    reply = service.handle_cti(db.session(), event, phone_config())
    db.session.commit()
    return jsonify(reply), 200


@blueprint.post("/calls/<call_id>/transfer")
def transfer_call(call_id: str) -> tuple[Response, int]:
    user = authenticate()
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    if not permissions.can_work_calls(user):
        raise Forbidden("only centre staff transfer calls", field="user")
    session = db.session()
    record = service.get(session, call_id)
    instruction = service.transfer(
        session,
        user,
        record,
        str(body.get("kind") or ""),
        str(body.get("target") or ""),
        str(body.get("mode") or "blind"),
        body.get("reason"),
    )
    session.commit()
    return jsonify(instruction), 200
