"""Member selection: which person at the chosen organisation gets the ticket.

Looked up by the route's `member: {type: ...}` in STRATEGIES. Every strategy is a pure
function of the ticket's facts and the load snapshot, so the same inputs give the same person.
An optional `role:` keeps only members with that role (e.g. the centre's supervisors).

One-to-one service (一对一): an enterprise's dedicated provider, and optionally the person there,
lives in the enterprise's tags as `一对一:<organisation slug>` or `一对一:<slug>/<login>`. Tags
are already edited with the enterprise, need no extra table, and show in every export; a tag
naming an unknown organisation is simply ignored (the rule's candidates apply).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Union

from pydantic import BeforeValidator

from helpdesk.routing.facts import Directory, Load, MemberFacts, OrgFacts, TicketFacts
from helpdesk.yamlcheck.errors import _
from helpdesk.yamlcheck.validate import SpecModel, Texts, choice, spec_model, tagged

DEDICATED_TAG = "一对一:"
ROLES = ("agent", "supervisor", "provider", "admin")


def dedicated(facts: TicketFacts) -> tuple[str, str | None] | None:
    """The enterprise's dedicated (organisation slug, login or None), from its tags."""
    if facts.enterprise is None:
        return None
    for tag in sorted(facts.enterprise.tags):
        if tag.startswith(DEDICATED_TAG) and len(tag) > len(DEDICATED_TAG):
            slug, _, login = tag[len(DEDICATED_TAG) :].partition("/")
            return slug, login or None
    return None


@dataclass(frozen=True)
class Strategy(ABC):
    role: str | None = None
    type: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ("role",)

    @classmethod
    def make_spec(cls, **fields: Any) -> SpecModel:
        """The model of `member:` for this strategy (yamlcheck validates it)."""
        role = choice(ROLES) | None
        return spec_model(f"{cls.__name__}Spec", (cls.type,), None, role=(role, None), **fields)

    @classmethod
    def from_spec(cls, spec: Any) -> Strategy:
        return cls(role=spec.role)

    def members(self, org: OrgFacts) -> tuple[MemberFacts, ...]:
        if self.role is None:
            # the system administrator's account is nobody's desk: only `role: admin` picks it
            return tuple(m for m in org.members if m.role != "admin")
        return tuple(m for m in org.members if m.role == self.role)

    def order(
        self, candidates: tuple[str, ...], facts: TicketFacts, load: Load, directory: Directory
    ) -> tuple[str, ...]:
        """The candidate organisations (slugs, expanded) in the order to try them."""
        return candidates

    @abstractmethod
    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        """The person (or None: the organisation's queue) and how they were chosen."""

    def describe(self) -> str:
        return self.type + (f" among {self.role}s" if self.role else "")


STRATEGIES: dict[str, type[Strategy]] = {}


def register(cls: type[Strategy]) -> type[Strategy]:
    STRATEGIES[cls.type] = cls
    return cls


def _least_loaded(members: tuple[MemberFacts, ...], load: Load) -> MemberFacts:
    return min(
        members,
        key=lambda m: (load.open_by_person.get(m.id, 0), load.last_given.get(m.id, -1), m.id),
    )


@register
@dataclass(frozen=True)
class Queue(Strategy):
    """No person: the ticket waits in the organisation's queue for whoever takes it."""

    type: ClassVar[str] = "queue"

    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        return None, "into the organisation's queue"


@register
@dataclass(frozen=True)
class RoundRobin(Strategy):
    """The rule's organisations in turn: first the one whose last ticket is the oldest (never
    given one: first), ties in the rule's order; there, the member whose last ticket is the
    oldest, ties by id."""

    type: ClassVar[str] = "round_robin"

    def order(
        self, candidates: tuple[str, ...], facts: TicketFacts, load: Load, directory: Directory
    ) -> tuple[str, ...]:
        def last(slug: str) -> int:
            org = directory.organisations.get(slug)
            return -1 if org is None else load.last_to_org.get(org.id, -1)

        turns = {slug: (last(slug), i) for i, slug in enumerate(candidates)}
        return tuple(sorted(candidates, key=turns.__getitem__))

    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        members = self.members(org)
        if not members:
            return None, "no member to take turns: into the queue"
        chosen = min(members, key=lambda m: (load.last_given.get(m.id, -1), m.id))
        return chosen, f"round robin: {chosen.login} is next in turn"


@register
@dataclass(frozen=True)
class LeastLoaded(Strategy):
    """The member with the fewest open tickets."""

    type: ClassVar[str] = "least_loaded"

    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        members = self.members(org)
        if not members:
            return None, "no member: into the queue"
        chosen = _least_loaded(members, load)
        count = load.open_by_person.get(chosen.id, 0)
        return chosen, f"least loaded: {chosen.login} has {count} open"


@register
@dataclass(frozen=True)
class Sticky(Strategy):
    """一对一: the enterprise's dedicated provider goes first among the candidates; there, its
    dedicated person, else whoever last served the enterprise, else the least loaded."""

    type: ClassVar[str] = "sticky"

    def order(
        self, candidates: tuple[str, ...], facts: TicketFacts, load: Load, directory: Directory
    ) -> tuple[str, ...]:
        own = dedicated(facts)
        if own is None:
            return candidates
        return (own[0], *(c for c in candidates if c != own[0]))

    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        members = self.members(org)
        if not members:
            return None, "no member: into the queue"
        own = dedicated(facts)
        if own is not None and own[0] == org.slug and own[1]:
            person = next((m for m in members if m.login == own[1]), None)
            if person is not None:
                return person, f"sticky: {person.login} is the enterprise's dedicated person"
        previous = load.served_enterprise.get(org.id)
        person = next((m for m in members if m.id == previous), None)
        if person is not None:
            return person, f"sticky: {person.login} served this enterprise before"
        chosen = _least_loaded(members, load)
        return chosen, f"sticky: nobody yet, least loaded {chosen.login}"


@register
@dataclass(frozen=True)
class Skills(Strategy):
    """Members whose skills include the ticket's category or its platform (or the listed
    `skills:`); among them the least loaded. Nobody skilled: the organisation's queue."""

    skills: frozenset[str] = frozenset()
    type: ClassVar[str] = "skills"
    fields: ClassVar[tuple[str, ...]] = ("role", "skills")

    @classmethod
    def make_spec(cls, **fields: Any) -> SpecModel:
        return super().make_spec(skills=(Texts, []), **fields)

    @classmethod
    def from_spec(cls, spec: Any) -> Strategy:
        return cls(role=spec.role, skills=frozenset(spec.skills))

    def pick(self, org: OrgFacts, facts: TicketFacts, load: Load) -> tuple[MemberFacts | None, str]:
        wanted = self.skills or frozenset({facts.category, facts.platform})
        skilled = tuple(m for m in self.members(org) if m.skills & wanted)
        if not skilled:
            return None, f"nobody with skills {', '.join(sorted(wanted))}: into the queue"
        chosen = _least_loaded(skilled, load)
        return chosen, f"skills: {chosen.login} knows {', '.join(sorted(chosen.skills & wanted))}"


def _shorthand(value: Any) -> Any:
    return {"type": value} if isinstance(value, str) else value  # `member: least_loaded`


def strategy_spec() -> Any:
    """A route's `member:`, told apart by `type:` (every registered strategy)."""
    union = tuple(cls.make_spec() for cls in STRATEGIES.values())
    told = tagged(Union[union], lambda: STRATEGIES, _("member strategy"))  # noqa: UP007
    return Annotated[told, BeforeValidator(_shorthand)]
