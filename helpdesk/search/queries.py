"""Search: the question checked, the backend's matches scoped by the permission module, then
filtered, counted per facet, ordered, paged and given snippets.

Scope comes first: every count (the total and each facet) is over tickets the person may see,
so a provider never learns how many of another organisation's tickets hold a word. Internal
notes are searched only for those the permission module lets read them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session, selectinload

from helpdesk import clock
from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise
from helpdesk.kb import queries as kb_queries
from helpdesk.search import backends
from helpdesk.search.inputs import PERIODS, SearchRequest
from helpdesk.search.models import DocumentKind
from helpdesk.search.snippets import mark, snippet
from helpdesk.tickets.models import Comment, Ticket

# Facet name -> the ticket column it counts (platform and period are derived, see below).
FACET_COLUMNS: dict[str, Any] = {
    "type": Ticket.type,
    "status": Ticket.status,
    "channel": Ticket.channel,
    "category": Ticket.category_code,
    "district": Ticket.district_code,
    "organisation": Ticket.assigned_org_id,
}
FACETS = ("type", "status", "channel", "platform", "category", "district", "organisation", "period")


@dataclass
class TicketHit:
    ticket: Ticket
    subject: Markup
    snippet: Markup | None


@dataclass
class EnterpriseHit:
    enterprise: Enterprise
    name: Markup


@dataclass
class Results:
    words: list[str]
    total: int
    tickets: list[TicketHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)
    enterprises: list[EnterpriseHit] = field(default_factory=list)
    enterprise_total: int = 0
    articles: list[Any] = field(default_factory=list)  # kb.queries.ArticleHit
    article_total: int = 0


def period_start(period: str, now: datetime | None = None) -> datetime:
    """Tickets created since then belong to the period (today: since local midnight)."""
    now = now or clock.now()
    if period == "today":
        local = now.astimezone(clock.HANGZHOU)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)
    return now - timedelta(days=PERIODS[period])


def _conditions(request: SearchRequest, skip: str | None = None) -> list[ColumnElement[bool]]:
    """The filters as conditions, but the one whose own facet is being counted."""
    found: list[ColumnElement[bool]] = []
    for name, column in FACET_COLUMNS.items():
        value = request.filters.get(name)
        if value is not None and name != skip:
            found.append(column == value)
    platform = request.filters.get("platform")
    if platform is not None and skip not in ("platform", "category"):
        prefix = f"{platform}/"
        found.append(func.substr(Ticket.category_code, 1, len(prefix)) == prefix)
    period = request.filters.get("period")
    if period is not None and skip != "period":
        found.append(Ticket.created_at >= period_start(period))
    return found


def _matched_tickets(session: Session, user: User, request: SearchRequest) -> Select[Any]:
    internal = permissions.can_see_internal(user)
    matches = backends.matching(session, DocumentKind.TICKET, request.words, internal).subquery()
    stmt = select(Ticket, matches.c.rank).join(matches, matches.c.ref_id == Ticket.id)
    return permissions.scope_tickets(stmt, user)


def _facet(session: Session, base: Select[Any], request: SearchRequest, name: str) -> Counter[str]:
    conditions = _conditions(request, skip=name)
    sub = base.where(*conditions).subquery()
    if name == "period":
        counts: Counter[str] = Counter()
        for period in PERIODS:
            counts[period] = (
                session.scalar(select(func.count()).where(sub.c.created_at >= period_start(period)))
                or 0
            )
        return counts
    column = sub.c.category_code if name == "platform" else sub.c[FACET_COLUMNS[name].key]
    rows = session.execute(select(column, func.count()).group_by(column)).all()
    counts = Counter()
    for value, count in rows:
        if value is None:
            continue
        raw = str(getattr(value, "value", value))
        counts[raw.split("/")[0] if name == "platform" else raw] += count
    return counts


def search(session: Session, user: User, request: SearchRequest) -> Results:
    base = _matched_tickets(session, user, request)
    filtered = base.where(*_conditions(request)).subquery()
    total = session.scalar(select(func.count()).select_from(filtered)) or 0
    results = Results(words=request.words, total=total)
    ranked = select(Ticket).join(filtered, filtered.c.id == Ticket.id)
    if request.order == "date":
        ranked = ranked.order_by(Ticket.created_at.desc(), Ticket.id.desc())
    else:
        # Ties (the same integer relevance, backends.relevance) go to the newest: both
        # backends give the same order.
        ranked = ranked.order_by(filtered.c.rank.desc(), Ticket.created_at.desc(), Ticket.id.desc())
    page = session.scalars(
        ranked.options(
            selectinload(Ticket.category),
            selectinload(Ticket.district),
            selectinload(Ticket.enterprise),
            selectinload(Ticket.assigned_org),
        )
        .offset(request.offset)
        .limit(request.limit)
    ).all()
    results.tickets = _hits(session, user, list(page), request.words)
    for name in FACETS:
        counts = _facet(session, base, request, name)
        results.facets[name] = sorted(
            ((value, count) for value, count in counts.items() if count),
            key=lambda item: (-item[1], item[0]) if name != "period" else 0,
        )
    results.enterprises, results.enterprise_total = _enterprises(session, user, request)
    # Service guides: published ones the person may read (internal ones for staff).
    results.articles, results.article_total = kb_queries.search(session, user, request.words)
    return results


def _hits(session: Session, user: User, tickets: list[Ticket], words: list[str]) -> list[TicketHit]:
    """Each ticket with its subject marked and a snippet from text this person may read."""
    ids = [t.id for t in tickets]
    stmt = select(Comment).where(Comment.ticket_id.in_(ids)).order_by(Comment.id)
    if not permissions.can_see_internal(user):
        stmt = stmt.where(Comment.internal.is_(False))
    bodies: dict[int, list[str]] = {}
    for comment in session.scalars(stmt) if ids else []:
        bodies.setdefault(comment.ticket_id, []).append(comment.body)
    return [
        TicketHit(
            ticket,
            mark(ticket.subject, words),
            snippet([ticket.description, *bodies.get(ticket.id, [])], words),
        )
        for ticket in tickets
    ]


ENTERPRISE_PAGE = 5


def _enterprises(
    session: Session, user: User, request: SearchRequest
) -> tuple[list[EnterpriseHit], int]:
    """Enterprises for staff (all) and an enterprise's users (their own); nothing for others."""
    if not permissions.can_search_enterprises(user):
        return [], 0
    matches = backends.matching(session, DocumentKind.ENTERPRISE, request.words, False).subquery()
    stmt = select(Enterprise, matches.c.rank).join(matches, matches.c.ref_id == Enterprise.id)
    if not permissions.can_list_enterprises(user):
        stmt = stmt.where(Enterprise.id == user.enterprise_id)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    rows = session.scalars(
        stmt.order_by(matches.c.rank.desc(), Enterprise.id.desc()).limit(ENTERPRISE_PAGE)
    ).all()
    return [EnterpriseHit(e, mark(e.name, request.words)) for e in rows], total
