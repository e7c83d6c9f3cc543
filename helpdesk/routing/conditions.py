"""Condition types, looked up by their YAML `type:` in CONDITIONS.

Each condition says whether a ticket matches (`mismatch` returns None) or why not, and, for
the load-time checks, whether it covers another condition of its type (every ticket the other
matches, it matches too) and whether the two can never both hold.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import Annotated, Any, ClassVar, Union

import ahocorasick
from pydantic import AfterValidator, Field, ValidationInfo, model_validator

from helpdesk.routing.facts import TicketFacts
from helpdesk.routing.schema import Reference
from helpdesk.sla import calendar  # the business calendar, with holidays and 调休
from helpdesk.yamlcheck.errors import _
from helpdesk.yamlcheck.validate import (
    OneOrMore,
    SpecModel,
    Text,
    Texts,
    choice,
    fail,
    spec_model,
)

ANY = "*"
CHANNELS = ("phone", "chat", "portal", "walk_in")
TICKET_TYPES = ("request", "inquiry", "complaint", "suggestion")
PRIORITIES = ("low", "normal", "high", "urgent")
LANGUAGES = ("zh", "en")
WINDOWS = ("working_hours", "after_hours")
SIZES = ("micro", "small", "medium")
# how a condition's field is named in file errors
WHAT = {
    "channel": _("channel"),
    "ticket type": _("ticket type"),
    "priority": _("priority"),
    "language": _("language"),
}


class Context:
    """One decision's facts plus what is computed at most once for it (keyword hits, calendar)."""

    __slots__ = ("_hits", "_working", "facts", "keywords")

    def __init__(self, facts: TicketFacts, keywords: KeywordIndex | None = None) -> None:
        self.facts = facts
        self.keywords = keywords
        self._hits: frozenset[str] | None = None
        self._working: bool | None = None

    def keyword_hits(self) -> frozenset[str]:
        if self._hits is None:
            index = self.keywords or KeywordIndex.of(())
            self._hits = index.search(self.facts.text)
        return self._hits

    def working_time(self) -> bool:
        if self._working is None:
            self._working = calendar.is_working_time(self.facts.at)
        return self._working


class KeywordIndex:
    """Every keyword of every rule in one Aho-Corasick automaton: one pass over the text."""

    def __init__(self) -> None:
        self._automaton = ahocorasick.Automaton()
        self._empty = True

    @classmethod
    def of(cls, words: Any) -> KeywordIndex:
        index = cls()
        for word in words:
            index._automaton.add_word(word, word)
            index._empty = False
        if not index._empty:
            index._automaton.make_automaton()
        return index

    def search(self, text: str) -> frozenset[str]:
        if self._empty:
            return frozenset()
        return frozenset(word for _end, word in self._automaton.iter(text.lower()))


class Condition(ABC):
    type: ClassVar[str]
    fields: ClassVar[tuple[str, ...]] = ()

    @classmethod
    @abstractmethod
    def make_spec(cls) -> SpecModel:
        """The model of its YAML entry (`type:` plus `fields`), validated by yamlcheck."""

    @classmethod
    @abstractmethod
    def from_spec(cls, spec: Any) -> Condition:
        """The condition a validated rule file entry describes."""

    @abstractmethod
    def mismatch(self, ctx: Context) -> str | None:
        """None when the ticket matches, else why not in plain words."""

    @abstractmethod
    def describe(self) -> str:
        """The condition in plain words, for traces and `rules explain`."""

    def covers(self, other: Condition) -> bool:
        return self == other

    def disjoint(self, other: Condition) -> bool:
        return False


CONDITIONS: dict[str, type[Condition]] = {}


def register(cls: type[Condition]) -> type[Condition]:
    CONDITIONS[cls.type] = cls
    return cls


def _spec(
    cls: type[Condition], validators: dict[str, Any] | None = None, **fields: Any
) -> SpecModel:
    """The entry's model: `type: <cls.type>` plus the given fields."""
    return spec_model(f"{cls.__name__}Spec", (cls.type,), validators, **fields)


