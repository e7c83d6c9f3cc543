"""Calls in the database: CTI events, IVR steps, answers, hang-ups, transfers and callbacks.

Every function changes the session only; the caller (request, AGI connection) commits once.
Tickets are written only through the tickets service; a ticket that cannot be made (bad field,
routing failure) is rolled back to its savepoint and the call goes on without it.
"""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from helpdesk import clock, reference_version
from helpdesk.auth.models import User
from helpdesk.channels.phone import callers, causes, cti, later, queue, stray
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.channels.phone.config import PhoneConfig, phone_config
from helpdesk.channels.phone.ivr import interpreter
from helpdesk.channels.phone.ivr.actions import Hangup, Say, fill
from helpdesk.channels.phone.ivr.interpreter import Event, HangUp, Step
from helpdesk.channels.phone.ivr.loader import Script
from helpdesk.channels.phone.ivr.state import CallState, Facts
from helpdesk.channels.phone.models import (
    CAUSE_LIMIT,
    BlockedNumber,
    CallDirection,
    CallRecord,
    CallStatus,
)
from helpdesk.channels.phone.sockets import (
    on_call_after_commit,
    pop_after_commit,
    queue_changed_after_commit,
)
from helpdesk.db import commit_keeping
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Contact, Organisation
from helpdesk.directory.phone_format import national
from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.ids import row_id
from helpdesk.notifications import service as notifications
from helpdesk.sla import calendar
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import OPEN_STATUSES, Channel, Priority, Ticket, TicketType

log = logging.getLogger(__name__)
UPDATE_WINDOW_HOURS = 24
# Paths after which an unanswered call is not missed: a message ticket, a goodbye, a transfer.
HANDLED_BY_IVR = (
    "message",
    "hangup",
    "transfer",
)  # a second call about the same thing within a day updates the ticket


def business_hours(moment: datetime) -> bool:
    """Working time on the business calendar (holidays and 调休 included)."""
    return calendar.is_working_time(moment)


_BY_CALL_ID = select(CallRecord).where(CallRecord.call_id == bindparam("call_id"))


def find(session: Session, call_id: str) -> CallRecord | None:
    return session.scalars(_BY_CALL_ID, {"call_id": call_id}).first()


def get(session: Session, call_id: str) -> CallRecord:
    record = find(session, call_id)
    if record is None:
        raise NotFound(f"no call {call_id}", field="call_id")
    return record


def open_record(
    session: Session,
    call_id: str,
    source: str,
    from_number: str = "",
    to_number: str = "",
    direction: CallDirection = CallDirection.IN,
    fresh: bool = False,
) -> CallRecord:
    """The call's record, created on first sight; a concurrent duplicate finds the winner's.
    `fresh`: the caller has just looked and found none."""
    record = None if fresh else find(session, call_id)
    if record is not None:
        return record
    caller = from_number if direction is CallDirection.IN else to_number
    info = callers.identify_number(caller)
    found = callers.match(session, info.e164)
    now = clock.now()
    record = CallRecord(
        call_id=call_id,
        source=source,
        direction=direction,
        status=CallStatus.RINGING,
        from_number=from_number,
        to_number=to_number,
        caller_e164=info.e164,
        caller_city=info.city,
        caller_carrier=info.carrier,
        enterprise_id=found.enterprise.id if found.enterprise else None,
        contact_id=found.contact.id if found.contact else None,
        users=[],
        ivr_path=[],
        transfers=[],
        ring_at=now,
        updated_at=now,
    )
    session.add(record)
    try:
        session.flush()  # the first statement of its transaction: a lost race rolls back nothing
    except IntegrityError:
        session.rollback()
        existing = find(session, call_id)
        if existing is None:
            raise
        return existing
    return record


# --- CTI -------------------------------------------------------------------------------------


