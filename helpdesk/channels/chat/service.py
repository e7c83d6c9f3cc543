"""Chat conversations: start (a ticket is made), post with per-conversation sequence numbers,
accept, transfer, end (the transcript lands on the ticket), rate, leave a message.

Like the tickets service, these functions change rows and the caller commits once. Tickets are
changed only through `helpdesk.tickets.service`.
"""

from __future__ import annotations

import hashlib
import logging
import math
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.channels.chat.models import Conversation, ConversationStatus, Message, Sender
from helpdesk.directory import queries as directory
from helpdesk.directory.validation import check_length, normalise_phone
from helpdesk.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from helpdesk.portal.models import Attachment
from helpdesk.routing import service as routing
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import OPEN_STATUSES, Channel, Status, Ticket, TicketType

log = logging.getLogger(__name__)

CITY = "330100"
MINUTES_PER_CHAT = 4  # the wait estimate's guess of one chat's length
Q = ConversationStatus


@dataclass(frozen=True)
class Visitor:
    name: str = ""
    phone: str = ""
    category: str = ""
    question: str = ""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def by_token(session: Session, token: object) -> Conversation:
    """The visitor's conversation; any unknown or malformed token is simply not found."""
    if not isinstance(token, str) or not 20 <= len(token) <= 100:
        raise NotFound("no such conversation", field="token")
    found = session.scalars(
        select(Conversation).where(Conversation.token_hash == hash_token(token))
    ).first()
    if found is None:
        raise NotFound("no such conversation", field="token")
    return found


def for_agent(session: Session, agent: User, conversation_id: object) -> Conversation:
    if not agent.is_staff:
        raise Forbidden("chats are answered by centre staff", field="conversation_id")
    found = session.get(Conversation, conversation_id) if isinstance(conversation_id, int) else None
    if found is None:
        raise NotFound("no such conversation", field="conversation_id")
    return found


def _visitor_ticket(session: Session, visitor: Visitor, user: User | None) -> tickets.NewTicket:
    name = check_length(visitor.name, 60, "name", required=user is None)
    phone = visitor.phone.strip()
    if user is None or phone:
        phone = normalise_phone(phone, "phone")
    category = directory.category(session, visitor.category or "", "category")
    if "/" not in category.code:
        raise InvalidInput("choose a service, not only a platform", field="category")
    question = check_length(visitor.question, 2000, "question")
    enterprise = user.enterprise if user is not None and user.enterprise_id else None
    subject = f"在线咨询：{category.name_zh}"
    if question:
        subject = check_length(question.splitlines()[0][:60], 200, "question")
    return tickets.NewTicket(
        subject=subject,
        category=category.code,
        type=TicketType.INQUIRY,
        channel=Channel.CHAT,
        district=enterprise.district_code if enterprise else CITY,
        description=question,
        contact_name=name or (user.name if user else None),
        contact_phone=phone or None,
    )


def start(session: Session, visitor: Visitor, user: User | None) -> tuple[Conversation, str]:
    """A new conversation and its ticket. Returns the conversation and the visitor's key (only
    its hash is stored: the key is what lets this browser back in)."""
    if user is not None and user.role is not Role.ENTERPRISE:
        user = None  # staff trying the widget are visitors like anyone
    data = _visitor_ticket(session, visitor, user)
    data.route = False  # the centre's while it is answered: no provider sees it come and go
    ticket = tickets.create(session, user, data)
    token = secrets.token_urlsafe(32)
    conversation = Conversation(
        token_hash=hash_token(token),
        ticket_id=ticket.id,
        status=Q.QUEUED,
        visitor_name=data.contact_name or "",
        visitor_phone=normalise_phone(data.contact_phone) if data.contact_phone else None,
        visitor_user_id=user.id if user else None,
        category_code=data.category,
        created_at=clock.now(),
        last_seq=0,
        visitor_read_seq=0,
        agent_read_seq=0,
    )
    session.add(conversation)
    session.flush()
    if data.description:
        post(session, conversation, Sender.VISITOR, None, data.description, None)
    return conversation, token


