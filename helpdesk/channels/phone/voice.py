"""The TwiML-compatible voice webhook: POST /ivr/voice/<script>, one IVR step per request.

Twilio (or any compatible carrier) posts CallSid, From, To, CallStatus and, after a Gather,
Digits; the reply is TwiML. Requests must carry a valid X-Twilio-Signature (HMAC-SHA1 over the
URL and sorted parameters, secret HELPDESK_IVR_SECRET), or come from a logged-in browser with
the page's CSRF token (the phone simulator), which drives this very adapter.
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, request, url_for
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from sqlalchemy.orm import Session
from wtforms import ValidationError

from helpdesk.auth import permissions
from helpdesk.channels.phone import queue, service, sockets, twiml
from helpdesk.channels.phone.config import phone_config
from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.ivr.actions import Dial, Hangup, Say
from helpdesk.channels.phone.ivr.interpreter import HangUp, Keys
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.db import commit_keeping
from helpdesk.errors import DomainError
from helpdesk.extensions import csrf, db

blueprint = Blueprint("phone_voice", __name__)
csrf.exempt(blueprint)

FINAL_STATUSES = {
    "completed": "normalClearing",
    "busy": "busy",
    "no-answer": "noAnswer",
    "canceled": "cancel",
    "failed": "congestion",
}
XML = "application/xml"
REPLY_AFTER_OFFERS_SECONDS = 0.5  # the most a queued caller's reply gives way to others


def _authorised() -> bool:
    secret = phone_config().ivr_secret
    sent = request.headers.get(twiml.SIGNATURE_HEADER, "")
    if secret and sent:
        params = list(request.form.items(multi=True))
        return twiml.valid_signature(secret, request.url, params, sent)
    if permissions.can_work_calls(current_user):  # the simulator: staff only
        try:
            validate_csrf(request.headers.get("X-CSRFToken"))
        except (ValidationError, CSRFError):
            return False
        return True
    return False


def _xml(body: str, status: int = 200) -> Response:
    return Response(body, status=status, mimetype=XML)


@blueprint.post("/ivr/voice/<script_name>")
def voice(script_name: str) -> Response:
    if not _authorised():
        return _xml(twiml.render([], ""), 403)
    try:
        script = loader.load(script_name)
    except KeyError:
        abort(404)
    form = request.form
    call_sid = (form.get("CallSid") or "").strip()
    if not call_sid or len(call_sid) > 250:
        return _xml(twiml.hangup_document(), 400)
    session = db.session()
    action_url = url_for("phone_voice.voice", script_name=script.name, _external=True)
    try:
        status = (form.get("CallStatus") or "").strip()
        record = service.find(session, call_sid)
        if status in FINAL_STATUSES:
            if record is not None:
                service.advance_ivr(session, record, script, HangUp())
                service.hang_up(session, record, FINAL_STATUSES[status])
            session.commit()
            return _xml(twiml.render([], action_url))
        if record is not None and _in_queue(record):
            session.commit()
            return _xml(_queue_document(session, record, action_url, ()))
        if record is None or not record.ivr_state:
            refused = service.refuse_if_blocked(
                session, call_sid, "twiml", form.get("From", ""), form.get("To", "")
            )
            if refused is not None:
                session.commit()
                return _xml(twiml.render((service.BLOCKED_PROMPT, Hangup()), action_url))
            record, step = service.start_ivr(
                session, script, call_sid, "twiml", form.get("From", ""), form.get("To", "")
            )
        else:
            digits = form.get("Digits")
            step = service.advance_ivr(session, record, script, Keys(digits if digits else None))
        commit_keeping(session)  # the reply is built from the record just written
    except DomainError:
        session.rollback()
        return _xml(twiml.hangup_document())
    if queue.is_waiting(record):  # the IVR has just put the call in the queue
        # The offers first: calls queued at once all reach their commit (and the consoles)
        # before any caller's reply is built (bench/phone_queue.py, 50 calls at once).
        sockets.after_offers(REPLY_AFTER_OFFERS_SECONDS)
        said = tuple(a for a in step.actions if isinstance(a, Say))
        return _xml(_queue_document(session, record, action_url, said))
    actions = step.actions or ((Hangup(),) if not step.waiting else ())
    config = phone_config()
    return _xml(twiml.render(actions, action_url, config.prompt_url, config.sip_host))


def _in_queue(record: CallRecord) -> bool:
    """Queued by the IVR and not over: waiting, or just taken by an agent."""
    return record.ivr_outcome == queue.QUEUED and record.status is not CallStatus.ENDED


def _queue_document(
    session: Session, record: CallRecord, action_url: str, said: tuple[Say, ...]
) -> str:
    """Waiting: the caller's place and wait, again every HELPDESK_QUEUE_ANNOUNCE_SECONDS.
    Taken: put through to the agent who accepted the offer."""
    if queue.is_waiting(record):
        told = Say(queue.tell_caller(session, record), "zh")
        every = phone_config().queue_announce_seconds
        return twiml.hold((*said, told), every, action_url)
    agent = record.answered_by
    target = (agent.extension or agent.login) if agent else ""
    config = phone_config()
    return twiml.render((Dial(target, "extension"),), action_url, sip_host=config.sip_host)
