"""Chat pages: the standalone chat (also what the embed snippet frames), the agent's chat page,
and file upload into a conversation."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.auth import permissions
from helpdesk.auth.models import STAFF_ROLES, User
from helpdesk.channels.chat import service
from helpdesk.channels.chat.config import chat_config
from helpdesk.directory.models import Organisation, OrgKind
from helpdesk.errors import DomainError, NotFound
from helpdesk.extensions import csrf, db
from helpdesk.ids import row_id
from helpdesk.portal import files
from helpdesk.portal.limiter import UPLOAD_PER_IP, limiter
from helpdesk.web import choices, db_session, install

blueprint = Blueprint("chat", __name__, url_prefix="/chat")
install(blueprint)


def canned_replies() -> list[str]:
    return [
        _("Hello, this is the SME service centre. How can I help you?"),
        _("Please tell me your enterprise's name and district."),
        _("I have recorded your need as a ticket; a specialist will contact you."),
        _("Is there anything else I can help you with?"),
        _("Thank you for contacting us. Please rate this conversation."),
    ]


@blueprint.route("/")
def page() -> ResponseReturnValue:
    """The chat itself. Framed only by this site and the configured embedding sites."""
    config = chat_config()
    response = make_response(
        render_template(
            "chat/page.html",
            embed=request.args.get("embed") == "1",
            services=choices.grouped_services(db_session()),
            limits=config,
        )
    )
    ancestors = " ".join(("'self'", *config.origins))
    response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
    return response


def agent_desk(me: User) -> dict[str, Any]:
    """What the agent side of the chat (templates/chat/_desk.html) shows: canned replies, who
    and which groups a chat can be passed to, the limit. The standalone page and the console."""
    colleagues = db.session.scalars(
        select(User)
        .where(User.role.in_(list(STAFF_ROLES)), User.active.is_(True), User.id != me.id)
        .order_by(User.name)
    )
    groups = db.session.scalars(
        select(Organisation)
        .where(Organisation.kind.in_([OrgKind.SERVICE_CENTRE, OrgKind.WORKSTATION]))
        .order_by(Organisation.name)
    )
    return {
        "canned": canned_replies(),
        "colleagues": list(colleagues),
        "groups": list(groups),
        "max_chats": chat_config().max_chats,
    }


@blueprint.route("/agent")
@login_required
def agent() -> ResponseReturnValue:
    if not permissions.can_answer_chats(current_user):
        abort(403)
    return render_template("chat/agent.html", desk=agent_desk(current_user))


@blueprint.route("/files", methods=["POST"])
@csrf.exempt  # no cookie authorises this: the visitor's key or an agent plus a custom header
@limiter.limit(UPLOAD_PER_IP)
def upload() -> ResponseReturnValue:
    if request.headers.get("X-Chat-Upload") != "1":
        return _error("bad_request", "send files from the chat page", "file", 400)
    try:
        if permissions.can_answer_chats(current_user):
            conversation_id = request.form.get("conversation_id", "")
            found = service.for_agent(
                db_session(),
                current_user,
                row_id(conversation_id),
            )
            service.owns(current_user, found)
            author = current_user.id
        else:
            found = service.by_token(db_session(), request.headers.get("X-Chat-Token"))
            visitor = current_user if current_user.is_authenticated else None
            if not permissions.is_chat_visitor(visitor, found.visitor_user_id):
                raise NotFound("no such conversation", field="token")  # as an unknown token
            author = None
        if found.status.value == "ended":
            return _error("conflict", "this conversation has ended", "conversation", 409)
        stored = files.store(
            db_session(),
            request.files.get("file"),
            found.ticket_id,
            chat_config().file_bytes,
            uploaded_by_id=author,
            conversation_id=found.id,
        )
        described = files.describe(stored)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _error(exc.code, exc.message, exc.field, exc.status)
    return jsonify({"ok": True, **described})


def _error(code: str, message: str, field: str | None, status: int) -> ResponseReturnValue:
    return jsonify({"ok": False, "error": code, "message": message, "field": field}), status