def leave_message(session: Session, visitor: Visitor, user: User | None) -> Ticket:
    """Nobody on duty: the message becomes a ticket (channel chat) answered later."""
    if user is not None and user.role is not Role.ENTERPRISE:
        user = None
    data = _visitor_ticket(session, visitor, user)
    if not data.description:
        raise InvalidInput("question is required", field="question")
    data.type = TicketType.REQUEST
    return tickets.create(session, user, data)


def _next_seq(session: Session, conversation: Conversation) -> int:
    """One atomic increment: two posts at once never share a number."""
    seq = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id)
        .values(last_seq=Conversation.last_seq + 1)
        .returning(Conversation.last_seq)
    ).scalar_one()
    conversation.last_seq = seq  # keep the loaded object in step without a refresh
    return int(seq)


def post(
    session: Session,
    conversation: Conversation,
    sender: Sender,
    author: User | None,
    body: str | None,
    client_id: str | None,
    attachment: Attachment | None = None,
    limit: int = 2000,
) -> tuple[Message, bool]:
    """Store one message; returns it and whether it is new. A `client_id` seen before in this
    conversation returns the stored message (a resend after a reconnect is not a second one)."""
    if conversation.status is Q.ENDED:
        raise Conflict("this conversation has ended", field="conversation")
    text = (body or "").strip()
    if len(text) > limit:
        raise InvalidInput(f"message is {len(text)} characters; at most {limit}", field="body")
    if not text and attachment is None:
        raise InvalidInput("an empty message", field="body")
    if client_id is not None:
        if not isinstance(client_id, str) or not 1 <= len(client_id) <= 40:
            raise InvalidInput("client_id must be 1 to 40 characters", field="client_id")
        seen = session.scalars(
            select(Message).where(
                Message.conversation_id == conversation.id, Message.client_id == client_id
            )
        ).first()
        if seen is not None:
            return seen, False
    message = Message(
        conversation_id=conversation.id,
        seq=_next_seq(session, conversation),
        sender=sender,
        author_id=author.id if author else None,
        client_id=client_id,
        body=text,
        attachment_id=attachment.id if attachment else None,
        created_at=clock.now(),
    )
    session.add(message)
    session.flush()
    return message, True


def after(
    session: Session, conversation: Conversation, seq: int, limit: int = 1000
) -> list[Message]:
    return list(
        session.scalars(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.seq > seq)
            .order_by(Message.seq)
            .limit(limit)
        )
    )


def queued(session: Session) -> list[Conversation]:
    return list(
        session.scalars(
            select(Conversation).where(Conversation.status == Q.QUEUED).order_by(Conversation.id)
        )
    )


def position(session: Session, conversation: Conversation) -> int:
    if conversation.status is not Q.QUEUED:
        return 0
    ahead = session.scalar(
        select(func.count())
        .select_from(Conversation)
        .where(Conversation.status == Q.QUEUED, Conversation.id < conversation.id)
    )
    return int(ahead or 0) + 1


def expected_wait(place: int, agents_online: int) -> int:
    """Minutes, roughly: the chats ahead shared among the agents on line."""
    if place <= 0:
        return 0
    return max(1, math.ceil(place * MINUTES_PER_CHAT / max(agents_online, 1)))


def active_count(session: Session, agent: User) -> int:
    return int(
        session.scalar(
            select(func.count())
            .select_from(Conversation)
            .where(Conversation.agent_id == agent.id, Conversation.status == Q.ACTIVE)
        )
        or 0
    )


