"""Rows to response models, shaped for the caller: masked phones, role-filtered actions.

Related rows are fetched with Session.get, which answers from the identity map when the row
is already loaded (list pages load them eagerly) and stays correct right after a change.
"""

from __future__ import annotations

from helpdesk.api import schemas as out
from helpdesk.api.registry import db_session
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Contact, Enterprise, Organisation
from helpdesk.directory.phone_format import national
from helpdesk.directory.validation import mask_phone
from helpdesk.tickets import public
from helpdesk.tickets.models import Comment, Ticket, TicketEvent
from helpdesk.tickets.states import allowed_actions


def _code_name(row: directory.Entry) -> out.CodeName:
    return out.CodeName(code=row.code, name_zh=row.name_zh, name_en=row.name_en)


def _named(row: Organisation | User | None) -> out.Named | None:
    return None if row is None else out.Named(id=row.id, name=row.name)


def _person(row: User | None) -> out.Person | None:
    return None if row is None else out.Person(id=row.id, name=row.name, role=row.role)


def phone_for(user: User, phone: str | None) -> str | None:
    if phone is None or permissions.can_see_full_phone(user):
        return phone
    return mask_phone(phone)


def phone_display(user: User, phone: str | None) -> str | None:
    """The display field next to a phone: national format, masked for provider staff."""
    if phone is None:
        return None
    return national(phone) if permissions.can_see_full_phone(user) else mask_phone(phone)


def _number(ticket_id: int | None) -> str | None:
    other = db_session().get(Ticket, ticket_id) if ticket_id else None
    return other.number if other else None


def ticket(user: User, row: Ticket) -> out.TicketOut:
    session = db_session()
    # A ticket someone filed but may not read (provider staff filing for the centre) comes
    # back without the enterprise or the stored contact it was matched to.
    readable = permissions.can_view(user, row)
    enterprise = session.get(Enterprise, row.enterprise_id) if row.enterprise_id else None
    contact = session.get(Contact, row.contact_id) if row.contact_id else None
    if not readable:
        enterprise = None
    org = session.get(Organisation, row.assigned_org_id) if row.assigned_org_id else None
    assignee = session.get(User, row.assignee_id) if row.assignee_id else None
    return out.TicketOut(
        id=row.id,
        number=row.number,
        type=row.type,
        channel=row.channel,
        category=_code_name(directory.category(session, row.category_code)),
        district=_code_name(directory.region(session, row.district_code)),
        subject=row.subject,
        description=row.description,
        priority=row.priority,
        status=row.status,
        enterprise=None
        if enterprise is None
        else out.EnterpriseRef(id=enterprise.id, name=enterprise.name, uscc=enterprise.uscc),
        contact=None
        if contact is None
        else out.ContactOut(
            name=contact.name if readable else None,
            phone=phone_for(user, contact.phone),
            phone_display=phone_display(user, contact.phone),
        ),
        organisation=_named(org),
        assignee=_named(assignee),
        merged_into=_number(row.merged_into_id),
        related_ticket=_number(row.related_ticket_id),
        version=row.version,
        created_at=row.created_at,
        updated_at=row.updated_at,
        first_response_at=row.first_response_at,
        resolved_at=row.resolved_at,
        closed_at=row.closed_at,
        allowed_actions=[a for a in allowed_actions(row.status) if permissions.can_act(user, a)],
    )


def event(user: User, row: TicketEvent, names: dict[int, str] | None = None) -> out.EventOut:
    """An enterprise gets only the facts meant for it (helpdesk.tickets.public): never the
    routing decision; `names` are the organisations' names for those facts."""
    data = row.data or {}
    if not permissions.can_see_internal(user):
        data = public.public_facts(row, names or {})
    return out.EventOut(
        id=row.id,
        kind=row.kind,
        at=row.at,
        actor=_person(row.actor),
        from_status=row.from_status,
        to_status=row.to_status,
        data=data,
        internal=row.internal,
    )


def comment(row: Comment) -> out.CommentOut:
    author = db_session().get(User, row.author_id) if row.author_id else None
    return out.CommentOut(
        id=row.id,
        author=_person(author),
        body=row.body,
        internal=row.internal,
        created_at=row.created_at,
    )


def organisation(row: Organisation) -> out.OrganisationOut:
    return out.OrganisationOut(
        id=row.id,
        name=row.name,
        slug=row.slug,
        kind=row.kind,
        provider_type=row.provider_type,
        status=row.status,
        capacity=row.capacity,
        phone=row.phone,
        phone_display=national(row.phone) or None,
        districts=sorted(r.code for r in row.regions),
        categories=sorted(c.code for c in row.categories),
    )


def enterprise(user: User, row: Enterprise) -> out.EnterpriseOut:
    return out.EnterpriseOut(
        id=row.id,
        name=row.name,
        uscc=row.uscc,
        district=row.district_code,
        industry=row.industry,
        size=row.size,
        address=row.address,
        tags=list(row.tags or []),
        contacts=[
            out.EnterpriseContact(
                id=c.id,
                name=c.name,
                phone=phone_for(user, c.phone),
                phone_display=phone_display(user, c.phone),
            )
            for c in row.contacts
        ],
        created_at=row.created_at,
    )
