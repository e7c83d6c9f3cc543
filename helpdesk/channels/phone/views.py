"""Phone pages: the simulator (a caller's keypad on the voice webhook) and the agents' call
console (live calls to answer or transfer, the callback list of missed calls)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.channels.phone import queue, service
from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.models import CallRecord
from helpdesk.channels.phone.refusals import refusal_text
from helpdesk.channels.phone.transfer_targets import transfer_targets
from helpdesk.directory.models import Organisation
from helpdesk.directory.phone_format import national
from helpdesk.errors import DomainError, Forbidden, InvalidInput
from helpdesk.extensions import db
from helpdesk.ids import row_id
from helpdesk.tickets.models import Ticket
from helpdesk.web.labels import label

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
            "status_label": label("call_status", record.status),
            "agent": agent.name if agent else None,
            "ticket": ticket.number if ticket else None,
            "outcome": record.ivr_outcome,
            "transfers": len(record.transfers or []),
        }
    )


def _refused(exc: DomainError) -> ResponseReturnValue:
    """A refused queue action, as the console shows it: the reason in the user's language."""
    messages = {
        409: _("Another agent has already taken this call."),
        422: _("This call cannot be taken here."),
        403: _("Only supervisors hand waiting calls to agents."),
    }
    text = messages.get(exc.status, exc.message)
    return jsonify({"error": exc.code, "field": exc.field, "message": text}), exc.status


@blueprint.get("/queue")
@login_required
def waiting_calls() -> ResponseReturnValue:
    """The waiting calls a console offers (the same list the socket sends as they change)."""
    _staff()
    return jsonify({"calls": queue.offers(db.session())})


@blueprint.post("/calls/<call_id>/accept")
@login_required
def accept(call_id: str) -> ResponseReturnValue:
    """An agent takes a waiting call from their console's offers; the first one wins."""
    user = _staff()
    try:
        service.accept_queued(db.session(), user, _record(call_id))
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _refused(exc)
    return jsonify({"call_id": call_id, "status": "answered"})


@blueprint.post("/calls/<call_id>/hand")
@login_required
def hand(call_id: str) -> ResponseReturnValue:
    """The supervisor hands a waiting call to a named agent, as for chats."""
    user = _staff()
    try:
        if not permissions.can_supervise(user):
            raise Forbidden("only supervisors hand calls to agents", field="user")
        agent_id = row_id(str((request.get_json(silent=True) or {}).get("agent_id", "")))
        agent = db.session.get(User, agent_id) if agent_id is not None else None
        if agent is None:
            raise InvalidInput("no such agent", field="agent_id")
        service.hand_queued(db.session(), _record(call_id), agent)
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        return _refused(exc)
    return jsonify({"call_id": call_id, "offered_to": agent.id})


@blueprint.get("/calls/<call_id>")
@login_required
def call_page(call_id: str) -> ResponseReturnValue:
    """One call: who rang, who answered, its transfers and the ticket made from it."""
    _staff()
    record = _record(call_id)
    ticket = db.session.get(Ticket, record.ticket_id) if record.ticket_id else None
    people = {p for t in record.transfers or [] for p in (t.get("by"), t.get("agent")) if p}
    names = {u.id: u.name for u in db.session.query(User).filter(User.id.in_(people))}
    return render_template("phone/call.html", call=record, ticket=ticket, names=names)


@blueprint.get("/console")
@login_required
def console() -> ResponseReturnValue:
    _staff()
    return _console_page()


def _console_page(sent: dict[str, str] | None = None, status: int = 200) -> ResponseReturnValue:
    """The call console; `sent` is a refused transfer's form, shown again on its call's row so
    nothing typed is lost."""
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
    return (
        render_template(
            "phone/console.html",
            live=service.live_calls(session),
            callbacks=service.callbacks(session),
            tickets=tickets,
            targets=transfer_targets(session),
            sent=sent or {},
        ),
        status,
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
        flash(_("Transfer refused: %(reason)s", reason=refusal_text(exc)), "error")
        fields = ("kind", "target", "mode", "reason")
        return _console_page({"call_id": call_id, **{k: form.get(k, "") for k in fields}}, 422)
    flash(_("Call transferred to %(target)s.", target=_sent_to(record, instruction)), "success")
    return redirect(url_for("phone.console"))


def _sent_to(record: CallRecord, instruction: dict[str, str]) -> str:
    """Where the call went, in words: a colleague by name and extension, an organisation by its
    name; the PBX's instruction ("queue:hzbank") only when there is neither."""
    sent = (record.transfers or [{}])[-1]
    agent = db.session.get(User, sent["agent"]) if sent.get("agent") else None
    if agent is not None:
        return f"{agent.name}（{agent.extension}）" if agent.extension else agent.name
    org = db.session.get(Organisation, sent["org"]) if sent.get("org") else None
    if org is not None:
        return org.name
    return national(instruction["number"]) or instruction["number"]


@blueprint.post("/calls/<call_id>/consult/<choice>")
@login_required
def consult(call_id: str, choice: str) -> ResponseReturnValue:
    """After a consult transfer: complete (the call and its ticket move) or cancel."""
    user = _staff()
    if choice not in ("complete", "cancel"):
        abort(404)
    try:
        service.finish_consult(db.session(), user, _record(call_id), choice == "complete")
        db.session.commit()
    except DomainError as exc:
        db.session.rollback()
        flash(_("Transfer refused: %(reason)s", reason=refusal_text(exc)), "error")
        return redirect(url_for("phone.console"))
    done = _("Transfer completed.") if choice == "complete" else _("Transfer cancelled.")
    flash(done, "success")
    return redirect(url_for("phone.console"))


@blueprint.post("/calls/<call_id>/called-back")
@login_required
def called_back(call_id: str) -> ResponseReturnValue:
    _staff()
    service.mark_called_back(db.session(), _record(call_id))
    db.session.commit()
    return redirect(url_for("phone.console"))
