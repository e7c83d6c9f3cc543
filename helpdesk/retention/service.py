"""Anonymising personal data past its retention (the settings: helpdesk.retention.config).

Names become 已匿名, numbers keep only their masked form (138****0004), chat text and the
transcript on the ticket are replaced, and files lose their contents. Each record gets an
`Erasure` row; a ticket's transcript is rewritten by the tickets service with an "anonymised"
event, whose sealed digests let `audit verify` replay the new text. The chain itself never held
the values (helpdesk.audit.chain keeps keyed digests), so it still verifies.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.channels.chat.models import Conversation, Message
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import Contact
from helpdesk.directory.phone_format import masked
from helpdesk.portal.models import Attachment
from helpdesk.retention.config import KINDS, RetentionConfig
from helpdesk.retention.models import Erasure
from helpdesk.tickets import service as tickets
from helpdesk.tickets.models import Comment, Ticket

NAME = "已匿名"
TEXT = "（内容已按留存期限匿名）"
TRANSCRIPT_HEAD = "在线咨询记录 / Chat transcript"  # helpdesk.channels.chat.service.transcript
BATCH = 500


@dataclass
class Result:
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _not_done(kind: str, id_column: Any) -> Any:
    return ~exists().where(Erasure.kind == kind, Erasure.record_id == id_column)


def _mask(number: str | None) -> str | None:
    return masked(number) if number else number


def _call_records(session: Session, cutoff: datetime) -> Sequence[CallRecord]:
    return session.scalars(
        select(CallRecord)
        .where(CallRecord.ring_at < cutoff, _not_done("call_records", CallRecord.id))
        .order_by(CallRecord.id)
        .limit(BATCH)
    ).all()


def _erase_call(session: Session, call: CallRecord) -> int | None:
    call.from_number = _mask(call.from_number) or ""
    call.caller_e164 = _mask(call.caller_e164)
    call.ivr_state = None  # digits the caller keyed in
    return call.ticket_id


def _conversations(session: Session, cutoff: datetime) -> Sequence[Conversation]:
    return session.scalars(
        select(Conversation)
        .where(
            Conversation.ended_at.is_not(None),
            Conversation.ended_at < cutoff,
            _not_done("chat_transcripts", Conversation.id),
        )
        .order_by(Conversation.id)
        .limit(BATCH)
    ).all()


def _erase_chat(session: Session, conversation: Conversation) -> int | None:
    conversation.visitor_name = NAME
    conversation.visitor_phone = _mask(conversation.visitor_phone)
    conversation.note = None
    for message in session.scalars(
        select(Message).where(Message.conversation_id == conversation.id, Message.body != "")
    ):
        message.body = TEXT
    ticket = session.get(Ticket, conversation.ticket_id)
    transcripts = session.scalars(
        select(Comment)
        .where(
            Comment.ticket_id == conversation.ticket_id,
            Comment.body.startswith(TRANSCRIPT_HEAD),
        )
        .order_by(Comment.id)
    ).all()
    if ticket is not None and transcripts:
        tickets.anonymise_comments(session, ticket, transcripts, TEXT, "chat_transcripts")
    return conversation.ticket_id


def _attachments(session: Session, cutoff: datetime) -> Sequence[Attachment]:
    return session.scalars(
        select(Attachment)
        .where(Attachment.created_at < cutoff, _not_done("attachments", Attachment.id))
        .order_by(Attachment.id)
        .limit(BATCH)
    ).all()


def _erase_attachment(session: Session, attachment: Attachment) -> int | None:
    attachment.data = b""  # the file itself is gone; its name stays on the ticket
    attachment.size = 0
    return attachment.ticket_id


def _contacts(session: Session, cutoff: datetime) -> Sequence[Contact]:
    """Contacts with no ticket and no call since the cutoff (their last contact is older)."""
    recent_ticket = exists().where(Ticket.contact_id == Contact.id, Ticket.created_at >= cutoff)
    recent_call = exists().where(CallRecord.contact_id == Contact.id, CallRecord.ring_at >= cutoff)
    open_ticket = exists().where(Ticket.contact_id == Contact.id, Ticket.is_open)
    any_trace = or_(
        exists().where(Ticket.contact_id == Contact.id),
        exists().where(CallRecord.contact_id == Contact.id),
    )
    return session.scalars(
        select(Contact)
        .where(
            and_(any_trace, ~recent_ticket, ~recent_call, ~open_ticket),
            _not_done("contacts", Contact.id),
        )
        .order_by(Contact.id)
        .limit(BATCH)
    ).all()


def _erase_contact(session: Session, contact: Contact) -> int | None:
    contact.name = NAME
    contact.phone = _mask(contact.phone)
    contact.note = None
    return None


Finder = Callable[[Session, datetime], Sequence[Any]]
Eraser = Callable[[Session, Any], int | None]
STEPS: dict[str, tuple[Finder, Eraser]] = {
    "call_records": (_call_records, _erase_call),
    "chat_transcripts": (_conversations, _erase_chat),
    "attachments": (_attachments, _erase_attachment),
    "contacts": (_contacts, _erase_contact),
}


def run(
    session: Session,
    config: RetentionConfig,
    now: datetime | None = None,
    dry_run: bool = False,
) -> Result:
    """Anonymise everything past its retention, a committed batch at a time. A dry run does
    the same in one transaction and rolls it back: the counts are exactly what a run would do."""
    now = now or clock.now()
    result = Result()
    for kind, (find, erase) in STEPS.items():
        cutoff = now - timedelta(days=config.days(kind))
        while rows := find(session, cutoff):
            for row in rows:
                ticket_id = erase(session, row)
                session.add(Erasure(kind=kind, record_id=row.id, ticket_id=ticket_id, at=now))
            session.flush()
            result.counts[kind] += len(rows)
            if not dry_run:
                session.commit()
    if dry_run:
        session.rollback()
    return result
