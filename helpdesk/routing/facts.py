"""What the pure engine decides from: a ticket's facts, a directory snapshot, a load snapshot.

Plain frozen values, built by `routing.service` from the database (or by tests and the benchmark
by hand), so the engine never touches Flask or a session.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property

CITY = "330100"  # an organisation serving the city serves every district
_CJK = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[A-Za-z]")


@dataclass(frozen=True)
class EnterpriseFacts:
    id: int
    industry: str | None = None
    size: str | None = None
    tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class TicketFacts:
    category: str  # `finance/guarantee`
    district: str  # `330109`
    channel: str  # phone, chat, portal, walk_in
    at: datetime  # when it arrived (aware); the time-window condition reads it
    type: str = "request"
    priority: str = "normal"
    subject: str = ""
    description: str = ""
    enterprise: EnterpriseFacts | None = None
    declined: frozenset[int] = frozenset()  # organisations that sent this ticket back
    language: str = ""  # zh or en; derived from the text when empty

    @property
    def text(self) -> str:
        return f"{self.subject}\n{self.description}"

    @property
    def lang(self) -> str:
        """The ticket's language: given, else `en` for Latin text without any Chinese
        character, else `zh` (also for an empty text: the platform's language)."""
        if self.language:
            return self.language
        text = self.text
        return "en" if _LATIN.search(text) and not _CJK.search(text) else "zh"

    @property
    def platform(self) -> str:
        return self.category.split("/", 1)[0]


@dataclass(frozen=True)
class MemberFacts:
    id: int
    login: str
    role: str
    skills: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OrgFacts:
    id: int
    slug: str
    kind: str  # service_centre, workstation, contact_point, provider
    active: bool = True
    capacity: int = 50
    regions: frozenset[str] = frozenset({CITY})
    categories: frozenset[str] = frozenset()  # top-level codes or sub-service codes
    members: tuple[MemberFacts, ...] = ()  # active people, by id

    def serves_district(self, district: str) -> bool:
        return CITY in self.regions or district in self.regions

    def serves_category(self, category: str) -> bool:
        return category in self.categories or category.split("/", 1)[0] in self.categories


@dataclass(frozen=True)
class Directory:
    organisations: Mapping[str, OrgFacts]  # by slug
    centre: str | None = None  # the service centre's slug: the last resort

    @classmethod
    def of(cls, orgs: list[OrgFacts]) -> Directory:
        centre = next((o.slug for o in orgs if o.kind == "service_centre"), None)
        return cls({o.slug: o for o in orgs}, centre)

    @cached_property
    def colleagues(self) -> dict[int, tuple[int, ...]]:
        """Each member's id -> the ids of all members of their organisation (theirs included).
        Built once per directory (kept while the directory is, routing.service), not for each
        new ticket's load."""
        found: dict[int, tuple[int, ...]] = {}
        for org in self.organisations.values():
            ids = tuple(m.id for m in org.members)
            for member in org.members:
                found[member.id] = ids
        return found


@dataclass(frozen=True)
class Load:
    """Open tickets now, and the history the stateful-looking strategies need, as plain data."""

    open_by_org: Mapping[int, int] = field(default_factory=dict)
    open_by_person: Mapping[int, int] = field(default_factory=dict)
    # person id -> a number that grows with each ticket given to them (round robin picks the
    # person whose last ticket is oldest); the service uses the latest ticket id
    last_given: Mapping[int, int] = field(default_factory=dict)
    # organisation id -> the person there who last served this ticket's enterprise (sticky)
    served_enterprise: Mapping[int, int] = field(default_factory=dict)
    # organisation id -> a number that grows with each ticket given to it (round robin over a
    # rule's organisations takes the one whose last ticket is oldest); the latest ticket id
    last_to_org: Mapping[int, int] = field(default_factory=dict)
