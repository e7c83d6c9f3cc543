"""The pure routing engine's cost per decision at 10 to 10,000 rules, 500 agents.

    .venv/bin/python bench/routing_engine.py [--decisions 20000]

Rules are generated like a large real installation's: per sub-service and district, with
channels, ticket types, priorities, keywords and time windows mixed in, priorities unique, a
default rule last. Tickets are random over the catalogue, districts and channels. Each
decision is timed alone (perf_counter_ns) after a warm-up pass that fills the index cache.
Target: p99 <= 50 µs at 1,000 rules and a flat curve.
"""

from __future__ import annotations

import argparse
import gc
import random
import statistics
import time
from datetime import UTC, datetime, timedelta

from helpdesk.routing.conditions import (
    Category,
    ChannelIn,
    District,
    EnterpriseIs,
    Keywords,
    PriorityIn,
    TicketTypeIn,
    TimeWindow,
)
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.facts import (
    Directory,
    EnterpriseFacts,
    Load,
    MemberFacts,
    OrgFacts,
    TicketFacts,
)
from helpdesk.routing.rules import Route, Rule
from helpdesk.routing.schema import Reference
from helpdesk.routing.strategies import LeastLoaded, RoundRobin, Skills, Sticky

REF = Reference.hangzhou()
CATEGORIES = sorted(c for c in REF.categories if "/" in c)
DISTRICTS = sorted(d for d in REF.districts if d != "330100")
CHANNELS = ["phone", "chat", "portal", "walk_in"]
WORDS = ["贷款", "担保", "资金链", "合同", "纠纷", "展会", "网店", "节能", "税务", "品牌", "培训"]
STRATEGIES = [LeastLoaded(), RoundRobin(), Sticky(), Skills()]


def make_directory(rng: random.Random, agents: int = 500) -> Directory:
    orgs = []
    per_org = agents // 50
    for i in range(50):
        members = tuple(
            MemberFacts(i * 100 + j, f"a{i}-{j}", "provider", frozenset(rng.sample(CATEGORIES, 3)))
            for j in range(per_org)
        )
        orgs.append(
            OrgFacts(
                id=i + 2,
                slug=f"org-{i}",
                kind="provider",
                capacity=rng.choice([40, 60, 1000]),
                active=rng.random() > 0.05,
                regions=frozenset(rng.sample(DISTRICTS, 6)) | ({"330100"} if i % 3 else set()),
                categories=frozenset({c.split("/")[0] for c in CATEGORIES}),
                members=members,
            )
        )
    orgs.append(OrgFacts(1, "centre", "service_centre", capacity=100_000))
    return Directory.of(orgs)


def make_rules(rng: random.Random, count: int) -> list[Rule]:
    rules = []
    priorities = rng.sample(range(1, count * 10 + 10), count - 1)
    for n, priority in enumerate(priorities):
        conditions: list = [Category(frozenset({rng.choice(CATEGORIES)}))]
        if rng.random() < 0.8:
            conditions.append(District(frozenset(rng.sample(DISTRICTS, rng.randint(1, 3)))))
        if rng.random() < 0.3:
            conditions.append(ChannelIn(frozenset(rng.sample(CHANNELS, 2))))
        if rng.random() < 0.2:
            conditions.append(TicketTypeIn(frozenset({"request", "inquiry"})))
        if rng.random() < 0.2:
            conditions.append(PriorityIn(frozenset({"high", "urgent"})))
        if rng.random() < 0.2:
            conditions.append(Keywords(frozenset(rng.sample(WORDS, 2))))
        if rng.random() < 0.1:
            conditions.append(TimeWindow(rng.choice(["working_hours", "after_hours"])))
        if rng.random() < 0.1:
            conditions.append(EnterpriseIs(industry=frozenset({"物流", "零售"})))
        to = tuple(f"org-{i}" for i in rng.sample(range(50), 3))
        route = Route(to, rng.choice(STRATEGIES), ("centre",))
        rules.append(Rule(f"r{n}", priority, tuple(conditions), route, "bench.yaml", n + 1))
    rules.append(Rule("default", 0, (), Route(("centre",), LeastLoaded()), "bench.yaml", count))
    return rules


def make_tickets(rng: random.Random, count: int) -> list[TicketFacts]:
    start = datetime(2026, 11, 23, tzinfo=UTC)
    return [
        TicketFacts(
            category=rng.choice(CATEGORIES),
            district=rng.choice(DISTRICTS),
            channel=rng.choice(CHANNELS),
            at=start + timedelta(minutes=rng.randrange(7 * 24 * 60)),
            type=rng.choice(["request", "inquiry", "complaint"]),
            priority=rng.choice(["normal", "normal", "high", "urgent"]),
            subject="企业咨询" + "".join(rng.sample(WORDS, 2)) + "相关问题",
            description="请尽快联系，谢谢。" * rng.randint(1, 4),
            enterprise=EnterpriseFacts(rng.randrange(1000), rng.choice(["物流", "零售", "餐饮"])),
            declined=frozenset({rng.randrange(2, 52)}) if rng.random() < 0.1 else frozenset(),
        )
        for _ in range(count)
    ]


def make_load(rng: random.Random, directory: Directory) -> Load:
    people = [m.id for o in directory.organisations.values() for m in o.members]
    orgs = [o.id for o in directory.organisations.values()]
    return Load(
        open_by_org={o: rng.randrange(70) for o in orgs},
        open_by_person={p: rng.randrange(10) for p in people},
        last_given={p: rng.randrange(10_000) for p in people},
        served_enterprise={o: rng.choice(people) for o in orgs[:10]},
    )


def run(rule_count: int, decisions: int) -> tuple[float, float, float, float]:
    rng = random.Random(rule_count)
    directory = make_directory(rng)
    load = make_load(rng, directory)
    started = time.perf_counter()
    ruleset = RuleSet.compile(make_rules(rng, rule_count))
    compile_ms = (time.perf_counter() - started) * 1000
    tickets = make_tickets(rng, decisions)
    for facts in tickets:  # warm-up: fills the per-(category, district, channel) cache
        ruleset.decide(facts, directory, load)
    timings = []
    clock = time.perf_counter_ns
    gc.collect()
    gc.disable()  # time the engine, not a collector pause that happens to land in it
    for facts in tickets:
        t0 = clock()
        ruleset.decide(facts, directory, load)
        timings.append(clock() - t0)
    gc.enable()
    timings.sort()
    p50 = timings[len(timings) // 2] / 1000
    p99 = timings[int(len(timings) * 0.99)] / 1000
    return compile_ms, p50, p99, statistics.fmean(timings) / 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--decisions", type=int, default=20_000)
    args = parser.parse_args()
    print(f"pure routing engine, 500 agents in 50 organisations, {args.decisions} decisions each")
    print(f"{'rules':>7} {'compile ms':>11} {'p50 µs':>8} {'p99 µs':>8} {'mean µs':>8}")
    for count in (10, 100, 1_000, 10_000):
        compile_ms, p50, p99, mean = run(count, args.decisions)
        print(f"{count:>7} {compile_ms:>11.1f} {p50:>8.1f} {p99:>8.1f} {mean:>8.1f}")


if __name__ == "__main__":
    main()
