"""The SLA policies file: the shipped one is valid and covers every name the routing rules use."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from helpdesk.routing.loader import DEFAULT_FOLDER
from helpdesk.sla.checks import check_all, policy_names_in_rules
from helpdesk.sla.holidays import SLA_FOLDER
from helpdesk.sla.policies import DataFileError, PolicySource, parse, parse_duration

DAYS = {"business": timedelta(hours=7, minutes=30), "24x7": timedelta(days=1)}
SHIPPED = (SLA_FOLDER / "policies.yaml").read_text()


def test_the_shipped_files_check_clean_and_name_every_routing_policy():
    errors, _warnings = check_all(DEFAULT_FOLDER, SLA_FOLDER)
    assert errors == []
    policies = parse(SHIPPED, "policies.yaml", DAYS)
    assert set(policy_names_in_rules(DEFAULT_FOLDER)) <= set(policies.policies)


def test_targets_by_type_priority_and_category():
    policies = parse(SHIPPED, "policies.yaml", DAYS)
    plain = policies.targets(None, "request", "normal", "finance/loan")
    assert (plain.policy, plain.first_response) == ("standard", timedelta(hours=4))
    urgent = policies.targets(None, "request", "urgent", "finance/loan")
    assert urgent.first_response == timedelta(hours=1)
    assert urgent.resolution == timedelta(hours=7, minutes=30)
    complaint = policies.targets(None, "complaint", "normal", "finance/loan")
    assert complaint.policy == "complaint" and complaint.first_response == timedelta(hours=1)
    assert complaint.ladder[0].fraction == 0.5  # stricter ladder of its own
    guarantee = policies.targets("finance", "request", "normal", "finance/guarantee")
    assert guarantee.resolution == 7 * DAYS["business"]
    assert policies.targets("after-hours", "request", "normal", "x").calendar == "24x7"
    assert policies.targets("no-such-policy", "request", "normal", "x").policy == "standard"
    assert policies.targets(None, "suggestion", "normal", "x").next_update is None


def test_durations():
    assert parse_duration("1h30m", DAYS["business"]) == timedelta(minutes=90)
    assert parse_duration("2d", DAYS["business"]) == timedelta(hours=15)
    assert parse_duration("4 hours", DAYS["business"]) is None


@pytest.mark.parametrize(
    ("change", "line", "field", "message"),
    [
        (("first_response: 4h", "first_response: soon"), 28, "policies.standard.first_response",
         "soon 不是时长"),
        (("at: 80%", "at: eighty"), 14, "ladder[0].at", "应为时限的百分比"),
        (("notify: assignee", "notify: mayor"), 15, "ladder[0].notify",
         'notify 必须是 assignee、org_supervisors、centre_supervisors 之一（得到 "mayor"）'),
        (("calendar: 24x7", "calendar: lunar"), 65, "policies.after-hours.calendar",
         "calendar 必须是 business、24x7 之一"),
        (("default: standard", "default: gold"), 6, "default", "未知策略 gold"),
        (("    calendar: 24x7\n", "    calendar: 24x7\n    pause_when: [pended, waiting]\n"), 66,
         "policies.after-hours.pause_when", "waiting 不是可以暂停计时的状态"),
        # a typed-by-hand file with an extra 0 (or many: an OverflowError before)
        (("first_response: 4h", "first_response: 99999999999d"), 28,
         "policies.standard.first_response", "99999999999d 超过 365 个工作日"),
    ],
)  # fmt: skip
def test_errors_name_file_line_and_field(change, line, field, message):
    text = SHIPPED.replace(*change, 1)
    with pytest.raises(DataFileError) as caught:
        parse(text, "policies.yaml", DAYS)
    error = caught.value.errors[0]
    assert (error.file, error.line, error.field) == ("policies.yaml", line, field), str(error)
    assert message in error.text


def test_a_broken_file_keeps_the_last_good_policies(tmp_path: Path):
    path = tmp_path / "policies.yaml"
    path.write_text(SHIPPED)
    source = PolicySource(path, DAYS)
    assert "legal" in source.get().policies
    path.write_text(SHIPPED.replace("resolution: 10d", "resolution: forever"))
    source._checked = 0.0
    assert "legal" in source.get().policies
    assert source.errors and "forever" in str(source.errors[0])


def test_pause_when_defaults_to_pended_and_resolved_and_may_be_empty():
    policies = parse(SHIPPED, "policies.yaml", DAYS)
    assert policies.targets(None, "request", "normal", "x").pause_when == {"pended", "resolved"}
    text = SHIPPED.replace("    calendar: 24x7\n", "    calendar: 24x7\n    pause_when: []\n", 1)
    after_hours = parse(text, "policies.yaml", DAYS).targets("after-hours", "request", "", "")
    assert after_hours.pause_when == frozenset()