def handle_cti(session: Session, event: cti.CtiEvent, config: PhoneConfig) -> dict[str, Any]:
    """Apply one event; the reply the PBX gets. Duplicates and late events change nothing."""
    direction = CallDirection(event.direction)
    record = find(session, event.call_id)
    if record is None and event.event != "newCall":
        # An answer or hang-up for a call we never saw (a lost newCall, a replay, another
        # system's call): inventing a record would show a ghost and make its agent busy.
        stray.count(event.event)
        log.warning("CTI %s for unknown call %r: ignored", event.event, event.call_id)
        return {}
    if record is None:
        record = open_record(
            session, event.call_id, "cti", event.from_number, event.to_number, direction, True
        )
    if event.event == "newCall":
        _fill_missing(record, event)
        if direction is CallDirection.IN and _blocked(session, record.caller_e164):
            if record.status is not CallStatus.ENDED:
                _end(session, record, "busy", missed=False)
            return cti.reject("busy")
        if direction is CallDirection.OUT and config.outbound_caller_id:
            return cti.dial(config.outbound_caller_id, event.to_number)
        return {}
    if record.status is CallStatus.ENDED:
        return {}  # an answer or hangup after the hangup: already settled
    _fill_missing(record, event)
    if event.event in cti.CONSULT_EVENTS:
        return _consult_from_pbx(session, record, event)
    if event.event == "answer":
        if record.status is CallStatus.RINGING:
            agent = resolve_agent(session, event.answering_number, event.users)
            answer(session, record, agent, event.answering_number)
        return {}
    _end(session, record, event.cause or "normalClearing", answering=event.answering_number)
    return {}


PBX_CONSULT_REASON = "交换机发起的咨询转接"  # a consultStart that gave no reason


def _consult_from_pbx(session: Session, record: CallRecord, event: cti.CtiEvent) -> dict[str, Any]:
    """consultStart/Complete/Cancel from the PBX: the same consult as the console's, by the
    agent on the call. A complete or cancel with no consultation open (a duplicate, or one
    that came late) is logged and changes nothing, like a stray hang-up."""
    held = holders(record)  # after a completed consult, the colleague holds the call
    agent = session.get(User, held[-1]) if held else None
    if record.status is not CallStatus.ANSWERED or agent is None:
        raise InvalidInput(
            f"{event.event}: call {record.call_id} has not been answered by an agent",
            field="callId",
        )
    if event.event == "consultStart":
        return transfer(
            session,
            agent,
            record,
            "agent",
            event.transfer_to or "",
            "consult",
            event.reason or PBX_CONSULT_REASON,
        )
    opened = open_consult(record)
    if opened is None:
        log.warning(
            "CTI %s for call %r: no consultation open, ignored", event.event, record.call_id
        )
        return {}
    by = session.get(User, opened["by"]) or agent
    return finish_consult(session, by, record, complete=event.event == "consultComplete")


def _fill_missing(record: CallRecord, event: cti.CtiEvent) -> None:
    """What an earlier (or a duplicate) event left out; nothing is touched when nothing is new,
    so a repeated event writes nothing."""
    if not record.from_number and event.from_number:
        record.from_number = event.from_number
    if not record.to_number and event.to_number:
        record.to_number = event.to_number
    if not record.queue and event.queue:
        record.queue = event.queue
    users = sorted({*(record.users or []), *event.users})
    if users != sorted(record.users or []):
        record.users = users


_blocklist: dict[Any, tuple[float, frozenset[str]]] = {}  # engine -> (read at, numbers)
BLOCKLIST_SECONDS = 5.0  # a number blocked in the console is refused within seconds


def _blocked(session: Session, e164: str | None) -> bool:
    """Checked on every newCall, so the (short) list is read at most every few seconds."""
    if e164 is None:
        return False
    key = reference_version.database(session)  # the engine: rendering its URL costs more
    now = time.monotonic()
    cached = _blocklist.get(key)
    if cached is None or now - cached[0] > BLOCKLIST_SECONDS:
        cached = (now, frozenset(session.scalars(select(BlockedNumber.number))))
        _blocklist[key] = cached
    return e164 in cached[1]


def forget_blocklist() -> None:
    _blocklist.clear()


# Said to a blocked caller on the IVR paths (TwiML, AGI) before hanging up: no ticket, no queue.
BLOCKED_PROMPT = Say(
    "您好，本热线暂时无法接听您的来电。如需帮助，请在公共服务平台网站留言。谢谢，再见。", "zh"
)


