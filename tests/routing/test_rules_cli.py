"""`helpdesk rules check | explain | simulate`."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from helpdesk.cli import main
from helpdesk.directory.models import OrgKind
from helpdesk.routing import cli as rules_cli

RULES = """\
rules:
  - name: finance
    priority: 100
    conditions: [{type: category, in: finance/*}]
    route: {to: [bank]}
  - name: default
    priority: 0
    route: {to: [centre]}
"""


@pytest.fixture
def world(app, make_org, monkeypatch, use_rules):  # type: ignore[no-untyped-def]
    monkeypatch.setattr(rules_cli, "_app_context", app.app_context)
    make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    make_org(slug="bank")
    return use_rules({"rules.yaml": RULES})


def run(*args: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(main, ["rules", *args])


def test_check_passes_a_good_folder(world):
    result = run("check", str(world))
    assert result.exit_code == 0, result.output
    assert "ok: 2 rules in 1 files" in result.output


def test_check_names_file_line_and_field_and_exits_non_zero(world, tmp_path):
    bad = tmp_path / "draft"
    bad.mkdir()
    (bad / "rules.yaml").write_text(
        RULES.replace("finance/*}", "finance/*}, {type: district, in: 330199}").replace(
            "to: [bank]", "to: [xiaoshan-ws]"
        )
    )
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert "rules.yaml 第 4 行，规则 finance → conditions[1].in：未知的区县 330199" in (
        result.output
    )
    (bad / "rules.yaml").write_text(RULES.replace("to: [bank]", "to: [xiaoshan-ws]"))
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert "规则 finance → route → to：未知机构 `xiaoshan-ws`" in result.output


def test_check_reports_a_shadowed_rule(world, tmp_path):
    bad = tmp_path / "draft"
    bad.mkdir()
    (bad / "rules.yaml").write_text(RULES.replace("priority: 100", "priority: -1"))
    result = run("check", str(bad))
    assert result.exit_code == 1
    assert "规则 finance：永远不会生效：被规则 default" in result.output


def test_explain_from_facts_lists_every_rule_and_the_target(world):
    result = run("explain", "--category", "finance/guarantee", "--district", "330109",
                 "--channel", "phone")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "MATCHED    100  finance" in result.output
    assert "-            0  default" in result.output
    assert "→ bank by rule finance via candidate" in result.output


def test_explain_a_ticket_shows_the_recorded_decision(world, make_ticket):
    ticket = make_ticket(category="info/policy")
    result = run("explain", ticket.number)
    assert result.exit_code == 0, result.output
    assert "recorded" in result.output and "rule default → centre" in result.output
    assert "no         100  finance" in result.output


def test_simulate_counts_what_would_go_elsewhere(world, make_ticket, tmp_path):
    make_ticket()  # finance -> bank
    make_ticket(category="info/policy")  # default -> centre
    draft = tmp_path / "draft"
    draft.mkdir()
    (draft / "rules.yaml").write_text(RULES.replace("to: [bank]", "to: [centre]"))
    result = run("simulate", str(draft), "--since", "1d")
    assert result.exit_code == 0, result.output
    assert "1 would go where they went" in result.output
    assert "1  bank → centre" in result.output