@dataclass(frozen=True)
class OneOf(Condition):
    """The ticket's value for one field is among `in:` (a list, or one value)."""

    values: frozenset[str]
    fields: ClassVar[tuple[str, ...]] = ("in",)
    choices: ClassVar[tuple[str, ...]] = ()
    what: ClassVar[str] = ""

    @classmethod
    def make_spec(cls) -> SpecModel:
        def known(value: str, info: ValidationInfo) -> str:
            ref = (info.context or {}).get("ref") or Reference.hangzhou()
            if not cls.valid(value, ref):
                raise fail(cls.unknown(value))
            return value

        code = Annotated[Text, AfterValidator(known)]
        return _spec(cls, values=(OneOrMore[code], Field(alias="in")))

    @classmethod
    def from_spec(cls, spec: Any) -> Condition:
        return cls(frozenset(spec.values))

    @classmethod
    def valid(cls, value: str, ref: Reference) -> bool:
        return value in cls.choices

    @classmethod
    def unknown(cls, value: str) -> Any:
        return _(
            "unknown %(what)s %(value)s; expected one of: %(known)s",
            what=WHAT.get(cls.what, cls.what),
            value=value,
            known=", ".join(cls.choices),
        )

    @abstractmethod
    def fact(self, facts: TicketFacts) -> str:
        """The ticket's value this condition compares."""

    def accepts(self, value: str) -> bool:
        return value in self.values

    def mismatch(self, ctx: Context) -> str | None:
        value = self.fact(ctx.facts)
        if self.accepts(value):
            return None
        return f"{self.what} {value or 'none'} is not in {', '.join(sorted(self.values))}"

    def describe(self) -> str:
        return f"{self.what} in {', '.join(sorted(self.values))}"

    def covers(self, other: Condition) -> bool:
        return isinstance(other, type(self)) and other.values <= self.values

    def disjoint(self, other: Condition) -> bool:
        return isinstance(other, type(self)) and not (self.values & other.values)


def _pattern_covers(p: str, q: str) -> bool:
    if p in (ANY, q):
        return True
    if p.endswith("/*"):
        root = p[:-2]
        return q == root or q.startswith(root + "/")
    return False


@register
@dataclass(frozen=True)
class Category(OneOf):
    """Service category: an exact code, a subtree (`finance/*`, the platform and its
    sub-services) or `*`."""

    type: ClassVar[str] = "category"
    what: ClassVar[str] = "category"

    @classmethod
    def valid(cls, value: str, ref: Reference) -> bool:
        if value == ANY:
            return True
        return (value[:-2] if value.endswith("/*") else value) in ref.categories

    @classmethod
    def unknown(cls, value: str) -> Any:
        return _("unknown category %(value)s", value=value)

    def fact(self, facts: TicketFacts) -> str:
        return facts.category

    def accepts(self, value: str) -> bool:
        return any(_pattern_covers(p, value) for p in self.values)

    def covers(self, other: Condition) -> bool:
        return isinstance(other, Category) and all(
            any(_pattern_covers(p, q) for p in self.values) for q in other.values
        )

    def disjoint(self, other: Condition) -> bool:
        return isinstance(other, Category) and not any(
            _pattern_covers(p, q) or _pattern_covers(q, p)
            for p in self.values
            for q in other.values
        )


@register
@dataclass(frozen=True)
class District(OneOf):
    """District code(s) where the enterprise is registered; `any` matches every district."""

    type: ClassVar[str] = "district"
    what: ClassVar[str] = "district"

    @classmethod
    def valid(cls, value: str, ref: Reference) -> bool:
        return value == "any" or value in ref.districts

    @classmethod
    def unknown(cls, value: str) -> Any:
        return _("unknown district %(value)s", value=value)

    def fact(self, facts: TicketFacts) -> str:
        return facts.district

    def accepts(self, value: str) -> bool:
        return "any" in self.values or value in self.values

    def covers(self, other: Condition) -> bool:
        return isinstance(other, District) and ("any" in self.values or other.values <= self.values)

    def disjoint(self, other: Condition) -> bool:
        if not isinstance(other, District) or "any" in self.values | other.values:
            return False
        return not (self.values & other.values)


@register
@dataclass(frozen=True)
class ChannelIn(OneOf):
    type: ClassVar[str] = "channel"
    what: ClassVar[str] = "channel"
    choices: ClassVar[tuple[str, ...]] = CHANNELS

    def fact(self, facts: TicketFacts) -> str:
        return facts.channel


@register
@dataclass(frozen=True)
class TicketTypeIn(OneOf):
    type: ClassVar[str] = "ticket_type"
    what: ClassVar[str] = "ticket type"
    choices: ClassVar[tuple[str, ...]] = TICKET_TYPES

    def fact(self, facts: TicketFacts) -> str:
        return facts.type


@register
@dataclass(frozen=True)
class PriorityIn(OneOf):
    type: ClassVar[str] = "priority"
    what: ClassVar[str] = "priority"
    choices: ClassVar[tuple[str, ...]] = PRIORITIES

    def fact(self, facts: TicketFacts) -> str:
        return facts.priority


@register
@dataclass(frozen=True)
class LanguageIn(OneOf):
    """zh or en: given by the channel, else guessed from the text (TicketFacts.lang)."""

    type: ClassVar[str] = "language"
    what: ClassVar[str] = "language"
    choices: ClassVar[tuple[str, ...]] = LANGUAGES

    def fact(self, facts: TicketFacts) -> str:
        return facts.lang


