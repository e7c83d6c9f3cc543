"""Load-time semantics: a default rule, unique names, no ties, no unreachable rules, known
organisations. Each problem is a RuleError naming the file and line of the rule at fault."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from helpdesk.routing.conditions import Category, ChannelIn, Condition, District
from helpdesk.routing.engine import ANY_DISTRICT, RuleSet
from helpdesk.routing.rules import DISTRICT_SLOT, Rule, field_label
from helpdesk.routing.schema import RuleError
from helpdesk.yamlcheck.errors import Msg, _


def _error(rule: Rule, message: Msg, field: str = "") -> RuleError:
    line = rule.line_of(field.replace(" → ", ".")) if field else rule.line
    return RuleError(rule.file, line, field_label(rule.name, field), message)


def covers(wide: Rule, narrow: Rule) -> bool:
    """Every ticket `narrow` matches, `wide` matches too (conservative: False when unsure)."""
    return all(any(c.covers(n) for n in narrow.conditions) for c in wide.conditions)


def can_overlap(a: Rule, b: Rule) -> bool:
    """Some ticket could match both (conservative: True unless a pair of conditions excludes it)."""
    return not any(x.disjoint(y) for x in a.conditions for y in b.conditions)


def semantic_errors(ruleset: RuleSet) -> list[RuleError]:
    rules = ruleset.rules
    errors: list[RuleError] = []
    if not rules:
        return [RuleError("(folder)", 0, "", _("no rules at all; a default rule is required"))]
    if not any(r.is_default for r in rules):
        first = rules[-1]
        errors.append(
            RuleError(
                first.file,
                0,
                "",
                _(
                    "no default rule: add a rule without conditions, with "
                    "the lowest priority, so every ticket has somewhere to go"
                ),
            )
        )
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.name in seen:
            errors.append(
                _error(
                    rule,
                    _("the name is already used at %(where)s", where=seen[rule.name].where()),
                    "name",
                )
            )
        seen.setdefault(rule.name, rule)
    errors += _ties(rules)
    errors += _shadowed(ruleset)
    return errors


def _ties(rules: Iterable[Rule]) -> list[RuleError]:
    errors = []
    by_priority: dict[int, list[Rule]] = defaultdict(list)
    for rule in rules:
        by_priority[rule.priority].append(rule)
    for group in by_priority.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if can_overlap(a, b):
                    errors.append(
                        _error(
                            b,
                            _(
                                "same priority %(priority)s as rule %(other)s (%(where)s) and "
                                "both can match the same ticket: give one a higher priority",
                                priority=b.priority,
                                other=a.name,
                                where=a.where(),
                            ),
                            "priority",
                        )
                    )
    return errors


def _sample(rule: Rule, kind: type[Condition]) -> str | None:
    """One concrete value the rule's condition of `kind` accepts; None when it accepts all."""
    for condition in rule.conditions:
        if isinstance(condition, kind):
            values = sorted(condition.values)  # type: ignore[attr-defined]
            value = values[0]
            if value in ("*", ANY_DISTRICT):
                return None
            return value[:-2] if value.endswith("/*") else value
    return None


def _shadowed(ruleset: RuleSet) -> list[RuleError]:
    """A rule that a higher-priority rule always beats can never match: an error, not a trap."""
    errors = []
    for rule in ruleset.rules:
        # any rule covering this one matches this sample ticket key, so it is in that bucket list
        pool = ruleset.candidates(
            _sample(rule, Category), _sample(rule, District), _sample(rule, ChannelIn)
        )
        for other in pool:
            if other.priority <= rule.priority:
                break
            if covers(other, rule):
                errors.append(
                    _error(
                        rule,
                        _(
                            "unreachable: shadowed by rule %(other)s (priority %(priority)s, "
                            "%(where)s), which matches every ticket this rule matches",
                            other=other.name,
                            priority=other.priority,
                            where=other.where(),
                        ),
                    )
                )
                break
    return errors


def organisation_errors(
    ruleset: RuleSet, known: frozenset[str], districts: Iterable[str]
) -> list[RuleError]:
    """Slugs no organisation has. A `<district>` slug needs one organisation for at least one
    district the rule can match; districts without one skip that candidate."""
    errors = []
    all_districts = tuple(districts)
    for rule in ruleset.rules:
        route = rule.route
        for place, slugs in (("route → to", route.to), ("route → fallback", route.fallback)):
            for slug in slugs:
                if DISTRICT_SLOT in slug:
                    spots = _districts(rule) or all_districts
                    if not any(slug.replace(DISTRICT_SLOT, d) in known for d in spots):
                        errors.append(
                            _error(
                                rule,
                                _(
                                    "no organisation matches `%(slug)s` in any "
                                    "district this rule covers",
                                    slug=slug,
                                ),
                                place,
                            )
                        )
                elif slug not in known:
                    errors.append(
                        _error(rule, _("unknown organisation `%(slug)s`", slug=slug), place)
                    )
    return errors


def _districts(rule: Rule) -> tuple[str, ...]:
    for condition in rule.conditions:
        if isinstance(condition, District) and ANY_DISTRICT not in condition.values:
            return tuple(sorted(condition.values))
    return ()
