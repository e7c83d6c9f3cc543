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
        "rules.yaml 第 6 行，规则 xiaoshan → conditions[0].in[1]：未知的区县 330199"
    ]


def test_yaml_syntax_error_names_the_line(tmp_path):
    errors = problems(tmp_path, RULE.replace("to: [ws-330109]", "to: [ws-330109"))
    assert len(errors) == 1 and errors[0].startswith("rules.yaml 第 9 行：YAML 语法错误")
    assert "方括号 [ 列表没有用 ] 结束" in errors[0]  # in words, not libyaml's English


@pytest.mark.parametrize(
    ("line", "broken", "words"),
    [
        ("    route: {to: [centre]}", "    route: {to: [centre]", "花括号"),
        ("    priority: 0", "    priority: 0: 1", "含冒号的文字请加引号"),
        ("    priority: 0", "\tpriority: 0", "制表符"),
    ],
)
def test_common_yaml_mistakes_are_explained_in_chinese(tmp_path, line, broken, words):
    errors = problems(tmp_path, RULE.replace(line, broken, 1))
    assert len(errors) == 1 and "YAML 语法错误" in errors[0] and words in errors[0], errors


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("priority: 10", "priority: high",
         'rules.yaml 第 3 行，规则 xiaoshan → priority：应为整数，实际是"high"'),
        ("type: district", "type: districts",
         "rules.yaml 第 5 行，规则 xiaoshan → conditions[0].type：未知的条件类型 "
         "districts；可选：category, district, channel"),
        ("in: [330109, 330110]", "in: [finance/loans]\n      - type: category\n        in: x",
         "rules.yaml 第 6 行，规则 xiaoshan → conditions[0].in[0]：未知的区县 finance/loans"),
        ("to: [ws-330109]", "to: [ws-330109]\n      member: fastest",
         "rules.yaml 第 9 行，规则 xiaoshan → route.member.type：未知的人员分配方式 fastest；"
         "可选：queue, round_robin"),
        ("    route:\n      to: [ws-330109]\n", "",
         "rules.yaml 第 2 行，规则 xiaoshan → route：缺少字段 route"),
        ("priority: 10", "priority: 10\n    colour: red",
         "rules.yaml 第 4 行，规则 xiaoshan → colour：未知字段 colour；可用字段：name"),
        ("- name: default", "- name: xiaoshan",
         "rules.yaml 第 9 行，规则 xiaoshan → name：名称已在 rules.yaml 第 2 行使用"),
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
        "rules.yaml 第 5 行，规则 xiaoshan → conditions[0].in：未知的服务类别 finance/loans",
        "rules.yaml 第 6 行，规则 xiaoshan → conditions[1].window：window 必须是 "
        'working_hours、after_hours 之一（得到 "lunch"）',
    ]


def test_unknown_organisation_is_named_with_its_line(tmp_path):
    (tmp_path / "rules.yaml").write_text(RULE.replace("330199", "330110").replace(
        "ws-330109", "xiaoshan-ws"))  # fmt: skip
    with pytest.raises(RuleLoadError) as caught:
        compile_folder(tmp_path, REF, organisations=frozenset({"centre", "ws-330109"}))
    assert [str(e) for e in caught.value.errors] == [
        "rules.yaml 第 8 行，规则 xiaoshan → route → to：未知机构 `xiaoshan-ws`"
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
