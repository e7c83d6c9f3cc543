"""Each condition type, alone: what it matches and the reason it gives when it does not."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from routing_helpers import EVENING, WORKING, compile_text, directory, facts

from helpdesk.routing.facts import EnterpriseFacts, Load


def target(body: str, **fields):  # type: ignore[no-untyped-def]
    """The rule that takes a ticket with these facts, and the trace line of the first rule."""
    ruleset = compile_text(body)
    decision = ruleset.decide(facts(**fields), directory(), Load(), explain=True)
    fast = ruleset.decide(facts(**fields), directory(), Load())
    assert (fast.rule, fast.organisation) == (decision.rule, decision.organisation)
    return decision.rule, decision.trace[0].reason


def one(condition: str) -> str:
    return f"""
    - name: probe
      priority: 10
      conditions:
        - {condition}
      route: {{to: [centre]}}
    """


@pytest.mark.parametrize(
    ("pattern", "category", "matched"),
    [
        ("finance/guarantee", "finance/guarantee", True),
        ("finance/guarantee", "finance/pawn", False),
        ("finance/*", "finance/pawn", True),
        ("finance/*", "finance", True),
        ("finance/*", "manage/legal", False),
        ("'*'", "manage/legal", True),
        ("[manage/legal, info/*]", "info/policy", True),
    ],
)
def test_category_exact_subtree_or_any(pattern, category, matched):
    rule, reason = target(one(f"{{type: category, in: {pattern}}}"), category=category)
    assert (rule == "probe") is matched
    if not matched:
        assert reason.startswith(f"category {category} is not in")


def test_district_codes_or_any():
    body = one("{type: district, in: [330109, 330110]}")
    assert target(body, district="330110")[0] == "probe"
    rule, reason = target(body, district="330106")
    assert rule == "default" and reason == "district 330106 is not in 330109, 330110"
    assert target(one("{type: district, in: any}"), district="330106")[0] == "probe"


@pytest.mark.parametrize(
    ("condition", "field", "yes", "no"),
    [
        ("{type: channel, in: [phone, chat]}", "channel", "chat", "portal"),
        ("{type: ticket_type, in: complaint}", "type", "complaint", "request"),
        ("{type: priority, in: [high, urgent]}", "priority", "urgent", "normal"),
        ("{type: language, in: en}", "language", "en", "zh"),
    ],
)
def test_one_of_conditions(condition, field, yes, no):
    assert target(one(condition), **{field: yes})[0] == "probe"
    rule, reason = target(one(condition), **{field: no})
    assert rule == "default" and f" {no} is not in " in reason


def test_language_comes_from_the_text_when_not_given():
    body = one("{type: language, in: en}")
    assert target(body, subject="Need a loan for my shop", description="")[0] == "probe"
    assert target(body, subject="想申请贷款")[0] == "default"
    assert target(body, subject="", description="")[0] == "default"  # no text: Chinese


def test_keywords_in_chinese_subject_or_description_with_one_automaton():
    body = one("{type: keywords, any: [资金链, 断贷]}")
    assert target(body, subject="银行突然断贷怎么办")[0] == "probe"
    assert target(body, subject="咨询", description="企业资金链紧张，请联系")[0] == "probe"
    rule, reason = target(body, subject="咨询担保贷款")
    assert rule == "default" and reason.startswith("none of the words")


def test_keywords_ignore_case_for_latin_words():
    assert target(one("{type: keywords, any: [ERP]}"), subject="想上一套erp系统")[0] == "probe"


@pytest.mark.parametrize(
    ("when", "working"),
    [
        (WORKING, True),
        (EVENING, False),
        (datetime(2026, 11, 25, 4, 30, tzinfo=UTC), False),  # 12:30 lunch break
        (datetime(2026, 11, 25, 0, 30, tzinfo=UTC), True),  # 08:30 sharp
        (datetime(2026, 11, 25, 9, 30, tzinfo=UTC), False),  # 17:30 sharp: closed
        (datetime(2026, 11, 28, 2, 0, tzinfo=UTC), False),  # Saturday 10:00
    ],
)
def test_time_window_on_the_business_calendar(when, working):
    assert (target(one("{type: time, window: working_hours}"), at=when)[0] == "probe") is working
    assert (target(one("{type: time, window: after_hours}"), at=when)[0] == "probe") is not working


def test_enterprise_industry_size_and_tags():
    shop = EnterpriseFacts(7, industry="物流", size="small", tags=frozenset({"一对一", "老字号"}))
    body = one("{type: enterprise, industry: [物流, 批发], size: [micro, small]}")
    assert target(body, enterprise=shop)[0] == "probe"
    retail = EnterpriseFacts(8, industry="零售", size="small")
    assert target(body, enterprise=retail)[0] == "default"
    rule, reason = target(body)
    assert rule == "default" and reason == "the ticket has no enterprise"
    tagged = one("{type: enterprise, tags: [老字号]}")
    assert target(tagged, enterprise=shop)[0] == "probe"
    assert target(tagged, enterprise=EnterpriseFacts(9))[0] == "default"


def test_all_conditions_of_a_rule_must_hold():
    body = """
    - name: probe
      priority: 10
      conditions:
        - {type: category, in: finance/*}
        - {type: channel, in: phone}
      route: {to: [centre]}
    """
    assert target(body, channel="phone")[0] == "probe"
    assert target(body, channel="chat")[0] == "default"
    assert target(body, channel="phone", category="info/policy")[0] == "default"
