"""A rule as loaded from a file: conditions (all must hold) and what to do when they do."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from helpdesk.routing.conditions import PRIORITIES, Condition, Context, parse_condition
from helpdesk.routing.facts import TicketFacts
from helpdesk.routing.schema import (
    At,
    Reference,
    RuleError,
    RuleLoadError,
    read_yaml,
    rule_files,
)
from helpdesk.routing.strategies import Queue, Strategy, parse_strategy

RULE_FIELDS = ("name", "priority", "description", "conditions", "route", "set", "notify")
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

    def where(self) -> str:
        return f"{self.file}, line {self.line}"


def expand(slug: str, facts: TicketFacts) -> str:
    return slug.replace(DISTRICT_SLOT, facts.district)


def load_folder(folder: Path, ref: Reference) -> list[Rule]:
    """Every rule in the folder's YAML files; RuleLoadError with every problem found."""
    if not folder.is_dir():
        raise RuleLoadError([RuleError(str(folder), 0, "", "no such rule folder")])
    errors: list[RuleError] = []
    rules: list[Rule] = []
    for path in rule_files(folder):
        try:
            rules.extend(load_text(path.read_text(encoding="utf-8"), path.name, ref, errors))
        except RuleLoadError as exc:
            errors.extend(exc.errors)
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(RuleError(path.name, 0, "", f"cannot read the file: {exc}"))
    if errors:
        raise RuleLoadError(errors)
    return rules


def load_text(text: str, file: str, ref: Reference, errors: list[RuleError]) -> list[Rule]:
    data, lines = read_yaml(text, file)
    at = At(file, lines, errors)
    if data is None:
        return []
    top = at.mapping(data, "a mapping with a `rules:` list")
    if top is None:
        return []
    at.unknown_keys(top, ("rules",))
    items = top.get("rules")
    here = at.child("rules")
    if not isinstance(items, list):
        here.error("should be a list of rules")
        return []
    rules = []
    for i, item in enumerate(items):
        rule = parse_rule(item, here.child(i), ref)
        if rule is not None:
            rules.append(rule)
    return rules


def parse_rule(item: Any, at: At, ref: Reference) -> Rule | None:
    spec = at.mapping(item, "a rule (name, priority, conditions, route)")
    if spec is None:
        return None
    name = at.child("name").text(spec.get("name"), "a rule name")
    if name is not None and not _NAME.match(name):
        at.child("name").error("should be lower-case letters, digits, - or _")
        name = None
    at = at.named(f"rule {name}" if name else f"rule #{at.path[-1]}")
    count = len(at.errors)
    at.unknown_keys(spec, RULE_FIELDS)
    priority = at.child("priority").integer(spec.get("priority"))
    conditions = []
    raw = spec.get("conditions") or []
    if not isinstance(raw, list):
        at.child("conditions").error("should be a list of conditions (or absent for the default)")
        raw = []
    for i, item_spec in enumerate(raw):
        condition = parse_condition(item_spec, at.child("conditions").child(i), ref)
        if condition is not None:
            conditions.append(condition)
    route = _route(spec.get("route"), at.child("route"))
    extra = _settings(spec.get("set"), at.child("set"))
    notify = _notify(spec.get("notify"), at.child("notify"))
    description = spec.get("description") or ""
    if len(at.errors) > count or name is None or priority is None or route is None:
        return None
    return Rule(
        name=name,
        priority=priority,
        conditions=tuple(conditions),
        route=route,
        file=at.file,
        line=at.line,
        description=str(description),
        notify=notify,
        places=tuple(
            (name, at.child(name).line)
            for name in ("priority", "conditions", "route")
            if name in spec
        )
        + tuple((f"route.{k}", at.child("route").child(k).line) for k in ("to", "fallback")),
        **extra,
    )


def _slugs(value: Any, at: At) -> tuple[str, ...] | None:
    slugs = at.texts(value, "a list of organisation slugs")
    if slugs is None:
        return None
    for i, slug in enumerate(slugs):
        if not _SLUG.match(slug):
            at.child(i).error(f"`{slug}` is not a slug like hzbank or ws-<district>")
            return None
    return tuple(slugs)


def _route(value: Any, at: At) -> Route | None:
    spec = at.mapping(value, "a route with `to:` (organisations in order)")
    if spec is None:
        return None
    at.unknown_keys(spec, ("to", "member", "fallback"))
    if "to" not in spec:
        at.error("missing field `to` (the candidate organisations in order)")
        return None
    to = _slugs(spec["to"], at.child("to"))
    fallback = _slugs(spec["fallback"], at.child("fallback")) if "fallback" in spec else ()
    member = parse_strategy(spec["member"], at.child("member")) if "member" in spec else Queue()
    if to is None or fallback is None or member is None:
        return None
    return Route(to, member, fallback)


def _settings(value: Any, at: At) -> dict[str, Any]:
    if value is None:
        return {}
    spec = at.mapping(value, "a mapping (priority, tags, sla_policy)")
    if spec is None:
        return {}
    at.unknown_keys(spec, ("priority", "tags", "sla_policy"))
    out: dict[str, Any] = {}
    if "priority" in spec:
        out["set_priority"] = at.child("priority").choice(spec["priority"], PRIORITIES, "priority")
    if "tags" in spec:
        out["tags"] = tuple(at.child("tags").texts(spec["tags"]) or ())
    if "sla_policy" in spec:
        out["sla_policy"] = at.child("sla_policy").text(spec["sla_policy"], "an SLA policy name")
    return out


def _notify(value: Any, at: At) -> tuple[str, ...]:
    if value is None:
        return ()
    names = at.texts(value, f"a list of: {', '.join(NOTIFY)}") or []
    for i, name in enumerate(names):
        if name not in NOTIFY:
            at.child(i).error(f"unknown audience {name}; expected one of: {', '.join(NOTIFY)}")
    return tuple(names)