def refuse_if_blocked(
    session: Session, call_id: str, source: str, from_number: str, to_number: str
) -> CallRecord | None:
    """An IVR call from a blocked number: its record, ended as refused (busy, not missed),
    and None for everyone else. The caller commits; the edge says BLOCKED_PROMPT and hangs up."""
    record = open_record(session, call_id, source, from_number, to_number)
    if record.ivr_state or not _blocked(session, record.caller_e164):
        return None
    if record.status is not CallStatus.ENDED:
        _end(session, record, "busy", missed=False)
        log.info("call %s from a blocked number refused (%s)", call_id, source)
    return record


def resolve_agent(session: Session, answering: str | None, users: tuple[str, ...]) -> User | None:
    """As Zammad does: the answering number names a user by extension, login or id; else a
    single `user` names the agent by name."""
    if answering:
        stmt = select(User).where(User.active.is_(True))
        for column in (User.extension, User.login):
            found = session.scalars(stmt.where(column == answering).limit(1)).first()
            if found is not None:
                return found
        person = row_id(answering)
        if person is not None:
            found = session.get(User, person)
            if found is not None and found.active:
                return found
    if len(users) == 1:
        return session.scalars(
            select(User).where(User.name == users[0], User.active.is_(True)).limit(1)
        ).first()
    return None


def answer(
    session: Session, record: CallRecord, agent: User | None, answering: str | None = None
) -> CallRecord:
    if record.status is not CallStatus.RINGING:
        return record
    if queue.is_waiting(record):
        queue_changed_after_commit(session)
    now = clock.now()
    record.status = CallStatus.ANSWERED
    record.answer_at = now
    record.wait_seconds = _seconds(record.ring_at, now)
    record.answering_number = answering or (agent.extension if agent else None)
    record.answered_by_id = agent.id if agent else None
    record.updated_at = now
    if agent is not None:
        pop_after_commit(session, agent.id, screen_pop(session, record))
        on_call_after_commit(session, agent.id, record.call_id, talking=True)
    return record


def accept_queued(session: Session, agent: User, record: CallRecord) -> CallRecord:
    """An agent takes a call waiting in the queue (their console's offer): it is theirs, with
    the screen pop, and the queue's offers go out again without it."""
    queue.take(session, agent, record)
    record.wait_seconds = _seconds(record.ring_at, record.answer_at or clock.now())
    record.answering_number = agent.extension
    record.updated_at = clock.now()
    pop_after_commit(session, agent.id, screen_pop(session, record))
    on_call_after_commit(session, agent.id, record.call_id, talking=True)
    queue_changed_after_commit(session)
    return record


def hand_queued(session: Session, record: CallRecord, agent: User) -> None:
    """The supervisor hands a waiting call to a named agent (as for chats)."""
    queue.hand_to(session, record, agent)
    queue_changed_after_commit(session)


def screen_pop(session: Session, record: CallRecord) -> dict[str, Any]:
    info = callers.identify_number(
        record.from_number if record.direction is CallDirection.IN else record.to_number
    )
    found = callers.Match(  # as matched when the call came in: no second look-up
        session.get(Contact, record.contact_id) if record.contact_id else None,
        record.enterprise if record.enterprise_id else None,
    )
    ticket = session.get(Ticket, record.ticket_id) if record.ticket_id else None
    state = record.ivr_state or {}
    return {
        "call_id": record.call_id,
        "direction": record.direction.value,
        "queue": record.queue,
        "ticket": ticket.number if ticket else None,
        "ivr": {"fields": state.get("fields", {}), "path": record.ivr_path or []},
        "caller": callers.profile(session, info, found),
    }


def link_ticket(record: CallRecord, ticket: Ticket) -> None:
    """The ticket an agent made from this call (the screen pop's 新建工单): the call's page and
    the console show it from now on."""
    record.ticket_id = ticket.id
    record.updated_at = clock.now()


def hang_up(session: Session, record: CallRecord, cause: str = "normalClearing") -> CallRecord:
    if record.status is not CallStatus.ENDED:
        _end(session, record, cause)
    return record


