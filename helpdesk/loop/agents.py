"""Agent assessment (坐席考核) for a period, per agent and per team (the agent's organisation):

- calls answered: calls the agent answered in the period;
- abandoned while ringing: unanswered calls (caller gave up, or nobody answered) on which the
  PBX rang the agent (its `users` name them by name, login or extension);
- average handling time: mean talk time of the answered calls, in seconds;
- average after-call work (话后整理): mean wrap-up seconds of the answered calls that have one
  (helpdesk.channels.phone.wrap_up: from the hang-up to 完成整理 or the timeout);
- chats: chats the agent accepted;
- tickets created by the agent, and first-contact resolution: the share of those the agent
  resolved themself while it stayed with the agent's own organisation (never routed on to a
  provider, transferred, declined or reopened);
- satisfaction: the average rating (1-5) of the tickets the agent created.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.channels.chat.models import Conversation
from helpdesk.channels.phone.causes import CallOutcome
from helpdesk.channels.phone.models import CallRecord
from helpdesk.directory.models import Organisation
from helpdesk.portal.models import TicketRating
from helpdesk.stats.period import Period
from helpdesk.tickets.models import Ticket, TicketEvent

AGENT_ROLES = (Role.AGENT, Role.SUPERVISOR)
Staff = list[tuple[User, str | None]]
UNANSWERED = (CallOutcome.ABANDONED, CallOutcome.NO_ANSWER)


@dataclass
class AgentCard:
    name: str
    team: str
    user_id: int | None = None  # None: a team's total
    organisation_id: int | None = None
    answered: int = 0
    abandoned_ringing: int = 0
    talk_seconds: int = 0
    wrapped: int = 0  # answered calls with a wrap-up time
    wrap_up_seconds: int = 0
    chats: int = 0
    created: int = 0
    first_contact: int = 0
    ratings: int = 0
    rating_sum: int = 0

    @property
    def handling_seconds(self) -> float | None:
        return round(self.talk_seconds / self.answered, 1) if self.answered else None

    @property
    def wrap_up_average(self) -> float | None:
        return round(self.wrap_up_seconds / self.wrapped, 1) if self.wrapped else None

    @property
    def fcr(self) -> float | None:
        """First-contact resolution, percent of the tickets created."""
        return round(100 * self.first_contact / self.created, 1) if self.created else None

    @property
    def satisfaction(self) -> float | None:
        return round(self.rating_sum / self.ratings, 2) if self.ratings else None

    def add(self, other: AgentCard) -> None:
        for name in ("answered", "abandoned_ringing", "talk_seconds", "wrapped",
                     "wrap_up_seconds", "chats", "created", "first_contact", "ratings",
                     "rating_sum"):  # fmt: skip
            setattr(self, name, getattr(self, name) + getattr(other, name))


def build(session: Session, period: Period) -> tuple[list[AgentCard], list[AgentCard]]:
    """(one card per agent, one per team), each sorted by name."""
    people: Staff = [
        (user, team)
        for user, team in session.execute(
            select(User, Organisation.name)
            .outerjoin(Organisation, Organisation.id == User.organisation_id)
            .where(User.role.in_(AGENT_ROLES))
            .order_by(User.name)
        )
    ]
    cards = {u.id: AgentCard(u.name, team or "—", u.id, u.organisation_id) for u, team in people}
    if not cards:
        return [], []
    ids = list(cards)
    start, end = period.start, period.end
    talk_total = func.coalesce(func.sum(CallRecord.talk_seconds), 0)
    wrap_total = func.coalesce(func.sum(CallRecord.wrap_up_seconds), 0)
    for agent, count, talk, wrapped, wrap in session.execute(
        select(CallRecord.answered_by_id, func.count(), talk_total,
               func.count(CallRecord.wrap_up_seconds), wrap_total)
        .where(CallRecord.answered_by_id.in_(ids), CallRecord.answer_at >= start,
               CallRecord.answer_at < end)
        .group_by(CallRecord.answered_by_id)
    ):  # fmt: skip
        if agent is not None:
            card = cards[agent]
            card.answered, card.talk_seconds = count, int(talk or 0)
            card.wrapped, card.wrap_up_seconds = int(wrapped or 0), int(wrap or 0)
    _rung(session, period, people, cards)
    for agent, count in session.execute(
        select(Conversation.agent_id, func.count())
        .where(Conversation.agent_id.in_(ids), Conversation.accepted_at >= start,
               Conversation.accepted_at < end)
        .group_by(Conversation.agent_id)
    ):  # fmt: skip
        if agent is not None:
            cards[agent].chats = count
    _tickets(session, period, cards)
    teams: dict[str, AgentCard] = {}
    for card in cards.values():
        teams.setdefault(card.team, AgentCard(card.team, card.team)).add(card)
    return list(cards.values()), sorted(teams.values(), key=lambda t: t.name)


def _rung(session: Session, period: Period, people: Staff, cards: dict[int, AgentCard]) -> None:
    """Unanswered calls that rang each agent: `users` is JSON, so matched here in Python."""
    names: dict[str, int] = {}
    for user, _team in people:
        for alias in (user.name, user.login, user.extension):
            if alias:
                names.setdefault(alias, user.id)
    rows = session.scalars(
        select(CallRecord.users).where(
            CallRecord.outcome.in_(UNANSWERED),
            CallRecord.ring_at >= period.start,
            CallRecord.ring_at < period.end,
        )
    )
    for users in rows:
        for agent in {names[u] for u in users or [] if u in names}:
            cards[agent].abandoned_ringing += 1


def _tickets(session: Session, period: Period, cards: dict[int, AgentCard]) -> None:
    rows = session.execute(
        select(Ticket.id, Ticket.created_by_id, Ticket.assigned_org_id, TicketRating.score)
        .outerjoin(TicketRating, TicketRating.ticket_id == Ticket.id)
        .where(
            Ticket.created_by_id.in_(list(cards)),
            Ticket.created_at >= period.start,
            Ticket.created_at < period.end,
        )
    ).all()
    creators = {
        ticket_id: creator
        for ticket_id, creator, org, _score in rows
        if creator is not None and org is not None and org == cards[creator].organisation_id
    }  # only tickets still with the agent's own organisation can be first-contact ones
    for _ticket_id, creator, _org, score in rows:
        if creator is None:  # never: the query asks for these agents
            continue
        card = cards[creator]
        card.created += 1
        if score is not None:
            card.ratings += 1
            card.rating_sum += score
    if not creators:
        return
    events: dict[int, list[tuple[str, int | None]]] = defaultdict(list)
    for ticket_id, kind, actor in session.execute(
        select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.actor_id)
        .where(TicketEvent.ticket_id.in_(list(creators)),
               TicketEvent.kind.in_(("transferred", "declined", "resolved", "reopened")))
        .order_by(TicketEvent.id)
    ):  # fmt: skip
        events[ticket_id].append((kind, actor))
    for ticket_id, creator in creators.items():
        kinds = events[ticket_id]
        routed = any(kind != "resolved" for kind, _a in kinds)
        if not routed and ("resolved", creator) in kinds:
            cards[creator].first_contact += 1
