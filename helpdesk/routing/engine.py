"""The pure routing engine: compiled rules in, one decision with its trace out.

No Flask, no database: `decide(facts, directory, load)` is a function of its inputs. Rules are
put in buckets by the values of their category, district and channel conditions; a ticket looks
up at most 4 × 2 × 2 buckets, and the merged, priority-ordered list for each (category, district,
channel) is kept, so the work per decision depends on how many rules could apply to that kind of
ticket, not on how many rules there are.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from helpdesk.routing.conditions import ANY, Category, ChannelIn, Context, District, KeywordIndex
from helpdesk.routing.conditions import Keywords as KeywordCondition
from helpdesk.routing.facts import Directory, Load, OrgFacts, TicketFacts
from helpdesk.routing.rules import Rule, expand

ANY_DISTRICT = "any"
Key = tuple[str, str, str]


class Considered(NamedTuple):
    """One rule in the trace: did it match, and why (not)."""

    rule: str
    priority: int
    outcome: str  # matched, no match, not reached
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


class Attempt(NamedTuple):
    """One organisation tried for the matched rule: chosen, or why it was skipped."""

    organisation: str
    source: str  # candidate, fallback, centre
    outcome: str

    def as_dict(self) -> dict[str, Any]:
        return self._asdict()


@dataclass(slots=True)  # not frozen: a frozen __init__ costs microseconds per decision
class Decision:
    organisation_id: int | None  # None only when the directory has no usable service centre
    organisation: str | None
    person_id: int | None
    person: str | None
    rule: str | None
    via: str  # candidate, fallback, centre, none
    trace: tuple[Considered, ...] = ()
    attempts: tuple[Attempt, ...] = ()
    priority: str | None = None
    tags: tuple[str, ...] = ()
    sla_policy: str | None = None
    notify: tuple[str, ...] = ()
    ruleset: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "ruleset": self.ruleset,
            "organisation": self.organisation,
            "person": self.person,
            "via": self.via,
            "priority": self.priority,
            "tags": list(self.tags),
            "sla_policy": self.sla_policy,
            "notify": list(self.notify),
            "trace": [c.as_dict() for c in self.trace],
            "attempts": [a.as_dict() for a in self.attempts],
        }


def _index_values(rule: Rule, kind: type, wildcard: str) -> tuple[str, ...]:
    """The values of a rule's first condition of a kind, or the wildcard when it has none."""
    for condition in rule.conditions:
        if isinstance(condition, kind):
            values = condition.values  # type: ignore[attr-defined]
            if kind is District and ANY_DISTRICT in values:
                return (wildcard,)
            return tuple(sorted(values))
    return (wildcard,)


def category_keys(category: str | None) -> tuple[str, ...]:
    """Bucket keys whose rules may match `category`; None: only rules with no category."""
    if category is None:
        return (ANY,)
    keys = [category, ANY]
    parts = category.split("/")
    for i in range(1, len(parts) + 1):
        keys.append("/".join(parts[:i]) + "/*")
    return tuple(keys)