def _end(
    session: Session,
    record: CallRecord,
    cause: str,
    answering: str | None = None,
    missed: bool | None = None,
) -> None:
    if queue.is_waiting(record):
        queue_changed_after_commit(session)  # the caller gave up waiting
    now = clock.now()
    record.end_at = now
    record.cause = cause[:CAUSE_LIMIT]
    if answering and not record.answering_number:
        record.answering_number = answering
    answered = record.status is CallStatus.ANSWERED and record.answer_at is not None
    if answered:
        record.talk_seconds = _seconds(record.answer_at, now)
        for person in dict.fromkeys(holders(record)):
            on_call_after_commit(session, person, record.call_id, talking=False)
    else:
        record.wait_seconds = _seconds(record.ring_at, now)
    state = record.ivr_state
    if state and state.get("status") not in ("finished", "abandoned"):
        gone = interpreter.step(_script_stub(record), CallState.from_dict(state), HangUp())
        record.ivr_state = gone.state.to_dict()
        record.ivr_outcome = "abandoned"
    record.outcome = causes.outcome(
        cause,
        answered=answered,
        by_ivr=record.ivr_outcome in HANDLED_BY_IVR,
        inbound=record.direction is CallDirection.IN,
    )
    if missed is None:
        missed = (
            not answered
            and record.direction is CallDirection.IN
            and record.outcome not in (CallOutcome.IVR, CallOutcome.FORWARDED)
        )
    record.missed = bool(missed)
    record.status = CallStatus.ENDED
    record.updated_at = now


def _script_stub(record: CallRecord) -> Script:
    """A hang-up needs no nodes: the interpreter only marks the state abandoned."""
    return Script(record.ivr_script or "", "", "", {})


def _seconds(start: datetime | None, end: datetime) -> int | None:
    return None if start is None else max(0, round((end - start).total_seconds()))


# --- IVR -------------------------------------------------------------------------------------


def facts_for(session: Session, record: CallRecord) -> Facts:
    enterprise = record.enterprise if record.enterprise_id else None
    return Facts(
        caller=record.caller_e164 or "",
        business_hours=phone_config().always_open or business_hours(clock.now()),
        enterprise_id=enterprise.id if enterprise else None,
        enterprise_name=enterprise.name if enterprise else None,
        enterprise_district=enterprise.district_code if enterprise else None,
    )


def start_ivr(
    session: Session,
    script: Script,
    call_id: str,
    source: str,
    from_number: str,
    to_number: str,
) -> tuple[CallRecord, Step]:
    """The call enters the script; a repeated start repeats the current prompt."""
    record = open_record(session, call_id, source, from_number, to_number)
    if record.ivr_state:
        state = CallState.from_dict(record.ivr_state)
        return record, interpreter.repeat(script, state)
    if record.status is CallStatus.ENDED:
        raise InvalidInput(f"call {call_id} has already ended", field="CallSid")
    record.ivr_script = script.name
    step = interpreter.start(script, facts_for(session, record))
    return record, _save(session, record, script, step)


def advance_ivr(session: Session, record: CallRecord, script: Script, event: Event) -> Step:
    if isinstance(event, HangUp):
        hang_up(session, record, "normalClearing")
        return Step(
            (), CallState.from_dict(record.ivr_state or {"script": script.name, "node": ""})
        )
    state = CallState.from_dict(record.ivr_state or {})
    if state.done:
        return interpreter.repeat(script, state)
    return _save(session, record, script, interpreter.step(script, state, event))


def _save(session: Session, record: CallRecord, script: Script, step: Step) -> Step:
    state = step.state
    record.ivr_state = state.to_dict()
    record.ivr_path = state.path
    record.updated_at = clock.now()
    if not step.done:
        return step
    outcome = state.outcome
    record.ivr_outcome = str(outcome.get("kind"))
    if outcome.get("queue"):
        record.queue = str(outcome["queue"])
    if record.ivr_outcome == queue.QUEUED and record.status is CallStatus.RINGING:
        queue_changed_after_commit(session)  # offered to the available agents
        # The offer first, the ticket after (bench/phone_queue.py): the queued call commits
        # now, so the consoles are offered it from this row. In a web process the ticket is
        # made after the reply, by one background task (later.py); elsewhere by this request
        # (linked to the call at the caller's commit, as before).
        pending = bool(outcome.get("ticket")) and later.deferred() and not _speaks_ticket(step)
        if pending:
            outcome[later.PENDING] = True
            record.ivr_state = state.to_dict()
        commit_keeping(session)  # the caller's place is told from this row, not a re-read
        if pending:
            later.submit(record.id)
    number = ""
    if outcome.get("ticket") and not outcome.get(later.PENDING):
        ticket = ticket_for_path(session, record, state)
        if ticket is not None:
            record.ticket_id = ticket.id
            number = ticket.number
    if any(isinstance(action, Hangup) for action in step.actions):
        # The IVR says goodbye and hangs up (a message, a goodbye, a failed menu): the call is
        # over now, whatever the PBX reports later (a later hang-up finds it ended).
        hang_up(session, record, "normalClearing")
    return replace(step, actions=fill(step.actions, ticket=_spoken_number(number)))


