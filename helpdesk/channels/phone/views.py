"""Phone pages: the simulator (a caller's keypad on the voice webhook) and the agents' call
console (live calls to answer or transfer, the callback list of missed calls)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.channels.phone import service
from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.models import CallRecord
from helpdesk.errors import DomainError
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

blueprint = Blueprint("phone", __name__, url_prefix="/phone")


def _staff() -> User:
    user: User = current_user._get_current_object()
    if not permissions.can_work_calls(user):
        abort(403)
    return user


def _record(call_id: str) -> CallRecord:
    record = service.find(db.session(), call_id)
    if record is None:
        abort(404)
    return record


@blueprint.get("/simulator")
@login_required
def simulator() -> ResponseReturnValue:
    _staff()
    scripts = [p.stem for p in loader.all_paths()]
    return render_template("phone/simulator.html", scripts=scripts)


@blueprint.get("/calls/<call_id>/status")
@login_required
def call_status(call_id: str) -> ResponseReturnValue:
    """What the simulator shows while the caller waits in the queue."""
    _staff()
    record = _record(call_id)
    agent = record.answered_by
    ticket = db.session.get(Ticket, record.ticket_id) if record.ticket_id else None
    return jsonify(
        {
            "status": record.status.value,
            "agent": agent.name if agent else None,
            "ticket": ticket.number if ticket else None,
            "outcome": record.ivr_outcome,
            "transfers": len(record.transfers or []),
        }
    )


@blueprint.get("/console")
@login_required
def console() -> ResponseReturnValue:
    _staff()
    session = db.session()
    tickets = {
        t.id: t.number
        for t in session.query(Ticket).filter(
            Ticket.id.in_(
                [
                    r.ticket_id
                    for r in [*service.live_calls(session), *service.callbacks(session)]
                    if r.ticket_id
                ]
            )
        )
    }
    return render_template(
        "phone/console.html",
        live=service.live_calls(session),
        callbacks=service.callbacks(session),
        tickets=tickets,
    )


@blueprint.post("/calls/<call_id>/answer")
@login_required
def answer(call_id: str) -> ResponseReturnValue:
    user = _staff()
    record = _record(call_id)
    service.answer(db.session(), record, user)
    db.session.commit()
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"status": record.status.value})
    flash(_("Call answered."), "success")
    return redirect(url_for("phone.console"))


@blueprint.post("/calls/<call_id>/hangup")
@login_required
def hangup(call_id: str) -> ResponseReturnValue:
    _staff()
    service.hang_up(db.session(), _record(call_id))
    db.session.commit()
    return redirect(url_for("phone.console"))


@blueprint.post("/calls/<call_id>/transfer")
@login_required
def transfer(call_id: str) -> ResponseReturnValue:
    user = _staff()
    record = _record(call_id)
    form = request.form
    try:
        instruction = service.transfer(
            db.session(),
            user,
            record,
            form.get("kind", ""),
            form.get("target", ""),
            form.get("mode", "blind"),
            form.get("reason"),
        )
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(_("Transfer refused: %(reason)s", reason=exc.message), "error")
        return redirect(url_for("phone.console"))
    flash(_("Call transferred to %(target)s.", target=instruction["number"]), "success")
    return redirect(url_for("phone.console"))


@blueprint.post("/calls/<call_id>/called-back")
@login_required
def called_back(call_id: str) -> ResponseReturnValue:
    _staff()
    service.mark_called_back(db.session(), _record(call_id))
    db.session.commit()
    return redirect(url_for("phone.console"))