def accept(session: Session, agent: User, conversation: Conversation, max_chats: int) -> None:
    """Take a queued chat; refused above the agent's limit, or when someone was faster."""
    if active_count(session, agent) >= max_chats:
        raise Conflict(f"you already have {max_chats} chats open; end one first", field="limit")
    offered = conversation.agent_id in (None, agent.id)
    group = conversation.organisation_id in (None, agent.organisation_id)
    if not (offered and group):
        raise Forbidden("this chat was passed to someone else", field="conversation_id")
    result = session.execute(
        update(Conversation)
        .where(Conversation.id == conversation.id, Conversation.status == Q.QUEUED)
        .values(status=Q.ACTIVE, agent_id=agent.id, accepted_at=clock.now())
        .execution_options(synchronize_session=False)
    )
    taken = getattr(result, "rowcount", 0)
    if taken != 1:
        raise Conflict("another agent has already taken this chat", field="conversation_id")
    session.refresh(conversation)
    _take_ticket(session, agent, conversation.ticket)
    post(session, conversation, Sender.SYSTEM, agent, f"joined:{agent.name}", None)


def _take_ticket(session: Session, agent: User, ticket: Ticket) -> None:
    """The agent who answers the chat holds its ticket: routed to the centre, then accepted."""
    if agent.organisation_id is None or ticket.status not in OPEN_STATUSES:
        return
    mine = ticket.assigned_org_id == agent.organisation_id and ticket.assignee_id in (
        None,
        agent.id,
    )
    try:
        if ticket.status is Status.NEW:
            tickets.assign(session, agent, ticket, agent.organisation_id, agent.id)
        elif not mine:
            reason = "在线咨询由坐席接入"
            tickets.transfer(session, agent, ticket, agent.organisation_id, agent.id, reason)
        if ticket.status is Status.ASSIGNED:
            tickets.accept(session, agent, ticket)
    except DomainError as exc:  # the chat goes on; the ticket keeps its routing
        log.warning("chat ticket %s not taken by %s: %s", ticket.number, agent.login, exc)


def transfer(
    session: Session,
    agent: User,
    conversation: Conversation,
    to_agent: User | None,
    to_organisation_id: int | None,
    note: str | None,
) -> None:
    """Hand the chat to a colleague or a group with a note; it waits for them in the queue."""
    owns(agent, conversation)
    _hand_over(session, agent, conversation, to_agent, to_organisation_id, note)


def reassign(
    session: Session, supervisor: User, conversation: Conversation, to_agent: User, note: str
) -> None:
    """A supervisor sends a waiting chat to an agent (from the wallboard) with a note the agent
    sees: it waits for them. A chat being answered is the answering agent's to transfer."""
    if supervisor.role not in (Role.SUPERVISOR, Role.ADMIN):
        raise Forbidden("only supervisors reassign waiting chats", field="user")
    if conversation.status is not Q.QUEUED:
        raise Conflict(
            f"chat {conversation.id} is {conversation.status.value}: only a waiting chat is "
            "reassigned; the agent answering it transfers it",
            field="conversation_id",
        )
    _hand_over(session, supervisor, conversation, to_agent, None, note)


def _hand_over(
    session: Session,
    agent: User,
    conversation: Conversation,
    to_agent: User | None,
    to_organisation_id: int | None,
    note: str | None,
) -> None:
    text = check_length(note, 500, "note", required=True)
    if to_agent is None and to_organisation_id is None:
        raise InvalidInput("choose an agent or a group", field="to")
    if to_agent is not None and (not to_agent.is_staff or not to_agent.active):
        raise InvalidInput("chats go to active centre staff", field="to")
    target_org = to_agent.organisation_id if to_agent else to_organisation_id
    conversation.status = Q.QUEUED
    conversation.agent_id = to_agent.id if to_agent else None
    conversation.organisation_id = target_org
    conversation.note = text
    ticket = conversation.ticket
    if ticket.status in OPEN_STATUSES and target_org is not None:
        try:
            tickets.transfer(
                session, agent, ticket, target_org, to_agent.id if to_agent else None, text
            )
        except DomainError as exc:
            log.warning("chat ticket %s transfer: %s", ticket.number, exc)
    post(session, conversation, Sender.SYSTEM, agent, "transferred", None)


