"""A rule as loaded from a file: conditions (all must hold) and what to do when they do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, Field

from helpdesk.routing.conditions import PRIORITIES, Condition, Context, condition_spec
from helpdesk.routing.facts import TicketFacts
from helpdesk.routing.schema import Reference, RuleError, RuleLoadError, rule_files
from helpdesk.routing.strategies import STRATEGIES, Queue, Strategy, strategy_spec
from helpdesk.yamlcheck.errors import Msg, _
from helpdesk.yamlcheck.read import Doc, describe, read
from helpdesk.yamlcheck.validate import OneOrMore, Spec, Text, Texts, choice, fail, validate

NOTIFY = ("organisation", "assignee", "supervisors")
DISTRICT_SLOT = "<district>"
_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*(<district>[a-z0-9_-]*)?$")


@dataclass(frozen=True)
class Route:
    to: tuple[str, ...]  # organisation slugs in order; `<district>` is the ticket's district
    member: Strategy
    fallback: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    name: str
    priority: int
    conditions: tuple[Condition, ...]
    route: Route
    file: str = ""
    line: int = 0
    description: str = ""
    set_priority: str | None = None
    tags: tuple[str, ...] = ()
    sla_policy: str | None = None
    notify: tuple[str, ...] = ()
    places: tuple[tuple[str, int], ...] = ()  # field -> line, for errors found after loading

    def line_of(self, name: str) -> int:
        return dict(self.places).get(name, self.line)

    @property
    def is_default(self) -> bool:
        return not self.conditions

    def mismatch(self, ctx: Context) -> str | None:
        for condition in self.conditions:
            why = condition.mismatch(ctx)
            if why is not None:
                return why
        return None

    def slugs(self) -> tuple[str, ...]:
        return (*self.route.to, *self.route.fallback)

    def where(self) -> Msg:
        return _("%(file)s, line %(line)s", file=self.file, line=self.line)


def expand(slug: str, facts: TicketFacts) -> str:
    return slug.replace(DISTRICT_SLOT, facts.district)


def _match(pattern: re.Pattern[str], message: Msg) -> Any:
    def check(value: str) -> str:
        if not pattern.match(value):
            raise fail(Msg(message.msgid, {**message.values, "value": value}))
        return value

    return AfterValidator(check)


Name = Annotated[Text, _match(_NAME, _("should be lower-case letters, digits, - or _"))]
Slug = Annotated[Text, _match(_SLUG, _('"%(value)s" is not a slug like hzbank or ws-<district>'))]


class RouteSpec(Spec):
    shape: ClassVar[Msg] = _("a route with `to:` (organisations in order)")
    to: OneOrMore[Slug]
    member: strategy_spec() | None = None  # type: ignore[valid-type]
    fallback: OneOrMore[Slug] = []


class SetSpec(Spec):
    priority: choice(PRIORITIES) | None = None  # type: ignore[valid-type]
    tags: Texts = []
    sla_policy: Text | None = None


class RuleSpec(Spec):
    shape: ClassVar[Msg] = _("a rule (name, priority, conditions, route)")
    name: Name
    priority: int
    description: str | None = None
    conditions: list[condition_spec()] | None = None  # type: ignore[valid-type]
    route: RouteSpec
    set: SetSpec | None = None
    notify: OneOrMore[choice(NOTIFY)] = []  # type: ignore[valid-type]


class RulesFile(Spec):
    shape: ClassVar[Msg] = _("a mapping with a `rules:` list")
    rules: list[RuleSpec] = Field(default_factory=list)


def load_folder(folder: Path, ref: Reference) -> list[Rule]:
    """Every rule in the folder's YAML files; RuleLoadError with every problem found."""
    if not folder.is_dir():
        raise RuleLoadError([RuleError(str(folder), 0, "", _("no such rule folder"))])
    errors: list[RuleError] = []
    rules: list[Rule] = []
    for path in rule_files(folder):
        try:
            rules.extend(load_text(path.read_text(encoding="utf-8"), path.name, ref, errors))
        except RuleLoadError as exc:
            errors.extend(exc.errors)
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(
                RuleError(path.name, 0, "", _("cannot read the file: %(problem)s", problem=exc))
            )
    if errors:
        raise RuleLoadError(errors)
    return rules


def rule_label(name: str) -> Msg:
    return _("rule %(name)s", name=name)


def field_label(rule: str, rest: str) -> Msg | str:
    """How a field is named in messages: `rule finance-providers → conditions[1].in`."""
    return (
        Msg("%(rule)s → %(rest)s", {"rule": rule_label(rule), "rest": rest})
        if rest
        else (rule_label(rule))
    )


def _labels(doc: Doc) -> Any:
    items = doc.value.get("rules") if isinstance(doc.value, dict) else None

    def where(path: tuple[str | int, ...]) -> Any:
        if len(path) < 2 or path[0] != "rules" or not isinstance(items, list):
            return describe(path)
        item = items[int(path[1])]
        name = item.get("name") if isinstance(item, dict) else None
        label = name if isinstance(name, str) and _NAME.match(name) else f"#{path[1]}"
        return field_label(label, describe(path[2:]))

    return where


def load_text(text: str, file: str, ref: Reference, errors: list[RuleError]) -> list[Rule]:
    """One file's rules; its errors (file, line, field) are added to `errors`."""
    doc = read(text, file)
    if doc.value is None:
        return []
    spec, found = validate(RulesFile, doc, {"ref": ref}, where=_labels(doc))
    errors.extend(found)
    if spec is None:
        return []
    return [_rule(item, doc, i) for i, item in enumerate(spec.rules)]


def _rule(spec: RuleSpec, doc: Doc, i: int) -> Rule:
    at = ("rules", i)
    member = spec.route.member
    strategy = STRATEGIES[member.type].from_spec(member) if member is not None else Queue()
    conditions = tuple(_condition(c) for c in spec.conditions or [])
    extra = spec.set
    places = tuple(
        (name, doc.line((*at, name)))
        for name in ("priority", "conditions", "route")
        if (*at, name) in doc.lines
    ) + tuple((f"route.{k}", doc.line((*at, "route", k))) for k in ("to", "fallback"))
    return Rule(
        name=spec.name,
        priority=spec.priority,
        conditions=conditions,
        route=Route(tuple(spec.route.to), strategy, tuple(spec.route.fallback)),
        file=doc.file,
        line=doc.line(at),
        description=str(spec.description or ""),
        set_priority=extra.priority if extra else None,
        tags=tuple(extra.tags) if extra else (),
        sla_policy=extra.sla_policy if extra else None,
        notify=tuple(spec.notify),
        places=places,
    )


def _condition(spec: Any) -> Condition:
    from helpdesk.routing.conditions import CONDITIONS

    return CONDITIONS[spec.type].from_spec(spec)
