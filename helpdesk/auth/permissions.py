"""The one place that says who may see and do what. Pages, the API and sockets all ask here.

Provider staff see only tickets assigned to their organisation, enterprise users only their
enterprise's tickets. A ticket outside a user's scope is reported exactly like a ticket that
does not exist, so its existence leaks nothing.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select, false, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise
from helpdesk.errors import Forbidden, NotFound
from helpdesk.tickets.models import Ticket

S = TypeVar("S", bound=Select[Any])

R = Role
# Which roles may attempt each action (the state machine then decides if the status allows it).
ACTION_ROLES: dict[str, frozenset[Role]] = {
    "assign": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN}),
    "accept": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER}),
    "start": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER}),
    "pend": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER}),
    "resume": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER}),
    "resolve": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER}),
    "close": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.PROVIDER, R.ENTERPRISE}),
    "reopen": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN, R.ENTERPRISE}),
    "decline": frozenset({R.PROVIDER}),
    "transfer": frozenset({R.AGENT, R.SUPERVISOR, R.ADMIN}),
    "cancel": frozenset({R.SUPERVISOR, R.ADMIN}),
    "merge": frozenset({R.SUPERVISOR, R.ADMIN}),
    "comment": frozenset(Role),
}


def scope_tickets(stmt: S, user: User) -> S:
    """Restrict a ticket query to what `user` may see."""
    return _scoped(stmt, user, Ticket.assigned_org_id, Ticket.enterprise_id)


def scope_ticket_documents(stmt: S, user: User) -> S:
    """The same scope on tickets' search documents, by the copies of the ticket's organisation
    and enterprise they carry (search/index.py keeps them current)."""
    from helpdesk.search.models import SearchDocument

    return _scoped(stmt, user, SearchDocument.organisation_id, SearchDocument.enterprise_id)


def _scoped(stmt: S, user: User, organisation: Any, enterprise: Any) -> S:
    if user.is_staff:
        return stmt
    if user.role is Role.PROVIDER and user.organisation_id is not None:
        return stmt.where(organisation == user.organisation_id)
    if user.role is Role.ENTERPRISE and user.enterprise_id is not None:
        return stmt.where(enterprise == user.enterprise_id)
    return stmt.where(false())


def can_view(user: User, ticket: Ticket) -> bool:
    if user.is_staff:
        return True
    if user.role is Role.PROVIDER:
        return user.organisation_id is not None and ticket.assigned_org_id == user.organisation_id
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id is not None and ticket.enterprise_id == user.enterprise_id
    return False


def sees_all_tickets(user: User) -> bool:
    """scope_tickets leaves the query whole (search reads the matches from the full-text index
    then, and otherwise from the person's own tickets)."""
    return bool(user.is_staff)


def ensure_visible(user: User, ticket: Ticket | None, number: str) -> Ticket:
    if ticket is None or not can_view(user, ticket):
        raise NotFound(f"ticket {number} not found", field="number")
    return ticket


def can_act(user: User, action: str) -> bool:
    return user.role in ACTION_ROLES.get(action, frozenset())


def ensure_can_act(user: User, ticket: Ticket, action: str) -> None:
    """NotFound outside the user's scope, Forbidden when the role may not do this."""
    ensure_visible(user, ticket, ticket.number)
    if not can_act(user, action):
        raise Forbidden(f"a {user.role.value} may not {action} tickets", field="action")


def can_write_internal(user: User) -> bool:
    return user.role is not Role.ENTERPRISE


def can_see_internal(user: User) -> bool:
    return user.role is not Role.ENTERPRISE


def can_see_full_phone(user: User) -> bool:
    """Provider staff see contact phones masked; staff and the enterprise itself in full."""
    return user.role is not Role.PROVIDER


def can_see_statistics(user: User) -> bool:
    """The statistics dashboard and its exports: the centre's supervisors and management."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def can_list_enterprises(user: User) -> bool:
    return user.is_staff


def may_file_for(session: Session, user: User, enterprise_id: int) -> bool:
    """Whom a user may file a ticket for: staff anyone, an enterprise itself, provider staff an
    enterprise whose ticket their organisation holds. Any other id is told as unknown."""
    if user.is_staff:
        return True
    if user.role is Role.ENTERPRISE:
        return user.enterprise_id == enterprise_id
    if user.role is Role.PROVIDER and user.organisation_id is not None:
        held = select(Ticket.id).where(
            Ticket.enterprise_id == enterprise_id,
            Ticket.assigned_org_id == user.organisation_id,
        )
        return session.scalars(held.limit(1)).first() is not None
    return False


def can_work_calls(user: User) -> bool:
    """The phone simulator, the IVR webhook driven from a browser, call status and call
    actions: centre staff. An enterprise user had queued calls from any number with them."""
    return user.is_authenticated and user.is_staff


def can_open_staff_pages(user: User) -> bool:
    """Agent console, chat desk, new ticket, registrations, phone console."""
    return user.is_authenticated and user.is_staff


def can_use_desk(user: User) -> bool:
    """The live desk (ticket lists by socket, catch-up) and revealing a masked phone: staff and
    provider staff. An enterprise sees its own numbers in full and has the portal instead."""
    return user.is_authenticated and user.role is not Role.ENTERPRISE


def can_supervise(user: User) -> bool:
    """Wallboard, routing rules, handing a waiting call or chat to an agent."""
    return user.is_authenticated and user.role in (Role.SUPERVISOR, Role.ADMIN)


def can_read_internal_articles(user: User) -> bool:
    """Internal service guides: platform and provider staff, like internal notes."""
    return bool(user.is_authenticated) and user.role is not Role.ENTERPRISE


def can_edit_articles(user: User) -> bool:
    """Writing and saving articles (each save a version): the centre's staff."""
    return bool(user.is_authenticated) and user.is_staff


def can_publish_articles(user: User) -> bool:
    """The review: a supervisor or an administrator publishes or sends back."""
    return bool(user.is_authenticated) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def ensure_enterprise_visible(user: User, enterprise: Enterprise | None, ref: object) -> Enterprise:
    """Staff see every enterprise, an enterprise user only its own; others get NotFound."""
    own = (
        user.role is Role.ENTERPRISE
        and enterprise is not None
        and enterprise.id == user.enterprise_id
    )
    if enterprise is None or not (user.is_staff or own):
        raise NotFound(f"enterprise {ref} not found", field="enterprise_id")
    return enterprise


# -- Where each person works: the pages and menus ask these, never the role itself. -----------


def uses_portal(user: User) -> bool:
    """Enterprise users work on the portal: they log in there, their ticket list and pages are
    its own, and the staff pages send them there."""
    return bool(user.is_authenticated) and user.role is Role.ENTERPRISE


def reads_in_portal_frame(user: User) -> bool:
    """Visitors and enterprises read the guides inside the portal's frame."""
    return not user.is_authenticated or user.role is Role.ENTERPRISE


def works_at_provider_desk(user: User) -> bool:
    """Provider staff have their own desk instead of the agent console."""
    return bool(user.is_authenticated) and user.role is Role.PROVIDER


def can_manage_people(user: User) -> bool:
    """Accounts, roles and sessions of people: administrators."""
    return bool(user.is_authenticated) and user.role is Role.ADMIN


def can_publish_configuration(user: User) -> bool:
    """Editing, publishing and rolling back routing rules and IVR scripts: administrators."""
    return bool(user.is_authenticated) and user.role is Role.ADMIN


def can_review_registrations(user: User) -> bool:
    """Approving or rejecting an enterprise's portal registration: the centre's staff."""
    return bool(user.is_authenticated) and user.is_staff


def can_see_notifications(user: User) -> bool:
    """The bell and its page: staff and provider staff (an enterprise has the portal)."""
    return bool(user.is_authenticated) and user.role is not Role.ENTERPRISE


def sees_all_organisations(user: User) -> bool:
    """Filters and choices across organisations and industries: the centre's staff."""
    return bool(user.is_authenticated) and user.is_staff


def can_see_routing_trace(user: User) -> bool:
    """Why a ticket went where it went: the centre's staff, never an enterprise."""
    return bool(user.is_authenticated) and user.is_staff


def can_search_enterprises(user: User) -> bool:
    """Enterprises in search results: staff (all) and an enterprise's users (their own)."""
    return can_list_enterprises(user) or uses_portal(user)


def can_answer_chats(user: User) -> bool:
    """The chat desk: the centre's staff answer chats and send files into them."""
    return bool(user.is_authenticated) and user.is_staff


def may_open_any_chat(user: User) -> bool:
    """Supervisors look into any chat; an agent opens only a chat it holds."""
    return user.role in (Role.SUPERVISOR, Role.ADMIN)


def is_chat_visitor(user: User | None, visitor_user_id: int | None) -> bool:
    """Who may use a chat's visitor token: anyone holding it for an anonymous chat; for a chat
    started by a logged-in enterprise user, only that user (a copied token alone is not enough)."""
    if visitor_user_id is None:
        return True
    return user is not None and bool(user.is_authenticated) and user.id == visitor_user_id


def can_see_followups_of_supervisors(user: User) -> bool:
    """Follow-ups, complaints' findings, watch decisions: supervisors and administrators."""
    return bool(user.is_authenticated) and user.role in (Role.SUPERVISOR, Role.ADMIN)


def own_scorecard(user: User) -> int | None:
    """A provider's staff see their own organisation's scorecard, not the ranking."""
    if works_at_provider_desk(user):
        return user.organisation_id
    return None


def can_see_scorecard(user: User, organisation_id: int | None) -> bool:
    """Staff see every organisation's scorecard, provider staff only their own."""
    if works_at_provider_desk(user):
        return organisation_id is not None and user.organisation_id == organisation_id
    return bool(user.is_authenticated) and user.is_staff
