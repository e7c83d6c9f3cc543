"""Priority, first match, ties, shadowing, the default rule, the fallback chain, strategies."""

from __future__ import annotations

from routing_helpers import compile_text, directory, errors_of, facts, member, org

from helpdesk.routing.facts import EnterpriseFacts, Load

TWO = """
- name: narrow
  priority: 20
  conditions: [{type: category, in: finance/guarantee}]
  route: {to: [bank-a]}
- name: wide
  priority: 10
  conditions: [{type: category, in: finance/*}]
  route: {to: [bank-b]}
"""
BANKS = directory(org(2, "bank-a"), org(3, "bank-b"), org(4, "ws-330109", kind="workstation"))


def test_highest_priority_first_and_first_match_wins():
    ruleset = compile_text(TWO)
    decision = ruleset.decide(facts(), BANKS, Load())
    assert (decision.rule, decision.organisation) == ("narrow", "bank-a")
    assert [c.rule for c in decision.trace] == ["narrow"]  # the winner stops the search
    other = ruleset.decide(facts(category="finance/pawn"), BANKS, Load())
    assert (other.rule, other.organisation) == ("wide", "bank-b")


def test_equal_priorities_that_can_match_one_ticket_are_a_load_error():
    errors = errors_of(TWO.replace("priority: 20", "priority: 10"))
    assert errors == [
        "test.yaml 第 7 行，规则 wide → priority：与规则 narrow（test.yaml 第 2 行）优先级同为 10，"
        "且两者可能匹配同一张工单：请提高其中一条的优先级"
    ]


def test_equal_priorities_are_fine_when_no_ticket_can_match_both():
    body = """
    - name: phone
      priority: 10
      conditions: [{type: channel, in: phone}]
      route: {to: [bank-a]}
    - name: chat
      priority: 10
      conditions: [{type: channel, in: chat}]
      route: {to: [bank-b]}
    """
    assert compile_text(body).decide(facts(channel="chat"), BANKS, Load()).rule == "chat"


def test_a_rule_shadowed_by_a_higher_one_is_a_load_error():
    errors = errors_of(TWO.replace("priority: 20", "priority: 5"))
    assert errors == [
        "test.yaml 第 2 行，规则 narrow：永远不会生效：被规则 wide（优先级 10，"
        "test.yaml 第 6 行）遮盖，此规则能匹配的工单它都匹配"
    ]


def test_a_catch_all_default_rule_is_required():
    errors = errors_of(TWO, default=False)
    assert any("没有默认规则" in e for e in errors)


def test_fallback_chain_candidates_then_fallback_then_centre():
    body = """
    - name: finance
      priority: 10
      conditions: [{type: category, in: finance/*}]
      route: {to: [bank-a, bank-b], fallback: [ws-<district>]}
    """
    ruleset = compile_text(body)
    suspended = org(2, "bank-a", active=False)
    full = org(3, "bank-b", capacity=5)
    elsewhere = org(4, "ws-330109", kind="workstation", regions=frozenset({"330110"}))
    busy = Load(open_by_org={3: 5})
    decision = ruleset.decide(facts(), directory(suspended, full, elsewhere), busy)
    assert [(a.organisation, a.source, a.outcome) for a in decision.attempts] == [
        ("bank-a", "candidate", "skipped: suspended"),
        ("bank-b", "candidate", "skipped: at capacity (5 open of 5)"),
        ("ws-330109", "fallback", "skipped: does not serve district 330109"),
        ("centre", "centre", "chosen; the service centre's queue"),
    ]
    assert (decision.organisation, decision.via, decision.rule) == ("centre", "centre", "finance")


def test_candidates_not_serving_the_category_or_unknown_or_declined_are_skipped():
    body = """
    - name: finance
      priority: 10
      conditions: [{type: category, in: finance/*}]
      route: {to: [lawyers, gone, bank-a, bank-b]}
    """
    lawyers = org(5, "lawyers", categories=frozenset({"manage"}))
    decision = compile_text(body).decide(
        facts(declined=frozenset({2})), directory(lawyers, *BANKS.organisations.values()), Load()
    )
    assert [a.outcome for a in decision.attempts] == [
        "skipped: does not serve category finance/guarantee",
        "skipped: not in the directory",
        "skipped: already declined this ticket",
        "chosen; into the organisation's queue",
    ]
    assert decision.organisation == "bank-b"


