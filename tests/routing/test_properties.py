"""Properties over random tickets, directories and loads: exactly one target, deterministic,
and the compiled index agrees with checking every rule in order."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st
from routing_helpers import REF

from helpdesk.routing.facts import (
    Directory,
    EnterpriseFacts,
    Load,
    MemberFacts,
    OrgFacts,
    TicketFacts,
)
from helpdesk.routing.loader import DEFAULT_FOLDER, compile_folder

RULES = compile_folder(DEFAULT_FOLDER, REF)  # the shipped rules: real priorities and fallbacks
CATEGORIES = sorted(REF.categories)
DISTRICTS = sorted(REF.districts)
SLUGS = sorted({s.replace("<district>", d) for r in RULES.rules for s in r.slugs()
                for d in DISTRICTS} - {"centre"})  # fmt: skip
SUBJECTS = ["咨询担保贷款", "银行断贷，资金链紧张", "Need an export loan", "合同纠纷"]
PLATFORMS = ["finance", "manage", "info", "market", "tech", "complaint"]

members = st.lists(
    st.builds(
        MemberFacts,
        id=st.integers(100, 120),
        login=st.sampled_from(["ann", "bob", "cat"]),
        role=st.sampled_from(["agent", "supervisor", "provider"]),
        skills=st.frozensets(st.sampled_from([*PLATFORMS, "english"]), max_size=2),
    ),
    max_size=3,
    unique_by=lambda m: m.id,
)


@st.composite
def directories(draw):  # type: ignore[no-untyped-def]
    orgs = [OrgFacts(1, "centre", "service_centre", capacity=10_000, members=draw(members))]
    for i, slug in enumerate(draw(st.lists(st.sampled_from(SLUGS), unique=True, max_size=12))):
        orgs.append(
            OrgFacts(
                id=i + 2,
                slug=slug,
                kind="provider",
                active=draw(st.booleans()),
                capacity=draw(st.integers(0, 3)),
                regions=draw(st.frozensets(st.sampled_from(DISTRICTS), min_size=1, max_size=3)),
                categories=draw(st.frozensets(st.sampled_from(PLATFORMS), max_size=3)),
                members=draw(members),
            )
        )
    return Directory.of(orgs)


tickets = st.builds(
    TicketFacts,
    category=st.sampled_from(CATEGORIES),
    district=st.sampled_from(DISTRICTS),
    channel=st.sampled_from(["phone", "chat", "portal", "walk_in"]),
    at=st.datetimes(
        min_value=datetime(2026, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)
    ),
    type=st.sampled_from(["request", "inquiry", "complaint", "suggestion"]),
    priority=st.sampled_from(["low", "normal", "high", "urgent"]),
    subject=st.sampled_from(SUBJECTS),
    enterprise=st.none()
    | st.builds(
        EnterpriseFacts,
        id=st.integers(1, 5),
        industry=st.sampled_from([None, "物流", "零售"]),
        tags=st.frozensets(st.sampled_from(["一对一", "一对一:hzbank", "一对一:law-aid/bob"])),
    ),
    declined=st.frozensets(st.integers(2, 14), max_size=4),
)
loads = st.builds(
    Load,
    open_by_org=st.dictionaries(st.integers(1, 14), st.integers(0, 4)),
    open_by_person=st.dictionaries(st.integers(100, 120), st.integers(0, 4)),
    last_given=st.dictionaries(st.integers(100, 120), st.integers(0, 50)),
    served_enterprise=st.dictionaries(st.integers(1, 14), st.integers(100, 120)),
)


@settings(max_examples=300, deadline=None)
@given(tickets, directories(), loads)
def test_every_ticket_gets_exactly_one_target_and_the_same_inputs_the_same_decision(
    facts, directory, load
):
    decision = RULES.decide(facts, directory, load)
    assert decision.rule is not None
    assert decision.organisation is not None  # the centre at the latest
    chosen = [a for a in decision.attempts if a.outcome.startswith("chosen")]
    assert len(chosen) == 1 and chosen[0].organisation == decision.organisation
    org = directory.organisations[decision.organisation]
    assert org.id not in facts.declined or org.slug == "centre"
    if decision.person is not None:
        assert decision.person_id in {m.id for m in org.members}
    assert RULES.decide(facts, directory, load) == decision


@settings(max_examples=300, deadline=None)
@given(tickets, directories(), loads)
def test_the_index_agrees_with_trying_every_rule(facts, directory, load):
    fast = RULES.decide(facts, directory, load)
    full = RULES.decide(facts, directory, load, explain=True)
    assert (fast.rule, fast.organisation) == (full.rule, full.organisation)
    assert fast.person == full.person
    first = next(c for c in full.trace if c.outcome == "matched")
    assert first.rule == fast.rule
    assert all(c.outcome == "no match" for c in full.trace[: full.trace.index(first)])