def owns(agent: User, conversation: Conversation) -> None:
    if conversation.status is not Q.ACTIVE or conversation.agent_id != agent.id:
        raise Forbidden("this chat is not yours to answer", field="conversation_id")


FILED_REASON = "在线咨询结束，坐席转为工单，按分派规则转交"


def end(
    session: Session, actor: User | None, conversation: Conversation, file: bool = False
) -> None:
    """Close the conversation and keep its transcript on the ticket as a public comment.
    `file` (转为工单): the answering agent hands the ticket to whoever the routing rules name;
    only now may it reach a provider's desk (while answered it was the centre's)."""
    if conversation.status is Q.ENDED:
        return
    if file and (actor is None or conversation.agent_id != actor.id):
        raise Forbidden("only the agent answering the chat files it", field="conversation_id")
    post(session, conversation, Sender.SYSTEM, actor, "ended", None)
    conversation.status = Q.ENDED
    conversation.ended_at = clock.now()
    ticket = conversation.ticket
    if ticket.status in OPEN_STATUSES | {Status.RESOLVED}:
        sent = session.scalars(
            select(Attachment)
            .where(Attachment.conversation_id == conversation.id)
            .order_by(Attachment.id)
        ).all()
        # the chat's files go with its transcript: pages list them under it by name
        text = transcript(session, conversation)
        tickets.comment(session, actor, ticket, text, attachments=sent)
    if ticket.status is Status.NEW:  # nobody answered: now the rules say where it goes
        routing.route(session, ticket)
    elif file and ticket.status in OPEN_STATUSES:
        _file(session, actor, ticket)


def _file(session: Session, agent: User | None, ticket: Ticket) -> None:
    """Where the rules would send this ticket now; left with the centre when they name it."""
    decision = routing.decide(session, ticket)
    if decision is None or decision.organisation_id in (None, ticket.assigned_org_id):
        return
    target = int(decision.organisation_id or 0)
    tickets.transfer(session, agent, ticket, target, decision.person_id, FILED_REASON)


def transcript(session: Session, conversation: Conversation) -> str:
    names: dict[int, str] = {}
    lines = [f"在线咨询记录 / Chat transcript ({conversation.visitor_name})"]
    for message in after(session, conversation, 0, limit=10_000):
        if message.sender is Sender.SYSTEM:
            continue
        when = message.created_at.astimezone(clock.HANGZHOU).strftime("%H:%M")
        if message.sender is Sender.VISITOR:
            who = conversation.visitor_name or "访客"
        else:
            if message.author_id not in names:
                author = session.get(User, message.author_id)
                names[message.author_id or 0] = author.name if author else "坐席"
            who = names.get(message.author_id or 0, "坐席")
        body = message.body or ""
        if message.attachment_id:
            file = session.get(Attachment, message.attachment_id)
            body = f"{body}（附件：{file.filename}）".strip() if file else body
        lines.append(f"[{when}] {who}: {body}")
    return "\n".join(lines)[: tickets.COMMENT_LIMIT]


def rate(session: Session, conversation: Conversation, score: object, comment: object) -> None:
    if conversation.status is not Q.ENDED:
        raise Conflict("rate the chat once it has ended", field="score")
    if not isinstance(score, int) or isinstance(score, bool):
        raise InvalidInput("score must be a whole number from 1 to 5", field="score")
    text = comment if isinstance(comment, str) else ""
    tickets.rate(session, None, conversation.ticket, score, text, channel="chat")


def mark_read(conversation: Conversation, side: Sender, seq: object) -> int:
    if not isinstance(seq, int) or isinstance(seq, bool) or seq < 0:
        raise InvalidInput("seq must be a whole number", field="seq")
    seq = min(seq, conversation.last_seq)
    if side is Sender.VISITOR:
        conversation.visitor_read_seq = max(conversation.visitor_read_seq, seq)
        return conversation.visitor_read_seq
    conversation.agent_read_seq = max(conversation.agent_read_seq, seq)
    return conversation.agent_read_seq