def test_without_a_service_centre_nobody_is_chosen():
    from helpdesk.routing.facts import Directory

    decision = compile_text(TWO).decide(facts(), Directory({}, None), Load())
    assert decision.organisation is None and decision.via == "none"


def test_actions_set_priority_tags_sla_policy_and_notify():
    body = """
    - name: urgent
      priority: 10
      conditions: [{type: keywords, any: [断贷]}]
      route: {to: [bank-a]}
      set: {priority: urgent, tags: [资金链风险, 融资], sla_policy: finance-urgent}
      notify: [supervisors, organisation]
    """
    decision = compile_text(body).decide(facts(subject="银行断贷"), BANKS, Load())
    assert decision.as_dict() | {"trace": [], "attempts": []} == {
        "rule": "urgent",
        "ruleset": "test",
        "organisation": "bank-a",
        "person": None,
        "via": "candidate",
        "priority": "urgent",
        "tags": ["资金链风险", "融资"],
        "sla_policy": "finance-urgent",
        "notify": ["supervisors", "organisation"],
        "trace": [],
        "attempts": [],
    }


NO_LOAD = Load()


def _pick(strategy: str, bank, load=NO_LOAD, **fields):  # type: ignore[no-untyped-def]
    body = f"""
    - name: r
      priority: 10
      route: {{to: [bank-a], member: {strategy}}}
    """.replace("priority: 10", "priority: 10\n      conditions: [{type: category, in: '*'}]")
    return compile_text(body).decide(facts(**fields), directory(bank), load)


PEOPLE = (
    member(21, "ann", skills=("finance/guarantee",)),
    member(22, "bob", skills=("manage",)),
    member(23, "cat", role="supervisor", skills=("finance",)),
)
BANK = org(2, "bank-a", members=PEOPLE)


def test_round_robin_takes_the_person_whose_last_ticket_is_oldest():
    load = Load(last_given={21: 90, 22: 40, 23: 70})
    assert _pick("round_robin", BANK, load).person == "bob"
    assert _pick("round_robin", BANK, Load(last_given={21: 1})).person == "bob"  # never given


def test_least_loaded_takes_the_fewest_open_tickets_and_role_filters():
    load = Load(open_by_person={21: 3, 22: 1, 23: 0})
    assert _pick("least_loaded", BANK, load).person == "cat"
    assert _pick("{type: least_loaded, role: provider}", BANK, load).person == "bob"


def test_skills_match_the_category_or_its_platform():
    assert _pick("skills", BANK).person == "ann"
    load = Load(open_by_person={21: 9})
    assert _pick("skills", BANK, load).person == "cat"  # knows finance, less loaded
    assert _pick("skills", BANK, category="info/policy").person is None  # queue


def test_sticky_dedicated_then_previous_then_least_loaded():
    mine = EnterpriseFacts(7, tags=frozenset({"一对一:bank-a/bob"}))
    assert _pick("sticky", BANK, enterprise=mine).person == "bob"
    served = Load(served_enterprise={2: 23})
    assert _pick("sticky", BANK, served, enterprise=EnterpriseFacts(8)).person == "cat"
    assert _pick("sticky", BANK, Load(open_by_person={21: 2, 23: 1})).person == "bob"


def test_sticky_puts_the_dedicated_provider_first():
    body = """
    - name: finance
      priority: 10
      conditions: [{type: category, in: finance/*}]
      route: {to: [bank-a, bank-b], member: sticky}
    """
    mine = EnterpriseFacts(7, tags=frozenset({"一对一:bank-b"}))
    decision = compile_text(body).decide(facts(enterprise=mine), BANKS, Load())
    assert decision.organisation == "bank-b"
