"""JSON for the live screens, in the API registry (documented, authenticated, CSRF-checked):

- `GET /desk/tickets?view=mine|queue|org|all`  the lists a console starts from
- `GET /desk/changes?since=<cursor>&known=1,2` catch-up after a reconnect
- `GET /wallboard`                             supervisors' figures
- `POST /tickets/<number>/reveal-phone`        the contact's full number, logged as an event
- `POST /wallboard/chats/<id>/reassign`        a waiting chat sent to an agent (supervisors)
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from flask import current_app
from pydantic import BaseModel, Field
from sqlalchemy import event

from helpdesk import clock
from helpdesk.api.bodies import Id
from helpdesk.api.registry import db_session, route
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.console import queries
from helpdesk.console import schemas as out
from helpdesk.console.reveal import reveal_phone
from helpdesk.directory.phone_format import national
from helpdesk.errors import Forbidden, InvalidInput, NotFound
from helpdesk.extensions import socketio
from helpdesk.ids import required_row_id
from helpdesk.tickets import service

TAG = "live desk"


class ChatReassign(BaseModel):
    agent_id: Id = Field(description="the centre agent the waiting chat is offered to")
    note: str = Field(description="why, shown to the agent with the offer (up to 500 characters)")


class DeskQuery(BaseModel):
    view: Literal["mine", "queue", "org", "all"] = Field("mine", description="which list")


class ChangesQuery(BaseModel):
    since: datetime = Field(description="the `cursor` of the last list or catch-up")
    known: str = Field("", description="ids of tickets the client shows, comma-separated")


EARLIEST_CURSOR, LATEST_CURSOR = 2000, 9000  # years


def _desk_user(user: User) -> User:
    if not permissions.can_use_desk(user):  # also checked by the route, before the query
        raise Forbidden("the live desk is for staff", field="user")
    return user


@route(
    "/desk/tickets",
    summary="A console's ticket list as socket-event summaries, with a catch-up cursor",
    tag=TAG,
    query=DeskQuery,
    response=out.DeskTickets,
    allowed=permissions.can_use_desk,
)
def desk_tickets(user: User, query: DeskQuery) -> out.DeskTickets:
    now = clock.now()
    items = queries.desk_tickets(db_session(), _desk_user(user), query.view)
    return out.DeskTickets(items=items, cursor=now.isoformat())


@route(
    "/desk/changes",
    summary="What changed since a cursor (after a reconnect); ids no longer visible are `gone`",
    tag=TAG,
    query=ChangesQuery,
    response=out.DeskTickets,
    allowed=permissions.can_use_desk,
)
def desk_changes(user: User, query: ChangesQuery) -> out.DeskTickets:
    parts = [k for k in query.known.split(",") if k.strip()][:500]
    known = [required_row_id(k, "known", "known lists ticket ids, comma-separated") for k in parts]
    # A cursor is a time this system gave out: year 1 or 9999 overflows in the time zone shift.
    if not EARLIEST_CURSOR <= query.since.year <= LATEST_CURSOR:
        raise InvalidInput("since is not a cursor this desk gave out", field="since")
    now = clock.now()
    since = query.since if query.since.tzinfo else query.since.replace(tzinfo=clock.HANGZHOU)
    items, gone = queries.changes_since(db_session(), _desk_user(user), since, known)
    return out.DeskTickets(items=items, gone=gone, cursor=now.isoformat())


@route(
    "/wallboard",
    summary="The supervisors' wallboard: live counts, waiting calls, agents, SLA, today",
    tag=TAG,
    response=out.Wallboard,
    allowed=permissions.can_supervise,
)
def wallboard(user: User) -> out.Wallboard:
    return out.Wallboard(**queries.wallboard(db_session()))


@route(
    "/tickets/<number>/reveal-phone",
    "POST",
    summary="Show a masked contact phone in full; recorded as a ticket event",
    tag=TAG,
    response=out.RevealedPhone,
    errors=(404,),
    allowed=permissions.can_use_desk,
)
def reveal(user: User, number: str) -> out.RevealedPhone:
    ticket = service.get_by_number(db_session(), number, user)
    phone = reveal_phone(db_session(), user, ticket)
    return out.RevealedPhone(
        number=ticket.number,
        phone=phone,
        phone_display=national(phone) or None,
        version=ticket.version,
    )


@route(
    "/wallboard/chats/<id:conversation_id>/reassign",
    "POST",
    summary="Send a waiting chat to an agent; it waits for them (supervisors)",
    tag=TAG,
    body=ChatReassign,
    response=out.ChatReassigned,
    errors=(404, 409),
    allowed=permissions.can_supervise,
)
def reassign_chat(user: User, body: ChatReassign, conversation_id: int) -> out.ChatReassigned:
    from helpdesk.channels.chat import service as chats
    from helpdesk.channels.chat.models import Conversation

    session = db_session()
    conversation = session.get(Conversation, conversation_id)
    if conversation is None:
        raise NotFound(f"no chat {conversation_id}", field="conversation_id")
    agent = session.get(User, body.agent_id)
    if agent is None:
        raise InvalidInput(f"no user {body.agent_id}", field="agent_id")
    chats.reassign(session, user, conversation, agent, body.note)
    namespace = current_app.extensions.get("helpdesk.chat.namespace")
    if namespace is not None and socketio.server is not None:
        send = namespace.announcer(conversation)
        event.listen(session, "after_commit", lambda _: send(), once=True)
    return out.ChatReassigned(conversation_id=conversation.id, agent_id=agent.id)