@dataclass
class RuleSet:
    """Rules compiled for matching. `version` names the files' content (shown in traces)."""

    rules: tuple[Rule, ...]
    version: str = ""
    loaded_at: str = ""
    files: tuple[str, ...] = ()
    _buckets: dict[Key, list[Rule]] = field(default_factory=dict, repr=False)
    _cache: dict[Key, tuple[Rule, ...]] = field(default_factory=dict, repr=False)
    _rank: dict[int, int] = field(default_factory=dict, repr=False)
    keywords: KeywordIndex = field(default_factory=KeywordIndex, repr=False)

    @classmethod
    def compile(cls, rules: list[Rule] | tuple[Rule, ...], **meta: Any) -> RuleSet:
        ordered = tuple(sorted(rules, key=lambda r: (-r.priority, r.file, r.line, r.name)))
        buckets: dict[Key, list[Rule]] = defaultdict(list)
        words: set[str] = set()
        for rule in ordered:
            for key in itertools.product(
                _index_values(rule, Category, ANY),
                _index_values(rule, District, ANY_DISTRICT),
                _index_values(rule, ChannelIn, ANY),
            ):
                buckets[key].append(rule)
            for condition in rule.conditions:
                if isinstance(condition, KeywordCondition):
                    words |= condition.words
        return cls(
            ordered,
            _buckets=dict(buckets),
            _rank={id(r): i for i, r in enumerate(ordered)},
            keywords=KeywordIndex.of(sorted(words)),
            **meta,
        )

    def candidates(
        self, category: str | None, district: str | None, channel: str | None
    ) -> tuple[Rule, ...]:
        """The rules whose category, district and channel conditions let this kind of ticket
        through, highest priority first. None for a field: only rules without that condition."""
        key = (category or "", district or "", channel or "")
        found = self._cache.get(key)
        if found is None:
            seen: dict[int, Rule] = {}
            for k in itertools.product(
                category_keys(category),
                (district, ANY_DISTRICT) if district else (ANY_DISTRICT,),
                (channel, ANY) if channel else (ANY,),
            ):
                for rule in self._buckets.get(k, ()):
                    seen[id(rule)] = rule
            found = tuple(sorted(seen.values(), key=lambda r: self._rank[id(r)]))
            self._cache[key] = found
        return found

    def decide(
        self, facts: TicketFacts, directory: Directory, load: Load, explain: bool = False
    ) -> Decision:
        """First matching rule by priority; then its candidates, its fallback, the centre.

        `explain` also lists the rules the index left out and the ones after the winner."""
        ctx = Context(facts, self.keywords)
        pool = self.candidates(facts.category, facts.district, facts.channel)
        rules = self.rules if explain else pool
        inside = {id(r) for r in pool} if explain else None
        trace: list[Considered] = []
        winner: Rule | None = None
        for rule in rules:
            if winner is not None:
                if not explain:
                    break
                trace.append(
                    Considered(
                        rule.name, rule.priority, "not reached", f"rule {winner.name} matched first"
                    )
                )
                continue
            why = rule.mismatch(ctx)
            if why is None and inside is not None and id(rule) not in inside:
                why = "left out by the index"  # cannot happen; kept honest in explain mode
            if why is None:
                winner = rule
                trace.append(Considered(rule.name, rule.priority, "matched", _summary(rule)))
            else:
                trace.append(Considered(rule.name, rule.priority, "no match", why))
        return self._target(winner, facts, directory, load, tuple(trace))

    def _target(
        self,
        rule: Rule | None,
        facts: TicketFacts,
        directory: Directory,
        load: Load,
        trace: tuple[Considered, ...],
    ) -> Decision:
        attempts: list[Attempt] = []
        if rule is not None:
            member = rule.route.member
            to = tuple(expand(template, facts) for template in rule.route.to)
            ordered = member.order(to, facts, load, directory)
            fallback = tuple(expand(template, facts) for template in rule.route.fallback)
            for source, slugs in (("candidate", ordered), ("fallback", fallback)):
                for slug in slugs:
                    org = directory.organisations.get(slug)
                    why = skip_reason(org, facts, load)
                    if why is not None:
                        attempts.append(Attempt(slug, source, why))
                        continue
                    assert org is not None
                    if source == "fallback" and org.slug == directory.centre:
                        # the member strategy was chosen for the rule's own organisations;
                        # what they could not take waits in the centre's queue for triage
                        attempts.append(Attempt(slug, source, "chosen; the centre's queue"))
                        return self._decision(rule, org, None, source, trace, attempts)
                    person, how = member.pick(org, facts, load)
                    attempts.append(Attempt(slug, source, f"chosen; {how}"))
                    return self._decision(rule, org, person, source, trace, attempts)
        centre = directory.organisations.get(directory.centre or "")
        if centre is None or not centre.active:
            attempts.append(Attempt(directory.centre or "-", "centre", "no active service centre"))
            return self._decision(rule, None, None, "none", trace, attempts)
        attempts.append(Attempt(centre.slug, "centre", "chosen; the service centre's queue"))
        return self._decision(rule, centre, None, "centre", trace, attempts)

    def _decision(self, rule, org, person, via, trace, attempts) -> Decision:
        return Decision(
            organisation_id=org.id if org else None,
            organisation=org.slug if org else None,
            person_id=person.id if person else None,
            person=person.login if person else None,
            rule=rule.name if rule else None,
            via=via,
            trace=trace,
            attempts=tuple(attempts),
            priority=rule.set_priority if rule else None,
            tags=rule.tags if rule else (),
            sla_policy=rule.sla_policy if rule else None,
            notify=rule.notify if rule else (),
            ruleset=self.version,
        )


def skip_reason(org: OrgFacts | None, facts: TicketFacts, load: Load) -> str | None:
    """Why an organisation cannot take this ticket now, or None when it can."""
    if org is None:
        return "skipped: not in the directory"
    if not org.active:
        return "skipped: suspended"
    if org.id in facts.declined:
        return "skipped: already declined this ticket"
    if not org.serves_district(facts.district):
        return f"skipped: does not serve district {facts.district}"
    if not org.serves_category(facts.category):
        return f"skipped: does not serve category {facts.category}"
    open_now = load.open_by_org.get(org.id, 0)
    if open_now >= org.capacity:
        return f"skipped: at capacity ({open_now} open of {org.capacity})"
    return None


def _summary(rule: Rule) -> str:
    if rule.is_default:
        return "the default rule: matches every ticket"
    return "; ".join(c.describe() for c in rule.conditions)