@register
@dataclass(frozen=True)
class Keywords(Condition):
    """Any of the words appears in the subject or description (case-insensitive)."""

    words: frozenset[str]
    type: ClassVar[str] = "keywords"
    fields: ClassVar[tuple[str, ...]] = ("any",)

    @classmethod
    def make_spec(cls) -> SpecModel:
        return _spec(cls, words=(Texts, Field(alias="any")))

    @classmethod
    def from_spec(cls, spec: Any) -> Condition:
        return cls(frozenset(w.lower() for w in spec.words))

    def mismatch(self, ctx: Context) -> str | None:
        if self.words & ctx.keyword_hits():
            return None
        return f"none of the words {', '.join(sorted(self.words))} in subject or description"

    def describe(self) -> str:
        return f"text mentions any of {', '.join(sorted(self.words))}"

    def covers(self, other: Condition) -> bool:
        # a word of ours inside each of theirs: whenever theirs is found, ours is too
        return isinstance(other, Keywords) and all(
            any(mine in theirs for mine in self.words) for theirs in other.words
        )


@register
@dataclass(frozen=True)
class TimeWindow(Condition):
    """Working hours or after hours on the business calendar (helpdesk.sla.calendar)."""

    window: str
    type: ClassVar[str] = "time"
    fields: ClassVar[tuple[str, ...]] = ("window",)

    @classmethod
    def make_spec(cls) -> SpecModel:
        return _spec(cls, window=(choice(WINDOWS), ...))

    @classmethod
    def from_spec(cls, spec: Any) -> Condition:
        return cls(spec.window)

    def mismatch(self, ctx: Context) -> str | None:
        working = ctx.working_time()
        if working == (self.window == "working_hours"):
            return None
        return "arrived during working hours" if working else "arrived after hours"

    def describe(self) -> str:
        return self.window.replace("_", " ")

    def disjoint(self, other: Condition) -> bool:
        return isinstance(other, TimeWindow) and other.window != self.window


@register
@dataclass(frozen=True)
class EnterpriseIs(Condition):
    """The ticket's enterprise: industry and size among the lists, any of the tags."""

    industry: frozenset[str] = field(default_factory=frozenset)
    size: frozenset[str] = field(default_factory=frozenset)
    tags: frozenset[str] = field(default_factory=frozenset)
    type: ClassVar[str] = "enterprise"
    fields: ClassVar[tuple[str, ...]] = ("industry", "size", "tags")

    @classmethod
    def make_spec(cls) -> SpecModel:
        def given(data: Any) -> Any:
            if isinstance(data, dict) and not any(k in data for k in cls.fields):
                raise fail(_("give at least one of industry, size, tags"))
            return data

        model = _spec(
            cls,
            industry=(Texts, []),
            size=(OneOrMore[choice(SIZES)], []),  # type: ignore[misc]
            tags=(Texts, []),
            validators={"given": model_validator(mode="before")(given)},
        )
        return model

    @classmethod
    def from_spec(cls, spec: Any) -> Condition:
        return cls(**{k: frozenset(getattr(spec, k)) for k in cls.fields})

    def mismatch(self, ctx: Context) -> str | None:
        ent = ctx.facts.enterprise
        if ent is None:
            return "the ticket has no enterprise"
        if self.industry and ent.industry not in self.industry:
            return f"industry {ent.industry or 'none'} is not in {', '.join(sorted(self.industry))}"
        if self.size and ent.size not in self.size:
            return f"size {ent.size or 'none'} is not in {', '.join(sorted(self.size))}"
        if self.tags and not (self.tags & ent.tags):
            return f"the enterprise has none of the tags {', '.join(sorted(self.tags))}"
        return None

    def describe(self) -> str:
        parts = [f"{k} in {', '.join(sorted(getattr(self, k)))}" for k in self.fields]
        given = [p for p, k in zip(parts, self.fields, strict=True) if getattr(self, k)]
        return "enterprise " + "; ".join(given)

    def covers(self, other: Condition) -> bool:
        if not isinstance(other, EnterpriseIs):
            return False
        return all(
            not getattr(self, k) or (getattr(other, k) and getattr(other, k) <= getattr(self, k))
            for k in self.fields
        )

    def disjoint(self, other: Condition) -> bool:
        if not isinstance(other, EnterpriseIs):
            return False
        return any(
            getattr(self, k) and getattr(other, k) and not (getattr(self, k) & getattr(other, k))
            for k in ("industry", "size")  # tags are any-of: an enterprise may carry both
        )


def condition_spec() -> Any:
    """A rule's entry under `conditions:`, told apart by `type:` (every registered type)."""
    from helpdesk.yamlcheck.validate import tagged

    union = tuple(cls.make_spec() for cls in CONDITIONS.values())
    return tagged(Union[union], lambda: CONDITIONS, _("condition type"))  # noqa: UP007