def _speaks_ticket(step: Step) -> bool:
    """Whether the step's prompts say the ticket number (then it is made before the reply)."""
    return "{ticket}" in repr(step.actions)


def _spoken_number(number: str) -> str:
    return number or "-"


def ticket_for_path(session: Session, record: CallRecord, state: CallState) -> Ticket | None:
    """The finished path as a ticket: a new one, or a note on the caller's open phone ticket
    about the same service from the last day. Never half-written: on failure, nothing."""
    fields = state.fields
    category = fields.get("category") or "info"
    try:
        with session.begin_nested():
            entry = directory.category(session, category)
            description = describe_path(record, state)
            existing = _recent_ticket(session, record, entry.code)
            if existing is not None:
                tickets.comment(session, None, existing, description, internal=True)
                return existing
            info = callers.identify_number(record.from_number)
            enterprise = record.enterprise if record.enterprise_id else None
            district = (
                fields.get("district")
                or (enterprise.district_code if enterprise else None)
                or info.district_hint
                or callers.HANGZHOU_CITY
            )
            kind = TicketType(fields.get("type") or _type_for(entry.code))
            data = tickets.NewTicket(
                subject=f"电话{_TYPE_ZH[kind]}：{entry.name_zh}"[: tickets.SUBJECT_LIMIT],
                category=entry.code,
                type=kind,
                channel=Channel.PHONE,
                district=district,
                description=description,
                priority=Priority(fields.get("priority") or "normal"),
                enterprise_id=enterprise.id if enterprise else None,
                contact_phone=record.caller_e164,
                contact_name=None,
            )
            return tickets.create(session, None, data)
    except (DomainError, ValueError) as exc:
        log.warning("call %s: no ticket from the IVR path: %s", record.call_id, exc)
        state.outcome["ticket_error"] = str(exc)
        record.ivr_state = state.to_dict()
        return None


_TYPE_ZH = {
    TicketType.REQUEST: "需求",
    TicketType.INQUIRY: "咨询",
    TicketType.COMPLAINT: "投诉",
    TicketType.SUGGESTION: "建议",
}


def _type_for(category: str) -> str:
    return "complaint" if category.split("/")[0] == "complaint" else "request"


def _recent_ticket(session: Session, record: CallRecord, category: str) -> Ticket | None:
    if not record.caller_e164 or record.contact_id is None:
        return None
    since = clock.now().timestamp() - UPDATE_WINDOW_HOURS * 3600
    candidates = session.scalars(
        select(Ticket)
        .where(
            Ticket.contact_id == record.contact_id,
            Ticket.channel == Channel.PHONE,
            Ticket.category_code == category,
            Ticket.status.in_(OPEN_STATUSES),
        )
        .order_by(Ticket.id.desc())
        .limit(1)
    ).first()
    if candidates is not None and candidates.created_at.timestamp() >= since:
        return candidates
    return None


def describe_path(record: CallRecord, state: CallState) -> str:
    steps = " → ".join(
        f"{p['node']}[{p['input']}]" if "input" in p else p["node"] for p in state.path
    )
    outcome = state.outcome
    lines = [
        f"来电 / caller: {national(record.caller_e164) or record.from_number or 'anonymous'}"
        + (f" ({record.caller_city})" if record.caller_city else ""),
        f"IVR {state.script}: {steps}",
        f"结果 / outcome: {outcome.get('kind')}"
        + "".join(f" {k}={v}" for k, v in outcome.items() if k not in ("kind", "ticket")),
        f"通话 / call: {record.call_id}",
    ]
    return "\n".join(lines)


# --- transfer and callbacks ------------------------------------------------------------------

