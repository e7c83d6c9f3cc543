"""Tests that need Debian packages besides Python's: skipped when those are missing, failed in CI.

`make test` installs the packages on Debian as root (tools/system-packages). Where it cannot, a
test that needs them skips, naming the exact install command, and the run ends with one line
counting those skips. With HELPDESK_REQUIRE_ALL=1 (set by .ci/run) the same test fails instead,
so CI never passes with part of the suite left out.

A pytest plugin (tests/conftest.py loads it): `require(BROWSER)` in a test or fixture.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass

import pytest

REQUIRE_ALL = "HELPDESK_REQUIRE_ALL"
SKIP_MARK = "missing system packages:"  # every such skip reason starts with it


def find_binary(name: str) -> str | None:
    """An absolute path, or a name on PATH or in /usr/sbin (Debian's kamailio: off users' PATH)."""
    if os.path.isabs(name):
        return name if os.access(name, os.X_OK) else None
    found = shutil.which(name)
    if found is None and os.access(f"/usr/sbin/{name}", os.X_OK):
        found = f"/usr/sbin/{name}"
    return found


@dataclass(frozen=True)
class SystemNeed:
    binaries: tuple[str, ...]
    packages: tuple[str, ...]  # the Debian packages that bring them

    def missing(self) -> list[str]:
        return [name for name in self.binaries if find_binary(name) is None]

    def install_command(self) -> str:
        sudo = "" if os.geteuid() == 0 else "sudo "
        return f"{sudo}apt-get install -y --no-install-recommends {' '.join(self.packages)}"


BROWSER = SystemNeed(("/usr/bin/chromium",), ("chromium", "fonts-noto-cjk"))
SIP = SystemNeed(("sipp", "kamailio"), ("sip-tester", "kamailio", "kamailio-utils-modules"))
SPEECH = SystemNeed(("espeak-ng", "sox"), ("espeak-ng", "sox"))  # IVR prompts as sound files


def require(need: SystemNeed) -> None:
    """Skip the calling test (fail it under HELPDESK_REQUIRE_ALL=1) when `need` is not met."""
    missing = need.missing()
    if not missing:
        return
    reason = f"{SKIP_MARK} no {' and no '.join(missing)}: run `{need.install_command()}`"
    if os.environ.get(REQUIRE_ALL) == "1":
        pytest.fail(f"{reason} ({REQUIRE_ALL}=1 turns this skip into a failure)", pytrace=False)
    pytest.skip(reason)


_skipped: dict[str, int] = {}  # install command -> tests skipped for want of it


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not report.skipped or not isinstance(report.longrepr, tuple):
        return
    reason = str(report.longrepr[2]).removeprefix("Skipped: ")
    if reason.startswith(SKIP_MARK):
        command = reason.rsplit("run `", 1)[-1].rstrip("`")
        _skipped[command] = _skipped.get(command, 0) + 1


def pytest_unconfigure(config: pytest.Config) -> None:
    """After pytest's own summary line: the run's last line says what was left out and why."""
    if not _skipped:
        return
    total = sum(_skipped.values())
    commands = "; ".join(f"`{command}`" for command in _skipped)
    tests = f"{total} test{'s' if total != 1 else ''}"
    line = (
        f"{tests} skipped: missing system packages (`make test` installs them only as root on "
        f"Debian); install them with {commands}"
    )
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(line, yellow=True, bold=True)
    else:
        print(line)
