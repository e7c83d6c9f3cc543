"""Keeping the search documents in step with tickets and enterprises.

Called by the writers inside their own transaction (tickets.service on create and comment,
the enterprise writers on create): the document commits or rolls back with the change, so a
committed change is always searchable and the index cannot hold text that never committed.
Not an outbox effect: an effect runs after commit, and a search made in between would miss
the change. The cost in the transaction is one jieba pass over the new text (a comment is
appended, not the ticket re-read) and one row.

A ticket's document also holds its facet columns and scope (ticket_facets, migration 0028):
tickets.service calls ticket_changed on every change that may move them (its _move, with the
facets as the change began), so a status change moves the ticket between the search's status
facets in the same transaction; a change that moved none sends no UPDATE.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.orm import Session

from helpdesk import direct_sql
from helpdesk.db import stored
from helpdesk.directory.models import Enterprise
from helpdesk.search.models import DocumentKind, SearchDocument
from helpdesk.search.segment import as_text, document_words
from helpdesk.tickets.models import Comment, Ticket


def _document(session: Session, kind: DocumentKind, ref_id: int) -> SearchDocument:
    found = session.scalars(
        select(SearchDocument).where(SearchDocument.kind == kind, SearchDocument.ref_id == ref_id)
    ).first()
    if found is None:
        found = SearchDocument(kind=kind, ref_id=ref_id, public_words="", internal_words="")
        session.add(found)
    return found


def _join(*parts: str) -> str:
    return " ".join(part for part in parts if part)


def ticket_words(ticket: Ticket) -> str:
    return as_text(document_words(_join(ticket.number, ticket.subject, ticket.description)))


def ticket_facets(ticket: Ticket) -> dict[str, Any]:
    """The ticket's columns its document carries (models.SearchDocument), enums as stored."""
    return {
        "status": stored(ticket.status),
        "type": stored(ticket.type),
        "channel": stored(ticket.channel),
        "category_code": ticket.category_code,
        "district_code": ticket.district_code,
        "organisation_id": ticket.assigned_org_id,
        "enterprise_id": ticket.enterprise_id,
        "created_at": ticket.created_at,
    }


# A Core insert: nothing in the creation reads the document back by identity (a later
# comment in the same transaction looks it up with a query), and the unit of work's insert at
# the commit's flush cost more than the statement.
_INSERT_DOCUMENT = insert(cast(Table, SearchDocument.__table__))


def ticket_created(session: Session, ticket: Ticket) -> None:
    """A ticket created in this transaction has no document yet: none is looked for."""
    row = {"kind": DocumentKind.TICKET, "ref_id": ticket.id, "internal_words": ""}
    direct_sql.execute(
        session.connection(),
        _INSERT_DOCUMENT,
        {**row, "public_words": ticket_words(ticket), **ticket_facets(ticket)},
    )


def ticket_changed(session: Session, ticket: Ticket, before: dict[str, Any]) -> None:
    """The ticket's facets and scope again (its status, organisation...) when they moved from
    `before` (ticket_facets as the change began): one UPDATE, or, for a document not yet
    flushed (one a comment made for an older ticket), its attributes. None moved (a reply
    whose status stays): nothing is sent."""
    facets = ticket_facets(ticket)
    if facets == before:
        return
    for pending in session.new:
        if (
            isinstance(pending, SearchDocument)
            and pending.kind is DocumentKind.TICKET
            and pending.ref_id == ticket.id
        ):
            for name, value in facets.items():
                setattr(pending, name, value)
            return
    # On the connection: no flush first, and no ORM bookkeeping for a row nobody holds.
    session.connection().execute(
        update(SearchDocument)
        .where(SearchDocument.kind == DocumentKind.TICKET, SearchDocument.ref_id == ticket.id)
        .values(**facets)
    )


def comment_added(session: Session, ticket: Ticket, body: str, internal: bool) -> None:
    words = as_text(document_words(body))
    if not words:
        return
    document = _document(session, DocumentKind.TICKET, ticket.id)
    if not document.public_words and not document.internal_words:
        document.public_words = ticket_words(ticket)  # a ticket from before the index
        _set_facets(document, ticket)
    if internal:
        document.internal_words = _join(document.internal_words, words)
    else:
        document.public_words = _join(document.public_words, words)


def _set_facets(document: SearchDocument, ticket: Ticket) -> None:
    for name, value in ticket_facets(ticket).items():
        setattr(document, name, value)


def enterprise_words(enterprise: Enterprise) -> str:
    text = _join(
        enterprise.name, enterprise.uscc, enterprise.address or "", enterprise.industry or ""
    )
    return as_text(document_words(text))


def enterprise_changed(session: Session, enterprise: Enterprise) -> None:
    if enterprise.id is None:
        session.flush()
    _document(session, DocumentKind.ENTERPRISE, enterprise.id).public_words = enterprise_words(
        enterprise
    )


def article_published(
    session: Session, article_id: int, title: str, body: str, audience: str
) -> None:
    """A published version's words: public ones for everyone, an internal guide's only in
    internal_words, which only staff searches read (backends.matching's `internal`)."""
    from helpdesk.kb.markdown import plain_text

    words = as_text(document_words(_join(title, plain_text(body))))
    document = _document(session, DocumentKind.ARTICLE, article_id)
    public = audience == "public"
    document.public_words, document.internal_words = (words, "") if public else ("", words)


def _ticket_document(ticket: Ticket, comments: Iterable[Comment]) -> tuple[str, str]:
    public, internal = [ticket_words(ticket)], list[str]()
    for comment in comments:
        (internal if comment.internal else public).append(as_text(document_words(comment.body)))
    return _join(*public), _join(*internal)


def ticket_rewritten(session: Session, ticket: Ticket) -> None:
    """A ticket whose comments were rewritten (retention's anonymisation): its words again, so
    the erased text cannot be found any more."""
    comments = session.scalars(
        select(Comment).where(Comment.ticket_id == ticket.id).order_by(Comment.id)
    )
    document = _document(session, DocumentKind.TICKET, ticket.id)
    document.public_words, document.internal_words = _ticket_document(ticket, comments)
    _set_facets(document, ticket)


def rebuild(session: Session) -> int:
    """Every document again from the tables (`helpdesk search reindex`, the migration's fill).
    Returns how many documents it wrote; the caller commits."""
    count = 0
    for ticket in session.scalars(select(Ticket).order_by(Ticket.id)):
        comments = session.scalars(
            select(Comment).where(Comment.ticket_id == ticket.id).order_by(Comment.id)
        )
        document = _document(session, DocumentKind.TICKET, ticket.id)
        document.public_words, document.internal_words = _ticket_document(ticket, comments)
        _set_facets(document, ticket)
        count += 1
    for enterprise in session.scalars(select(Enterprise).order_by(Enterprise.id)):
        enterprise_changed(session, enterprise)
        count += 1
    from helpdesk.kb.queries import published_versions

    for version in published_versions(session):
        article_published(
            session, version.article_id, version.title, version.body, version.audience.value
        )
        count += 1
    return count
