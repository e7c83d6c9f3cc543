"""Call records: the list with filters (period, direction, outcome, agent, number) and one call
with its IVR path and ticket. Scoped like tickets (helpdesk.channels.phone.queries)."""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, Field

from helpdesk.api import schemas as out
from helpdesk.api.bodies import LENIENT, Id
from helpdesk.api.present import phone_for
from helpdesk.api.registry import db_session, route
from helpdesk.auth.models import User
from helpdesk.channels.phone import queries
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.channels.phone.models import CallDirection, CallRecord, CallStatus
from helpdesk.directory.models import Enterprise
from helpdesk.tickets.models import Ticket

TAG = "calls"


class CallListQuery(BaseModel):
    model_config = LENIENT
    since: AwareDatetime | None = Field(None, description="rang at or after (ISO 8601, with zone)")
    until: AwareDatetime | None = Field(None, description="rang before (ISO 8601, with zone)")
    direction: CallDirection | None = None
    status: CallStatus | None = None
    outcome: CallOutcome | None = None
    agent_id: Id | None = Field(None, description="the user who answered")
    number: str | None = Field(
        None, max_length=64, description="the caller's or the dialled number, any usual spelling"
    )
    limit: int = Field(50, ge=1, le=100)
    before: Id | None = Field(None, description="next_before of the previous page")


class IvrStep(BaseModel):
    node: str
    input: str | None = None


class CallOut(BaseModel):
    id: int
    call_id: str
    source: str  # cti, twiml, agi
    direction: CallDirection
    status: CallStatus
    outcome: CallOutcome | None  # set when the call ends
    cause: str | None  # the hang-up cause as the PBX sent it
    caller: str | None  # masked (138****0000) for provider staff
    caller_city: str | None
    dialled: str | None
    queue: str | None
    ring_at: datetime
    answer_at: datetime | None
    end_at: datetime | None
    wait_seconds: int | None
    talk_seconds: int | None
    missed: bool
    called_back_at: datetime | None
    agent: out.Named | None
    enterprise: out.EnterpriseRef | None
    ticket: str | None  # its number
    ivr_script: str | None
    ivr_outcome: str | None
    ivr_path: list[IvrStep]
    transfers: int


class CallPage(BaseModel):
    items: list[CallOut]
    next_before: int | None


def present(user: User, row: CallRecord) -> CallOut:
    session = db_session()
    agent = row.answered_by
    enterprise = session.get(Enterprise, row.enterprise_id) if row.enterprise_id else None
    ticket = session.get(Ticket, row.ticket_id) if row.ticket_id else None
    inbound = row.direction is CallDirection.IN
    caller = row.caller_e164 or (row.from_number if inbound else row.to_number) or None
    return CallOut(
        id=row.id,
        call_id=row.call_id,
        source=row.source,
        direction=row.direction,
        status=row.status,
        outcome=row.outcome,
        cause=row.cause,
        caller=phone_for(user, caller),
        caller_city=row.caller_city,
        dialled=(row.to_number if inbound else row.from_number) or None,
        queue=row.queue,
        ring_at=row.ring_at,
        answer_at=row.answer_at,
        end_at=row.end_at,
        wait_seconds=row.wait_seconds,
        talk_seconds=row.talk_seconds,
        missed=row.missed,
        called_back_at=row.called_back_at,
        agent=None if agent is None else out.Named(id=agent.id, name=agent.name),
        enterprise=None
        if enterprise is None
        else out.EnterpriseRef(id=enterprise.id, name=enterprise.name, uscc=enterprise.uscc),
        ticket=ticket.number if ticket else None,
        ivr_script=row.ivr_script,
        ivr_outcome=row.ivr_outcome,
        ivr_path=[IvrStep(node=p["node"], input=p.get("input")) for p in row.ivr_path or []],
        transfers=len(row.transfers or []),
    )


@route(
    "/calls",
    summary="List call records, newest first, one keyset page at a time",
    tag=TAG,
    query=CallListQuery,
    response=CallPage,
)
def list_calls(user: User, query: CallListQuery) -> CallPage:
    filters = queries.CallFilter(
        since=query.since,
        until=query.until,
        direction=query.direction,
        status=query.status,
        outcome=query.outcome,
        agent_id=query.agent_id,
        number=(query.number or "").strip() or None,
    )
    page = queries.list_calls(db_session(), user, filters, query.before, query.limit)
    return CallPage(items=[present(user, c) for c in page.calls], next_before=page.next_before)


@route(
    "/calls/<call_id>",
    summary="Read one call record, with its IVR path and ticket",
    tag=TAG,
    response=CallOut,
    errors=(404,),
)
def read_call(user: User, call_id: str) -> CallOut:
    return present(user, queries.get_call(db_session(), user, call_id))
