"""`helpdesk agi`: a FastAGI server running IVR scripts for Asterisk, one thread per call.

Asterisk connects for `AGI(agi://host:4573/hotline)`; the script is the URL's path (default
hotline). Each call answers, then renders the interpreter's actions as AGI commands, committing
the call record after every step. A hang-up (result=-1, HANGUP, 511 or a closed socket) ends
the script cleanly: the record keeps the path so far as an abandoned call, no ticket is made.
"""

from __future__ import annotations

import logging
import socketserver
from typing import Any

from flask import Flask

from helpdesk.auth.models import User
from helpdesk.channels.phone import queue, service
from helpdesk.channels.phone.agi import AgiChannel, AgiClosed, AgiCommandError
from helpdesk.channels.phone.config import phone_config
from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.ivr.actions import (
    Action,
    Dial,
    Enqueue,
    Gather,
    Hangup,
    Say,
    SetVar,
)
from helpdesk.channels.phone.ivr.interpreter import HangUp, Keys
from helpdesk.channels.phone.models import CallRecord, CallStatus
from helpdesk.extensions import db
from helpdesk.tickets.models import Ticket

log = logging.getLogger(__name__)
DEFAULT_SCRIPT = "hotline"
CALL_TIMEOUT = 3600.0  # seconds a connection may sit silent (a long queue wait) before we drop it


def script_name(env: dict[str, str]) -> str:
    raw = env.get("agi_network_script") or ""
    name = raw.split("?", 1)[0].strip("/")
    return name or DEFAULT_SCRIPT


class AgiCall:
    def __init__(self, app: Flask, channel: AgiChannel) -> None:
        self.app, self.channel = app, channel
        self.record: CallRecord | None = None

    def run(self) -> None:
        try:
            env = self.channel.read_environment()
        except AgiClosed:
            return
        with self.app.app_context():
            try:
                self._run(env)
            finally:
                db.session.remove()

    def _run(self, env: dict[str, str]) -> None:
        session = db.session()
        call_id = env.get("agi_uniqueid") or ""
        try:
            script = loader.load(script_name(env))
        except KeyError:
            log.warning("AGI call %s asked for unknown script %r", call_id, script_name(env))
            self.channel.hangup()
            return
        if not call_id:
            self.channel.hangup()
            return
        caller = env.get("agi_callerid", "")
        called = env.get("agi_dnid") if env.get("agi_dnid") not in ("", "unknown") else None
        try:
            self.channel.answer()
            refused = service.refuse_if_blocked(
                session, call_id, "agi", caller, called or env.get("agi_extension", "")
            )
            if refused is not None:
                session.commit()
                self.perform((service.BLOCKED_PROMPT, Hangup()))
                return
            record, step = service.start_ivr(
                session, script, call_id, "agi", caller, called or env.get("agi_extension", "")
            )
            session.commit()
            self.record = record
            while True:
                if step.done and record.ticket_id:
                    ticket = session.get(Ticket, record.ticket_id)
                    if ticket is not None:
                        self.channel.set_variable("HELPDESK_TICKET", ticket.number)
                digits = self.perform(step.actions)
                if not step.waiting:
                    break
                step = service.advance_ivr(session, record, script, Keys(digits))
                session.commit()
            service.hang_up(session, record)
            session.commit()
        except (AgiClosed, AgiCommandError, OSError) as exc:
            session.rollback()
            log.info("AGI call %s ended: %s", call_id, exc)
            ended = service.find(session, call_id)
            if ended is not None and ended.status is not CallStatus.ENDED:
                service.advance_ivr(session, ended, script, HangUp())
                session.commit()

    def perform(self, actions: tuple[Action, ...]) -> str | None:
        """Render one step; the digits of its gather, if it had one."""
        digits: str | None = None
        for action in actions:
            if isinstance(action, Say):
                self.channel.stream_file(action.file or "beep")
            elif isinstance(action, Gather):
                *before, last = action.prompts or (Say("", "zh", "beep"),)
                for prompt in before:
                    self.channel.stream_file(prompt.file or "beep")
                digits = self.channel.get_data(
                    last.file or "beep", int(action.timeout * 1000), action.max_digits
                )
            elif isinstance(action, SetVar):
                self.channel.set_variable(action.name, action.value)
            elif isinstance(action, Dial):
                dial = phone_config(self.app).agi_dial.format(target=action.target)
                self.channel.exec("Dial", dial)
            elif isinstance(action, Enqueue):
                if self.record is not None and queue.is_waiting(self.record):
                    self.hold(self.record)
                else:
                    self.channel.exec("Queue", action.queue)
            elif isinstance(action, Hangup):
                self.channel.hangup()
        return digits

    def hold(self, record: CallRecord) -> None:
        """The caller waits in the centre's queue (phone/queue.py) rather than Asterisk's: told
        their place and wait, again every HELPDESK_QUEUE_ANNOUNCE_SECONDS (counted in the PBX's
        one-second Waits, so the caller's time is the clock), then put through (Dial) to the
        agent who accepts the offer on their console."""
        session = db.session()
        every = phone_config(self.app).queue_announce_seconds
        waited = every  # told at once
        while True:
            session.commit()  # a fresh read each second: the accept is another process's commit
            session.refresh(record)
            if not queue.is_waiting(record):
                break
            if waited >= every:
                place, minutes = queue.told_in_parts(session, record)
                self.channel.stream_file("queue/place")
                self.channel.say_number(place)
                self.channel.stream_file("queue/wait")
                self.channel.say_number(minutes)
                self.channel.stream_file("queue/minutes")
                waited = 0
            self.channel.exec("Wait", "1")
            waited += 1
        if record.status is CallStatus.ANSWERED and record.answered_by_id is not None:
            self.put_through(record, record.answered_by_id)

    def put_through(self, record: CallRecord, agent_id: int) -> None:
        """Dial the agent; the caller stays with them while they consult a colleague (the
        console's or the PBX's consult). When their leg ends, a completed consult (or a blind
        transfer) is dialled on; an open one completes, as an attended transfer does when the
        first agent hangs up; a cancelled one moved nothing, so the call ends with them."""
        session = db.session()
        dial = phone_config(self.app).agi_dial
        while True:
            agent = session.get(User, agent_id)
            if agent is None:
                return
            self.channel.exec("Dial", dial.format(target=agent.extension or agent.login))
            session.commit()
            session.refresh(record)
            if record.status is CallStatus.ENDED:
                return
            if service.open_consult(record) is not None:
                service.finish_consult(session, agent, record, complete=True)
                session.commit()
            holders = service.holders(record)
            if not holders or holders[-1] == agent_id:
                return
            agent_id = holders[-1]


class _Handler(socketserver.StreamRequestHandler):
    server: AgiServer
    rbufsize = 0  # unbuffered: the channel's wait for a HANGUP line must see every byte

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(CALL_TIMEOUT)

    def handle(self) -> None:
        channel = AgiChannel(self.rfile, self.wfile)  # type: ignore[arg-type]
        try:
            AgiCall(self.server.app, channel).run()
        except Exception:
            log.exception("AGI connection from %s failed", self.client_address)


class AgiServer(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, app: Flask, address: tuple[str, int], **kwargs: Any) -> None:
        self.app = app
        super().__init__(address, _Handler, **kwargs)
