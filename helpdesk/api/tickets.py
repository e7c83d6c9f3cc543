"""Tickets: create, read, list (filters, keyset pages), count, timeline and comments."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import select

from helpdesk.api import bodies, present
from helpdesk.api import schemas as out
from helpdesk.api.registry import db_session, route
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory import queries as directory
from helpdesk.directory.models import Enterprise
from helpdesk.directory.validation import validate_uscc
from helpdesk.errors import InvalidInput, NotFound
from helpdesk.tickets import public, queries, service

TAG = "tickets"
TICKET_ERRORS = (404,)


@contextmanager
def not_found_as(field: str) -> Iterator[None]:
    """Another ticket named in the body that the caller cannot see is a bad field, not a 404."""
    try:
        yield
    except NotFound as exc:
        raise InvalidInput(exc.message, field=field) from exc


def _enterprise_by_uscc(user: User, raw: str) -> int:
    """The id of the enterprise with this credit code. One the user may not file for is told
    exactly like a code no enterprise has: the answer never says a code is registered."""
    code = validate_uscc(raw, field="enterprise_uscc")
    found = db_session().scalars(select(Enterprise.id).where(Enterprise.uscc == code)).first()
    if found is None or not permissions.may_file_for(db_session(), user, found):
        raise InvalidInput(f"no enterprise has credit code {code}", field="enterprise_uscc")
    return found


def _filters(query: bodies.TicketFilterQuery) -> queries.TicketFilter:
    values = query.model_dump(mode="json", include=set(bodies.TicketFilterQuery.model_fields))
    filters = queries.TicketFilter(**values)
    filters.validate()
    return filters


@route(
    "/tickets",
    "POST",
    summary="Create a ticket",
    tag=TAG,
    body=bodies.TicketCreate,
    response=out.TicketOut,
    status=201,
)
def create_ticket(user: User, body: bodies.TicketCreate) -> out.TicketOut:
    fields = body.model_dump(exclude={"enterprise_uscc"})
    directory.service(db_session(), body.category)  # a platform alone is no ticket's service
    if body.enterprise_uscc is not None:
        by_code = _enterprise_by_uscc(user, body.enterprise_uscc)
        if body.enterprise_id is not None and body.enterprise_id != by_code:
            raise InvalidInput(
                "enterprise_id and enterprise_uscc disagree", field="enterprise_uscc"
            )
        fields["enterprise_id"] = by_code
    with not_found_as("related_ticket"):
        ticket = service.create(db_session(), user, service.NewTicket(**fields))
    return present.ticket(user, ticket)


@route(
    "/tickets",
    summary="List tickets, newest first, one keyset page at a time",
    tag=TAG,
    query=bodies.TicketListQuery,
    response=out.TicketPage,
)
def list_tickets(user: User, query: bodies.TicketListQuery) -> out.TicketPage:
    page = queries.list_tickets(db_session(), user, _filters(query), query.before, query.limit)
    return out.TicketPage(
        items=[present.ticket(user, t) for t in page.tickets], next_before=page.next_before
    )


@route(
    "/tickets/count",
    summary="Count the tickets a list with these filters would page through",
    tag=TAG,
    query=bodies.TicketFilterQuery,
    response=out.TicketCount,
)
def count_tickets(user: User, query: bodies.TicketFilterQuery) -> out.TicketCount:
    return out.TicketCount(count=queries.count_tickets(db_session(), user, _filters(query)))


@route(
    "/tickets/<number>",
    summary="Read a ticket",
    tag=TAG,
    response=out.TicketOut,
    errors=TICKET_ERRORS,
)
def read_ticket(user: User, number: str) -> out.TicketOut:
    return present.ticket(user, service.get_by_number(db_session(), number, user))


@route(
    "/tickets/<number>/events",
    summary=(
        "A ticket's timeline, oldest first (internal events only for staff and providers; "
        "an enterprise gets its public events with only the facts meant for it)"
    ),
    tag=TAG,
    response=out.EventList,
    errors=TICKET_ERRORS,
)
def ticket_events(user: User, number: str) -> out.EventList:
    ticket = service.get_by_number(db_session(), number, user)
    events = queries.timeline(db_session(), user, ticket)
    names = public.organisation_names(db_session(), events)
    return out.EventList(items=[present.event(user, e, names) for e in events])


@route(
    "/tickets/<number>/comments",
    summary="A ticket's comments, oldest first (internal notes only for staff and providers)",
    tag=TAG,
    response=out.CommentList,
    errors=TICKET_ERRORS,
)
def ticket_comments(user: User, number: str) -> out.CommentList:
    ticket = service.get_by_number(db_session(), number, user)
    rows = queries.comments(db_session(), user, ticket)
    return out.CommentList(items=[present.comment(c) for c in rows])


@route(
    "/tickets/<number>/comments",
    "POST",
    summary="Reply to the enterprise, or add an internal note",
    tag=TAG,
    body=bodies.CommentBody,
    response=out.CommentOut,
    status=201,
    errors=(*TICKET_ERRORS, 403, 409),
)
def add_comment(user: User, number: str, body: bodies.CommentBody) -> out.CommentOut:
    ticket = service.get_by_number(db_session(), number, user)
    note = service.comment(db_session(), user, ticket, body.body, internal=body.internal)
    return present.comment(note)