TRANSFER_REASON_CHARS = 500
TRANSFER_KINDS = ("agent", "queue", "number")
TRANSFER_MODES = ("blind", "consult")


def transfer(
    session: Session,
    actor: User,
    record: CallRecord,
    kind: str,
    target: str,
    mode: str,
    reason: str | None,
) -> dict[str, Any]:
    """Hand a live call on, with its ticket. Returns the instruction for the PBX (a CTI-style
    `dial` reply) that the softphone or bridge carries out."""
    if record.status is CallStatus.ENDED:
        raise InvalidInput("the call has ended; transfer its ticket instead", field="call_id")
    if kind not in TRANSFER_KINDS:
        raise InvalidInput(f"kind must be one of {', '.join(TRANSFER_KINDS)}", field="kind")
    if mode not in TRANSFER_MODES:
        raise InvalidInput(f"mode must be one of {', '.join(TRANSFER_MODES)}", field="mode")
    text_reason = (reason or "").strip()
    if not text_reason:
        raise InvalidInput("a reason is required", field="reason")
    if len(text_reason) > TRANSFER_REASON_CHARS:  # it becomes the ticket's transfer note
        raise InvalidInput(
            f"the reason is {len(text_reason)} characters; at most {TRANSFER_REASON_CHARS}",
            field="reason",
        )
    agent, org, dial = _transfer_target(session, kind, (target or "").strip())
    if open_consult(record) is not None:
        raise InvalidInput("finish or cancel the consultation first", field="mode")
    ticket = session.get(Ticket, record.ticket_id) if record.ticket_id else None
    entry = {
        "at": clock.now().isoformat(),
        "by": actor.id,
        "by_name": actor.name,
        "kind": kind,
        "target": target,
        "mode": mode,
        "reason": text_reason,
        "ticket": ticket.number if ticket else None,
        "org": org.id if org else None,
    }
    if agent is not None:
        entry["agent"] = agent.id
    if mode == "blind":
        # The PBX puts the call straight through: whoever had it is free now, and the colleague
        # it rings is on it (the hang-up later ends it for everyone it went through).
        _move_ticket(session, actor, ticket, entry)
        holder = holders(record)[-1:]
        for person in holder:
            on_call_after_commit(session, person, record.call_id, talking=False)
        if agent is not None:
            on_call_after_commit(session, agent.id, record.call_id, talking=True)
    else:
        # Consult: the first agent stays on the call and talks to the colleague, who is busy
        # on it from now; nothing moves until the first agent completes.
        entry["state"] = "consulting"
        if agent is not None:
            on_call_after_commit(session, agent.id, record.call_id, talking=True)
    record.transfers = [*(record.transfers or []), entry]
    record.updated_at = clock.now()
    if agent is not None:
        pop_after_commit(session, agent.id, {**screen_pop(session, record), "transfer": entry})
        # kept too: an agent who misses the pop finds who sent the call, and why, later
        notifications.add(
            session,
            [agent.id],
            "call_transferred",
            ticket,
            by=actor.name,
            reason=text_reason,
            caller=national(record.caller_e164) or record.from_number,
        )
    return {"action": "dial", "number": dial, "mode": mode, "ticket": entry["ticket"]}


def _move_ticket(
    session: Session, actor: User, ticket: Ticket | None, entry: dict[str, Any]
) -> None:
    if ticket is not None and entry.get("org") is not None:
        tickets.transfer(
            session, actor, ticket, entry["org"], entry.get("agent"), f"电话转接：{entry['reason']}"
        )


def open_consult(record: CallRecord) -> dict[str, Any] | None:
    last = (record.transfers or [])[-1:]
    return last[0] if last and last[0].get("state") == "consulting" else None


