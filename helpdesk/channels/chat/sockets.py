"""The `/chat` namespace: visitors (anyone, or a logged-in enterprise user) and the agents who
answer them. Staff are recognised by their login cookie; a visitor by the key `start` handed
out, bound to the socket by `start` or `resume`. Every answer is an ack `{ok: true, ...}` or
`{ok: false, error, field, message, text}` (`text`: the refusal in the page's language, for
people); nothing a visitor sends reaches another conversation.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

from flask import current_app, request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, Namespace, emit, join_room, leave_room
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.channels.chat import service
from helpdesk.channels.chat.config import chat_config
from helpdesk.channels.chat.limits import SocketLimits
from helpdesk.channels.chat.models import Conversation, ConversationStatus, Message, Sender
from helpdesk.channels.chat.wording import refusal_text
from helpdesk.directory import queries as directory
from helpdesk.directory.phone_format import national
from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.extensions import db
from helpdesk.portal import files
from helpdesk.realtime import payloads, presence
from helpdesk.realtime.revoke import login_key
from helpdesk.sla.calendar import is_working_time

log = logging.getLogger(__name__)

NAMESPACE = "/chat"
AGENTS = "chat:agents"
# Events the server sends.
HELLO, MSG, QUEUE, STATE, TYPING, READ, QUEUE_LIST = (
    "hello", "msg", "queue", "state", "typing", "read", "queue_list"
)  # fmt: skip


QUEUE_COALESCE_SECONDS = 0.25


def _db() -> Session:
    return db.session()


def _sid() -> str:
    """The Socket.IO session id Flask-SocketIO puts on the request."""
    return str(getattr(request, "sid", ""))


def conversation_room(conversation_id: int) -> str:
    return f"chat:{conversation_id}"


class Refused(DomainError):
    status, code = 429, "rate_limited"


def answer(handler: Callable[..., dict[str, Any]]) -> Callable[..., dict[str, Any]]:
    """Run one event: commit on success, roll back and say why on a domain error."""

    @functools.wraps(handler)
    def run(self: ChatNamespace, data: object = None) -> dict[str, Any]:
        payload = data if isinstance(data, dict) else {}
        try:
            result = handler(self, payload)
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            return {
                "ok": False,
                "error": exc.code,
                "field": exc.field,
                "message": exc.message,
                "text": refusal_text(exc),
            }
        after = result.pop("_after", None)
        if after is not None:
            after()
        return {"ok": True, **result}

    return run


def present(message: Message, names: dict[int, str] | None = None) -> dict[str, Any]:
    author = None
    if message.sender is Sender.AGENT and message.author_id is not None:
        author = (names or {}).get(message.author_id)
        if author is None:
            user = _db().get(User, message.author_id)
            author = user.name if user else ""
    attachment = None
    if message.attachment_id is not None:
        from helpdesk.portal.models import Attachment

        found = _db().get(Attachment, message.attachment_id)
        attachment = files.describe(found) if found else None
    return {
        "c": message.conversation_id,
        "seq": message.seq,
        "sender": message.sender.value,
        "author": author,
        "body": message.body,
        "at": message.created_at.isoformat(),
        "client_id": message.client_id,
        "attachment": attachment,
    }


class ChatNamespace(Namespace):
    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.visitors: dict[str, int] = {}  # sid -> conversation id
        self.agent_sids: dict[str, int] = {}  # sid -> user id, this process's agent sockets
        self.limits: SocketLimits | None = None
        self.queue_pending = False

    # -- wiring -------------------------------------------------------------------------------
    def _limits(self) -> SocketLimits:
        if self.limits is None:
            settings = current_app.extensions["helpdesk.settings"]
            self.limits = SocketLimits(settings.redis_url)
        return self.limits

    def _hit(self, kind: str, key: str, per_minute: int) -> None:
        if not self._limits().hit(kind, key, per_minute):
            raise Refused(f"too many {kind}; wait a minute and try again", field=kind)

    def _user(self) -> User | None:
        user = current_user
        return user._get_current_object() if user and user.is_authenticated else None

    def _agent(self) -> User | None:
        user = self._user()
        return user if user is not None and permissions.can_answer_chats(user) else None

    # -- connection ---------------------------------------------------------------------------
    def on_connect(self, auth: object = None) -> None:
        config = chat_config()
        origin = request.headers.get("Origin")
        own = f"{request.scheme}://{request.host}"
        if not config.origin_allowed(origin, own):
            raise ConnectionRefusedError("origin not allowed")
        ip = request.remote_addr or "?"
        if not self._limits().hit("connections", ip, config.connections_per_minute):
            raise ConnectionRefusedError("too many connections; wait a minute")
        agent = self._agent()
        if agent is not None:
            # In the shared presence (Redis): "someone can answer" holds across web processes,
            # and a logout ends this socket too.
            self.agent_sids[_sid()] = agent.id
            presence.socket_opened(agent.id, _sid(), login_key(), agent.name, self.namespace)
            join_room(AGENTS)
            join_room(f"chat:agent:{agent.id}")
            emit(HELLO, {"role": "agent", "name": agent.name, "max_chats": config.max_chats})
            emit(QUEUE_LIST, self._queue_list())
            return
        user = self._user()
        emit(HELLO, {"role": "visitor", **self._availability(), "known": _known(user)})

    def on_disconnect(self, reason: object = None) -> None:
        self.visitors.pop(_sid(), None)
        user_id = self.agent_sids.pop(_sid(), None)
        if user_id is not None:
            presence.socket_closed(user_id, _sid())

    def agents_on_line(self) -> int:
        """Agents with the chat open who are not away, in any web process."""
        return len(presence.on_line(self.namespace))

    def _availability(self) -> dict[str, Any]:
        config = chat_config()
        if not config.always_open and not is_working_time(clock.now()):
            return {"open": False, "reason": "closed"}
        if not self.agents_on_line():
            return {"open": False, "reason": "nobody"}
        return {"open": True, "reason": None}

    # -- visitors -----------------------------------------------------------------------------
    def _bound(self) -> Conversation:
        conversation_id = self.visitors.get(_sid())
        found = _db().get(Conversation, conversation_id) if conversation_id else None
        if found is None:
            raise NotFound("start or resume a conversation first", field="token")
        return found

    def _visitor(self, data: dict[str, Any]) -> service.Visitor:
        form = payloads.VisitorIn.read(data)
        return service.Visitor(
            form.name or "", form.phone or "", form.category or "", form.question or ""
        )

    @answer
    def on_start(self, data: dict[str, Any]) -> dict[str, Any]:
        if self._agent() is not None:
            raise InvalidInput("agents answer chats; open the widget logged out", field="role")
        availability = self._availability()
        if not availability["open"]:
            raise InvalidInput(
                "nobody can answer now; leave a message", field=availability["reason"]
            )
        self._hit("starts", request.remote_addr or "?", chat_config().starts_per_minute)
        conversation, token = service.start(_db(), self._visitor(data), self._user())
        number = conversation.ticket.number
        conversation_id = conversation.id

        def after() -> None:
            self._bind(conversation_id)
            self._broadcast_queue()

        return {"token": token, "ticket": number, "_after": after, **self._state(conversation)}

    @answer
    def on_leave_message(self, data: dict[str, Any]) -> dict[str, Any]:
        self._hit("starts", request.remote_addr or "?", chat_config().starts_per_minute)
        ticket = service.leave_message(_db(), self._visitor(data), self._user())
        return {"ticket": ticket.number}

    @answer
    def on_resume(self, data: dict[str, Any]) -> dict[str, Any]:
        asked = payloads.ResumeIn.read(data)
        conversation = service.by_token(_db(), asked.token)
        user = self._user()
        if not permissions.is_chat_visitor(user, conversation.visitor_user_id):
            raise NotFound("no such conversation", field="token")
        seen = asked.after
        # Into the room before reading the backlog: a message stored in between then comes
        # both ways (the client keeps one per seq), never neither way.
        self._bind(conversation.id)
        backlog = [present(m) for m in service.after(_db(), conversation, seen)]
        return {
            "messages": backlog,
            "ticket": conversation.ticket.number,
            **self._state(conversation),
        }

    def _bind(self, conversation_id: int) -> None:
        self.visitors[_sid()] = conversation_id
        join_room(conversation_room(conversation_id))

    def _state(self, conversation: Conversation) -> dict[str, Any]:
        place = service.position(_db(), conversation)
        agent = _db().get(User, conversation.agent_id) if conversation.agent_id else None
        return {
            "status": conversation.status.value,
            "position": place,
            "wait_minutes": service.expected_wait(place, self.agents_on_line()) if place else 0,
            "agent": agent.name if agent and conversation.status.value == "active" else None,
            "last_seq": conversation.last_seq,
            "read_by_agent": conversation.agent_read_seq,
            "rated": _rated(conversation),
        }

    # -- both sides ---------------------------------------------------------------------------
    def _side(self, data: dict[str, Any]) -> tuple[Conversation, Sender, User | None]:
        agent = self._agent()
        if agent is None:
            return self._bound(), Sender.VISITOR, None
        side = payloads.SideIn.read(data)
        conversation = service.for_agent(_db(), agent, side.conversation_id)
        service.owns(agent, conversation)
        return conversation, Sender.AGENT, agent

    @answer
    def on_message(self, data: dict[str, Any]) -> dict[str, Any]:
        conversation, sender, agent = self._side(data)
        sent = payloads.MessageIn.read(data)
        config = chat_config()
        self._hit("messages", request.remote_addr or "?", config.messages_per_minute * 4)
        self._hit("messages", f"c{conversation.id}:{sender.value}", config.messages_per_minute)
        attachment = None
        if sent.attachment is not None:
            attachment = files.by_key(_db(), sent.attachment)
            if attachment.conversation_id != conversation.id:
                raise NotFound("no such file", field="attachment")
        message, new = service.post(
            _db(),
            conversation,
            sender,
            agent,
            sent.body,
            sent.client_id,
            attachment,
            config.message_chars,
        )
        shown = present(message)
        room = conversation_room(conversation.id)

        def after() -> None:
            if new:
                emit(MSG, shown, to=room)

        return {"seq": message.seq, "duplicate": not new, "_after": after}

    def on_typing(self, data: object = None) -> None:
        payload = data if isinstance(data, dict) else {}
        try:
            conversation, sender, _agent = self._side(payload)
            if self._limits().hit("typing", _sid(), 120):
                emit(TYPING, {"c": conversation.id, "sender": sender.value},
                     to=conversation_room(conversation.id), include_self=False)  # fmt: skip
        except DomainError:
            pass
        finally:
            db.session.rollback()

    @answer
    def on_read(self, data: dict[str, Any]) -> dict[str, Any]:
        conversation, sender, _agent = self._side(data)
        seq = service.mark_read(conversation, sender, payloads.ReadIn.read(data).seq)
        shown = {"c": conversation.id, "side": sender.value, "seq": seq}
        room = conversation_room(conversation.id)
        return {"seq": seq, "_after": lambda: emit(READ, shown, to=room, include_self=False)}

    @answer
    def on_end(self, data: dict[str, Any]) -> dict[str, Any]:
        conversation, _sender, agent = self._side(data)
        holder = conversation.agent_id if conversation.status is ConversationStatus.ACTIVE else None
        service.end(_db(), agent, conversation, file=payloads.EndIn.read(data).file)
        announce, load = self.announcer(conversation), self._load(holder)

        def after() -> None:
            announce()
            load()

        return {"_after": after}

    @answer
    def on_rate(self, data: dict[str, Any]) -> dict[str, Any]:
        conversation = self._bound()
        if self._agent() is not None:
            raise InvalidInput("the visitor rates the chat", field="score")
        rating = payloads.RateIn.read(data)
        service.rate(_db(), conversation, rating.score, rating.comment)
        return {}

    # -- agents -------------------------------------------------------------------------------
    def _staff(self) -> User:
        agent = self._agent()
        if agent is None:
            raise NotFound("no such conversation", field="conversation_id")
        return agent

    @answer
    def on_accept(self, data: dict[str, Any]) -> dict[str, Any]:
        agent = self._staff()
        conversation = service.for_agent(_db(), agent, payloads.SideIn.read(data).conversation_id)
        service.accept(_db(), agent, conversation, chat_config().max_chats)
        conversation_id = conversation.id
        announce, load = self.announcer(conversation), self._load(agent.id)

        def after() -> None:
            join_room(conversation_room(conversation_id))
            announce()
            load()

        return {**self._agent_view(conversation), "_after": after}

    @answer
    def on_open(self, data: dict[str, Any]) -> dict[str, Any]:
        """An agent's page (re)joining a chat it holds, with what came after `after`."""
        agent = self._staff()
        asked = payloads.OpenIn.read(data)
        conversation = service.for_agent(_db(), agent, asked.conversation_id)
        if not permissions.may_open_any_chat(agent):
            service.owns(agent, conversation)
        seen = asked.after
        join_room(conversation_room(conversation.id))  # before the backlog, as on_resume
        view = self._agent_view(conversation)
        view["messages"] = [present(m) for m in service.after(_db(), conversation, seen)]
        return view

    @answer
    def on_mine(self, data: dict[str, Any]) -> dict[str, Any]:
        from sqlalchemy import select

        agent = self._staff()
        held = _db().scalars(
            select(Conversation).where(
                Conversation.agent_id == agent.id,
                Conversation.status == ConversationStatus.ACTIVE,
            )
        )
        return {"conversations": [self._agent_view(c) for c in held]}

    @answer
    def on_transfer(self, data: dict[str, Any]) -> dict[str, Any]:
        agent = self._staff()
        asked = payloads.TransferIn.read(data)
        conversation = service.for_agent(_db(), agent, asked.conversation_id)
        target = _db().get(User, asked.to_agent_id) if asked.to_agent_id is not None else None
        if asked.to_agent_id is not None and target is None:
            raise InvalidInput("no such agent", field="to")
        service.transfer(
            _db(), agent, conversation, target, asked.to_organisation_id, asked.note
        )  # fmt: skip
        room = conversation_room(conversation.id)
        announce, load = self.announcer(conversation), self._load(agent.id)

        def after() -> None:
            leave_room(room)
            announce()
            load()

        return {"_after": after}

    def _agent_view(self, conversation: Conversation) -> dict[str, Any]:
        return {
            "conversation_id": conversation.id,
            "ticket": conversation.ticket.number,
            "visitor": conversation.visitor_name,
            "phone": conversation.visitor_phone,
            "phone_display": national(conversation.visitor_phone) or None,
            "category": conversation.category_code,
            "category_name": _category_name(_db(), conversation.category_code),
            "status": conversation.status.value,
            "note": conversation.note,
            "last_seq": conversation.last_seq,
            "read_by_visitor": conversation.visitor_read_seq,
        }

    def _load(self, agent_id: int | None) -> Callable[[], None]:
        """After commit: tell presence how many chats the agent now holds (busy at the limit)."""
        if agent_id is None:
            return lambda: None
        user = _db().get(User, agent_id)
        active = service.active_count(_db(), user) if user is not None else 0
        limit = chat_config().max_chats

        def load() -> None:
            presence.chat_load(agent_id, active, limit)

        return load

    def _queue_list(self) -> list[dict[str, Any]]:
        session = _db()
        return [
            {
                "conversation_id": c.id,
                "visitor": c.visitor_name,
                "category": c.category_code,
                "category_name": _category_name(session, c.category_code),
                "ticket": c.ticket.number,
                "since": c.created_at.isoformat(),
                "offered_to": c.agent_id,
                "group": c.organisation_id,
                "note": c.note,
            }
            for c in service.queued(session)
        ]

    def announcer(self, conversation: Conversation) -> Callable[[], None]:
        """After commit: the conversation's new state to its room, the queue to everyone.
        Not bound to a chat socket's event, so a change made elsewhere (the wallboard) uses it."""
        room = conversation_room(conversation.id)
        state = self._state(conversation)
        message = service.after(_db(), conversation, conversation.last_seq - 1)
        shown = [present(m) for m in message]

        def announce() -> None:
            for item in shown:
                self.socketio.emit(MSG, item, to=room, namespace=self.namespace)
            self.socketio.emit(STATE, state, to=room, namespace=self.namespace)
            self._broadcast_queue()

        return announce

    def _broadcast_queue(self) -> None:
        """Coalesced: many starts and accepts in a moment cost one queue update, not one each
        (with hundreds waiting, each update is one emit per waiting visitor)."""
        if self.queue_pending:
            return
        self.queue_pending = True
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        self.socketio.start_background_task(self._send_queue, app)

    def _send_queue(self, app: Any) -> None:
        self.socketio.sleep(QUEUE_COALESCE_SECONDS)
        self.queue_pending = False
        with app.app_context():
            try:
                waiting = service.queued(_db())
                listing = self._queue_list()
                agents = self.agents_on_line() if waiting else 0
            finally:
                db.session.remove()
        self.socketio.emit(QUEUE_LIST, listing, to=AGENTS, namespace=self.namespace)
        for place, conversation in enumerate(waiting, start=1):
            info = {"position": place, "wait_minutes": service.expected_wait(place, agents)}
            room = conversation_room(conversation.id)
            self.socketio.emit(QUEUE, info, to=room, namespace=self.namespace)


def _known(user: User | None) -> dict[str, Any] | None:
    """A logged-in enterprise user skips the pre-chat form."""
    if user is None or not permissions.uses_portal(user):
        return None
    return {"name": user.name, "enterprise": user.enterprise.name if user.enterprise else None}


def _rated(conversation: Conversation) -> bool:
    from sqlalchemy import select

    from helpdesk.portal.models import TicketRating

    found = _db().scalars(
        select(TicketRating.id).where(TicketRating.ticket_id == conversation.ticket_id)
    )
    return found.first() is not None


def _category_name(session: Session, code: str | None) -> str:
    """The service as agents read it (担保服务), not its code; an unknown code as it is."""
    entry = directory.reference(session).categories.get(code or "")
    return entry.name_zh if entry else (code or "")
