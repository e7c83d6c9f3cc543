"""Hot reload: at most one look a second; a broken edit never takes effect."""

from __future__ import annotations

import os

from helpdesk.routing.loader import RuleSource

GOOD = """\
rules:
  - name: default
    priority: 0
    route: {to: [centre]}
"""
BETTER = (
    GOOD
    + """\
  - name: finance
    priority: 10
    conditions: [{type: category, in: finance/*}]
    route: {to: [hzbank]}
"""
)


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def write(folder, text: str, bump: int) -> None:  # type: ignore[no-untyped-def]
    path = folder / "rules.yaml"
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # a distinct mtime even on coarse file systems
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + bump * 1_000_000_000))


def test_broken_edit_keeps_the_last_good_rules_and_reports_the_error(tmp_path, caplog):
    clock = FakeClock()
    write(tmp_path, GOOD, 0)
    source = RuleSource(tmp_path, monotonic=clock)
    first = source.current()
    assert first is not None and [r.name for r in first.rules] == ["default"]

    write(tmp_path, BETTER.replace("priority: 10", "priority: ten"), 1)
    assert source.current() is first  # within the second: not even looked at
    clock.now += 1.0
    assert source.current() is first  # looked, broken: the last good set stays
    assert source.last_error is not None and not source.status.ok
    assert "rules.yaml 第 6 行，规则 finance → priority：应为整数" in str(
        source.last_error.errors[0]
    )
    assert "not loaded (kept rules" in caplog.text

    write(tmp_path, BETTER, 2)
    clock.now += 1.0
    fixed = source.current()
    assert fixed is not first and [r.name for r in fixed.rules] == ["finance", "default"]
    assert source.status.ok and source.last_error is not None  # the admin page still shows it


def test_an_organisation_missing_from_the_directory_blocks_the_reload(tmp_path):
    clock = FakeClock()
    write(tmp_path, GOOD, 0)
    source = RuleSource(tmp_path, monotonic=clock)
    first = source.current(frozenset({"centre"}))
    write(tmp_path, BETTER, 1)
    clock.now += 1.0
    assert source.current(frozenset({"centre"})) is first
    assert "未知机构 `hzbank`" in str(source.last_error.errors[0])
    clock.now += 1.0  # the directory gains hzbank: the same files now load
    assert [r.name for r in source.current(frozenset({"centre", "hzbank"})).rules] == [
        "finance",
        "default",
    ]


def test_a_broken_folder_at_start_leaves_no_rules_active(tmp_path):
    write(tmp_path, "rules: [", 0)
    source = RuleSource(tmp_path, monotonic=FakeClock())
    assert source.current() is None
    assert "YAML 语法错误" in str(source.last_error.errors[0])