def finish_consult(
    session: Session, actor: User, record: CallRecord, complete: bool
) -> dict[str, Any]:
    """The first agent, after talking to the colleague: complete (the call and the ticket move
    to them; the first agent is free) or cancel (nothing moves; the colleague is free)."""
    entry = open_consult(record)
    if entry is None:
        raise InvalidInput("no consultation is going on for this call", field="call_id")
    if record.status is CallStatus.ENDED:
        raise InvalidInput("the call has ended", field="call_id")
    done = {
        **entry,
        "state": "completed" if complete else "cancelled",
        "done_at": clock.now().isoformat(),
    }
    colleague = entry.get("agent")
    if complete:
        ticket = session.get(Ticket, record.ticket_id) if record.ticket_id else None
        _move_ticket(session, actor, ticket, entry)
        on_call_after_commit(session, entry["by"], record.call_id, talking=False)
    elif colleague is not None:
        on_call_after_commit(session, colleague, record.call_id, talking=False)
    record.transfers = [*(record.transfers or [])[:-1], done]
    record.updated_at = clock.now()
    return {"action": "complete" if complete else "cancel", "ticket": entry.get("ticket")}


def holders(record: CallRecord) -> list[int]:
    """Everyone the call has been with, in order: who answered, then each agent it was handed
    to (ending it for someone who already left is harmless)."""
    people = [record.answered_by_id] if record.answered_by_id is not None else []
    return people + [
        t["agent"]
        for t in record.transfers or []
        if t.get("agent") and t.get("state") != "cancelled"
    ]


def _transfer_target(
    session: Session, kind: str, target: str
) -> tuple[User | None, Organisation | None, str]:
    if not target:
        raise InvalidInput("a target is required", field="target")
    if kind == "agent":
        stmt = select(User).where(User.active.is_(True))
        condition = User.extension == target
        person = row_id(target)
        if person is not None:
            condition = condition | (User.id == person)
        agent = session.scalars(stmt.where(condition | (User.login == target)).limit(1)).first()
        if agent is None:  # a colleague by name, as agents say it (only when one has it)
            named = session.scalars(stmt.where(User.name == target).limit(2)).all()
            agent = named[0] if len(named) == 1 else None
        if agent is None or not agent.is_staff or agent.organisation_id is None:
            raise InvalidInput(f"no agent {target!r} to transfer to", field="target")
        org = session.get(Organisation, agent.organisation_id)
        return agent, org, agent.extension or agent.login
    if kind == "queue":
        by_code_or_name = (Organisation.slug == target) | (Organisation.name == target)
        org = session.scalars(select(Organisation).where(by_code_or_name).limit(1)).first()
        if org is None:
            raise InvalidInput(f"no workstation or organisation {target!r}", field="target")
        return None, org, f"queue:{org.slug}"
    info = callers.identify_number(target)
    if info.e164 is None:
        raise InvalidInput(f"{target!r} is not a phone number", field="target")
    org = session.scalars(
        select(Organisation).where(Organisation.phone.in_([info.e164, target])).limit(1)
    ).first()
    return None, org, info.e164


def callbacks(session: Session, limit: int = 100) -> list[CallRecord]:
    """Missed calls nobody has called back yet, newest first."""
    return list(
        session.scalars(
            select(CallRecord)
            .where(CallRecord.missed.is_(True), CallRecord.called_back_at.is_(None))
            .order_by(CallRecord.id.desc())
            .limit(limit)
        )
    )


def mark_called_back(session: Session, record: CallRecord) -> None:
    if record.called_back_at is None:
        record.called_back_at = clock.now()


def current_call(session: Session, user: User) -> CallRecord | None:
    """The answered call this agent is on now (its last holder), for a console opened again
    during the call: the screen pop came once, over the socket, to the page left behind."""
    answered = select(CallRecord).where(
        CallRecord.status == CallStatus.ANSWERED, CallRecord.end_at.is_(None)
    )
    for record in session.scalars(answered.order_by(CallRecord.id.desc()).limit(50)):
        if _holder_now(record) == user.id:
            return record
    return None


def _holder_now(record: CallRecord) -> int | None:
    """Who has the call now: who answered, then whoever each transfer put it through to (a
    queue or a number: no agent here any more); a consultation still going leaves it put."""
    holder = record.answered_by_id
    for sent in record.transfers or []:
        if sent.get("mode") == "blind" or sent.get("state") == "completed":
            holder = sent.get("agent")
    return holder


def live_calls(session: Session, limit: int = 50) -> list[CallRecord]:
    return list(
        session.scalars(
            select(CallRecord)
            .where(CallRecord.status.in_([CallStatus.RINGING, CallStatus.ANSWERED]))
            .order_by(CallRecord.id.desc())
            .limit(limit)
        )
    )
