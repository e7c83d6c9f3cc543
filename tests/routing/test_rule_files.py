"""Rule files: every error names the file, the line and the field in plain words."""

from __future__ import annotations

import pytest
from routing_helpers import REF

from helpdesk.routing.loader import DEFAULT_FOLDER, compile_folder
from helpdesk.routing.rules import load_folder
from helpdesk.routing.schema import RuleLoadError


def problems(tmp_path, text: str, name: str = "rules.yaml") -> list[str]:  # type: ignore[no-untyped-def]
    (tmp_path / name).write_text(text, encoding="utf-8")
    with pytest.raises(RuleLoadError) as caught:
        compile_folder(tmp_path, REF)
    return [str(e) for e in caught.value.errors]


RULE = """\
rules:
  - name: xiaoshan
    priority: 10
    conditions:
      - type: district
        in: [330109, 330199]
    route:
      to: [ws-330109]
  - name: default
    priority: 0
    route: {to: [centre]}
"""


def test_unknown_district_names_file_line_and_field(tmp_path):
    assert problems(tmp_path, RULE) == [
        "rules.yaml, line 6, rule xiaoshan → conditions[0].in[1]: unknown district 330199"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    errors = problems(tmp_path, RULE.replace("to: [ws-330109]", "to: [ws-330109"))
    assert len(errors) == 1 and errors[0].startswith("rules.yaml, line 9: YAML syntax error")


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("priority: 10", "priority: high",
         "rules.yaml, line 3, rule xiaoshan → priority: should be a whole number, found `high`"),
        ("type: district", "type: districts",
         "rules.yaml, line 5, rule xiaoshan → conditions[0].type: unknown condition type "
         "districts; expected one of: category, district, channel"),
        ("in: [330109, 330110]", "in: [finance/loans]\n      - type: category\n        in: x",
         "rules.yaml, line 6, rule xiaoshan → conditions[0].in[0]: unknown district finance/loans"),
        ("to: [ws-330109]", "to: [ws-330109]\n      member: fastest",
         "rules.yaml, line 9, rule xiaoshan → route.member.type: unknown member strategy fastest; "
         "expected one of: queue, round_robin"),
        ("    route:\n      to: [ws-330109]\n", "",
         "rules.yaml, line 2, rule xiaoshan → route: should be a route with `to:`"),
        ("priority: 10", "priority: 10\n    colour: red",
         "rules.yaml, line 4, rule xiaoshan → colour: unknown field colour; expected one of: name"),
        ("- name: default", "- name: xiaoshan",
         "rules.yaml, line 9, rule xiaoshan → name: the name is already used at rules.yaml"),
    ],
)  # fmt: skip
def test_wrong_types_and_unknown_names(tmp_path, old, new, expected):
    errors = problems(tmp_path, RULE.replace("330199", "330110").replace(old, new, 1))
    assert any(e.startswith(expected) for e in errors), errors


def test_unknown_category_and_time_window(tmp_path):
    text = RULE.replace(
        "      - type: district\n        in: [330109, 330199]",
        "      - {type: category, in: finance/loans}\n      - {type: time, window: lunch}",
    )
    assert problems(tmp_path, text) == [
        "rules.yaml, line 5, rule xiaoshan → conditions[0].in: unknown category finance/loans",
        "rules.yaml, line 6, rule xiaoshan → conditions[1].window: unknown time window lunch; "
        "expected one of: working_hours, after_hours",
    ]


def test_unknown_organisation_is_named_with_its_line(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULE.replace("330199", "330110").replace(
        "ws-330109", "xiaoshan-ws"))  # fmt: skip
    with pytest.raises(RuleLoadError) as caught:
        compile_folder(tmp_path, REF, organisations=frozenset({"centre", "ws-330109"}))
    assert [str(e) for e in caught.value.errors] == [
        "rules.yaml, line 8, rule xiaoshan → route → to: unknown organisation `xiaoshan-ws`"
    ]


def test_errors_from_every_file_are_reported_together(tmp_path):
    (tmp_path / "a.yaml").write_text("rules: [")
    (tmp_path / "b.yaml").write_text("rules:\n  - name: Bad Name\n")
    with pytest.raises(RuleLoadError) as caught:
        load_folder(tmp_path, REF)
    assert {e.file for e in caught.value.errors} == {"a.yaml", "b.yaml"}


def test_the_shipped_rules_load_against_the_demo_directory():
    from helpdesk.demo import PROVIDERS
    from helpdesk.directory.reference import CITY, REGIONS

    orgs = {"centre", "assoc-retail", *(p[0] for p in PROVIDERS)}
    orgs |= {f"ws-{code}" for code, *_ in REGIONS if code != CITY}
    ruleset = compile_folder(DEFAULT_FOLDER, REF, organisations=frozenset(orgs))
    assert ruleset.rules[-1].name == "default"
