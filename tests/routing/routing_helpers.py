"""Routing test helpers: rules from YAML text, hand-made directory and load snapshots."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime
from typing import Any

import pytest

from helpdesk.routing.checks import semantic_errors
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.facts import Directory, MemberFacts, OrgFacts, TicketFacts
from helpdesk.routing.rules import load_text
from helpdesk.routing.schema import Reference, RuleError, RuleLoadError

REF = Reference.hangzhou()
# A Wednesday, 10:00 in Hangzhou: working hours.
WORKING = datetime(2026, 11, 25, 2, 0, tzinfo=UTC)
# The same Wednesday, 20:00 in Hangzhou.
EVENING = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)

DEFAULT_RULE = """\
- name: default
  priority: 0
  route: {to: [centre]}
"""


def compile_text(body: str, default: bool = True) -> RuleSet:
    """Rules from a YAML `rules:` body (the default rule appended); RuleLoadError on problems."""
    text = "rules:\n" + textwrap.dedent(body).strip("\n") + "\n"
    if default:
        text += DEFAULT_RULE
    errors: list[RuleError] = []
    rules = load_text(text, "test.yaml", REF, errors)
    if errors:
        raise RuleLoadError(errors)
    ruleset = RuleSet.compile(rules, version="test")
    problems = semantic_errors(ruleset)
    if problems:
        raise RuleLoadError(problems)
    return ruleset


def errors_of(body: str, default: bool = True) -> list[str]:
    with pytest.raises(RuleLoadError) as caught:
        compile_text(body, default)
    return [str(e) for e in caught.value.errors]


def facts(**fields: Any) -> TicketFacts:
    base: dict[str, Any] = {
        "category": "finance/guarantee",
        "district": "330109",
        "channel": "portal",
        "at": WORKING,
        "subject": "咨询担保贷款",
    }
    base.update(fields)
    return TicketFacts(**base)


def org(id: int, slug: str, **fields: Any) -> OrgFacts:
    fields.setdefault("kind", "provider")
    fields.setdefault("categories", frozenset({"finance", "manage", "info", "market", "tech"}))
    return OrgFacts(id=id, slug=slug, **fields)


def member(id: int, login: str, role: str = "provider", skills: tuple[str, ...] = ()) -> Any:
    return MemberFacts(id, login, role, frozenset(skills))


def directory(*orgs: OrgFacts) -> Directory:
    every = frozenset({"finance", "manage", "info", "market", "tech", "complaint"})
    centre = org(1, "centre", kind="service_centre", capacity=10_000, categories=every)
    return Directory.of([centre, *orgs])
