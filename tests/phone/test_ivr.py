"""The IVR core: script loading with located errors, the pure interpreter, checks and graphs."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from helpdesk.channels.phone.ivr import checks, interpreter, loader
from helpdesk.channels.phone.ivr.actions import Dial, Enqueue, Gather, Hangup, Say, SetVar, fill
from helpdesk.channels.phone.ivr.interpreter import HangUp, Keys, StepError
from helpdesk.channels.phone.ivr.schema import ScriptError
from helpdesk.channels.phone.ivr.state import Facts

ROOT = Path(__file__).resolve().parents[2]


def script(text: str, file: str = "t.yaml") -> loader.Script:
    return loader.parse(textwrap.dedent(text), file)


SMALL = """\
name: small
start: menu
nodes:
  menu:
    type: menu
    prompt: {zh: 请按1, en: Press 1}
    retries: 1
    options:
      "1": {next: to_agent, set: {category: finance, type: request}}
      "2": {next: menu, language: en}
  to_agent:
    type: queue
    group: hotline
"""


def test_menu_then_queue_is_one_finished_path():
    s = script(SMALL)
    first = interpreter.start(s)
    assert first.waiting and isinstance(first.actions[0], Gather)
    done = interpreter.step(s, first.state, Keys("1"))
    assert done.done and done.state.outcome == {"kind": "queue", "ticket": True, "queue": "hotline"}
    assert done.state.fields == {"category": "finance", "type": "request"}
    assert done.actions == (Enqueue("hotline"),)
    assert [p["node"] for p in done.state.path] == ["menu", "to_agent"]


def test_state_is_not_mutated_and_round_trips_as_json():
    s = script(SMALL)
    first = interpreter.start(s)
    saved = first.state.to_dict()
    interpreter.step(s, first.state, Keys("1"))
    assert first.state.to_dict() == saved
    again = interpreter.step(s, type(first.state).from_dict(saved), Keys("1"))
    assert again.done


def test_garbage_and_silence_retry_then_fail_cleanly():
    s = script(SMALL)
    state = interpreter.start(s).state
    bad = interpreter.step(s, state, Keys("7abc"))
    assert bad.waiting and bad.state.tries == 1
    out = interpreter.step(s, bad.state, Keys(None))
    assert out.done and out.state.outcome["kind"] == "failed"
    assert out.actions[-1] == Hangup()
    with pytest.raises(StepError):
        interpreter.step(s, out.state, Keys("1"))


def test_language_option_switches_prompts_to_english():
    s = script(SMALL)
    english = interpreter.step(s, interpreter.start(s).state, Keys("2"))
    assert english.actions[0].prompts[0] == Say("Press 1", "en", "t/menu-prompt")


def test_hangup_mid_menu_is_abandoned_with_the_path_so_far():
    s = loader.load("hotline", ROOT / "ivr_scripts")
    steps = interpreter.run_through(s, Facts(), ["2"])
    gone = interpreter.step(s, steps[-1].state, HangUp())
    assert gone.state.status == "abandoned" and gone.state.outcome["ticket"] is False
    assert gone.state.path[-1] == {"node": "main_menu", "input": "2"}
    assert gone.state.fields == {"category": "finance"}


@pytest.mark.parametrize(
    ("facts", "presses", "fields", "outcome"),
    [
        (
            Facts(),
            ["2", "2", "05#"],
            {"category": "finance/guarantee", "district": "330109"},
            "queue",
        ),
        (
            Facts(enterprise_id=7, enterprise_district="330106", enterprise_name="西湖商贸"),
            ["6", "3"],
            {
                "category": "complaint/platform",
                "type": "complaint",
                "priority": "high",
                "district": "330106",
            },
            "queue",
        ),
        (Facts(), ["8"], {"category": "info", "type": "inquiry"}, "message"),
        (Facts(), ["5", "2"], {"category": "manage/legal"}, "transfer"),
        (Facts(business_hours=False), ["2"], {}, "hangup"),
        (Facts(business_hours=False), ["1"], {"category": "info", "type": "inquiry"}, "message"),
    ],
)
def test_default_hotline_paths(facts, presses, fields, outcome):
    s = loader.load("hotline", ROOT / "ivr_scripts")
    last = interpreter.run_through(s, facts, presses)[-1]
    assert last.done, last.state
    assert last.state.outcome["kind"] == outcome
    assert last.state.fields == fields


def test_known_enterprise_skips_the_district_question():
    s = loader.load("hotline", ROOT / "ivr_scripts")
    known = Facts(enterprise_id=1, enterprise_district="330110")
    steps = interpreter.run_through(s, known, ["1", "1"])
    assert steps[-1].done and steps[-1].state.fields["district"] == "330110"
    assert "district_menu" not in {p["node"] for p in steps[-1].state.path}


def test_transfer_and_set_actions():
    s = script(
        """\
        name: t
        start: pick
        nodes:
          pick: {type: set, set: {category: tech}, next: out}
          out: {type: transfer, to: "8001", prompt: {zh: 转接, en: Transferring}}
        """
    )
    first = interpreter.start(s)
    assert first.actions == (
        SetVar("HELPDESK_CATEGORY", "tech"),
        Say("转接", "zh", "t/out-prompt"),
        Dial("8001", "extension"),
    )
    assert first.state.outcome["target_kind"] == "extension"


def test_fill_puts_the_ticket_number_into_prompts():
    said = fill((Say("工单号{ticket}", "zh"),), ticket="HZ-1")
    assert said == (Say("工单号HZ-1", "zh"),)


@pytest.mark.parametrize(
    ("text", "line", "field", "message"),
    [
        (
            "name: a\nstart: x\nnodes:\n  x:\n    type: shout\n",
            5,
            "nodes.x.type",
            "未知的节点类型 shout",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x:\n    type: say\n    next: y\n",
            5,
            "nodes.x.prompt",
            "缺少字段 prompt",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x:\n    type: menu\n    prompt: hi\n    timeout: 99\n"
            "    options: {'1': x}\n",
            7,
            "nodes.x.timeout",
            "必须在 1 到 60 之间",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x: {type: hangup, colour: red}\n",
            4,
            "nodes.x.colour",
            "未知字段 colour",
        ),
        (
            "name: a\nstart: y\nnodes:\n  x: {type: hangup}\n",
            2,
            "script.start",
            "没有名为 'y' 的节点",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x: {type: say, prompt: hi, next: nowhere}\n",
            4,
            "nodes.x",
            "没有这个节点",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x: {type: say, prompt: hi, next: z}\n"
            "  z: {type: set, set: {category: info}, next: x}\n",
            4,
            "nodes.x",
            "从不等待按键的循环",
        ),
        (
            "name: a\nstart: x\nnodes:\n  x: {type: hangup}\n  x: {type: hangup}\n",
            5,
            "nodes.x",
            "x 出现了两次",
        ),
        ("name: a\nstart: x\nnodes: [1, 2\n", 4, "", "YAML 语法错误"),
        (
            "name: a\nstart: x\nnodes:\n  x:\n    type: set\n    set: {type: rant}\n    next: x\n",
            6,
            "nodes.x.set.type",
            "type 必须是 request、inquiry、complaint、suggestion 之一",
        ),
    ],
)
def test_load_errors_name_file_line_and_field(text, line, field, message):
    with pytest.raises(ScriptError) as caught:
        loader.parse(text, "bad.yaml")
    error = caught.value
    assert (error.file, error.line, error.field) == ("bad.yaml", line, field), str(error)
    assert message in error.text
    place = f"bad.yaml 第 {line} 行，{field}：" if field else f"bad.yaml 第 {line} 行："
    assert str(error).startswith(place)


def test_default_script_checks_clean_and_problems_are_found(tmp_path):
    categories, districts = checks.reference_codes()
    assert checks.check_file(ROOT / "ivr_scripts" / "hotline.yaml", categories, districts) == []
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "name: bad\nstart: a\nnodes:\n"
        "  a: {type: menu, prompt: 只有中文, options: {'1': {next: b, set: {category: nope}}}}\n"
        "  b: {type: hangup}\n"
        "  lost: {type: hangup, prompt: {zh: 再见, en: Bye}}\n",
        encoding="utf-8",
    )
    found = {(p.line, p.field, p.text) for p in checks.check_file(bad, categories, districts)}
    assert found == {
        (4, "nodes.a.prompt", "缺少 en 文字"),
        (4, "nodes.a.set.category", "未知代码 nope"),
        (6, "nodes.lost", "从起点无法到达"),
    }


def test_graphs_name_every_edge():
    s = loader.load("hotline", ROOT / "ivr_scripts")
    chart = checks.mermaid(s)
    assert chart.startswith("flowchart TD") and "main_menu -->|key 2| finance_menu" in chart
    dot = checks.graphviz(s)
    assert '"district_menu" -> "to_agent" [label="key 05"];' in dot


def test_runaway_loop_through_input_node_still_ends():
    s = script(
        """\
        name: spin
        start: m
        nodes:
          m: {type: menu, prompt: {zh: 按, en: press}, retries: 0, options: {'1': m}, on_fail: m}
        """
    )
    state = interpreter.start(s).state
    for _ in range(3):
        state = interpreter.step(s, state, Keys("1")).state
    assert state.status == "waiting"
