"""Missing system packages: the tests that need them skip with the install command, the run ends
with a line counting them, and HELPDESK_REQUIRE_ALL=1 (CI) turns those skips into failures.
tools/system-packages, which `make test` runs first, says what to install where it cannot."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SUDO = "" if os.geteuid() == 0 else "sudo "
ABSENT_PACKAGES = "helpdesk-probe-a helpdesk-probe-b"
ABSENT_INSTALL = f"{SUDO}apt-get install -y --no-install-recommends {ABSENT_PACKAGES}"

PROBE_TESTS = """
from system_packages import SystemNeed, require

ABSENT = SystemNeed(("/nonexistent/helpdesk-probe",), ("helpdesk-probe-a", "helpdesk-probe-b"))


def test_needs_it():
    require(ABSENT)


def test_needs_it_too():
    require(ABSENT)


def test_needs_nothing():
    pass
"""


def run_probe(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """pytest on three probe tests, two of which need packages no machine has."""
    (tmp_path / "test_probe.py").write_text(PROBE_TESTS)
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    base = {k: v for k, v in os.environ.items() if k != "HELPDESK_REQUIRE_ALL"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "system_packages", "-rs", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={**base, "PYTHONPATH": str(ROOT / "tests"), **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_missing_packages_skip_naming_the_install_command_and_the_run_ends_counting_them(
    tmp_path: Path,
) -> None:
    done = run_probe(tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed, 2 skipped" in done.stdout
    assert f"no /nonexistent/helpdesk-probe: run `{ABSENT_INSTALL}`" in done.stdout
    last = done.stdout.strip().splitlines()[-1]
    assert last.startswith("2 tests skipped: missing system packages"), last
    assert last.endswith(f"`{ABSENT_INSTALL}`"), last


def test_under_require_all_the_same_tests_fail(tmp_path: Path) -> None:
    done = run_probe(tmp_path, HELPDESK_REQUIRE_ALL="1")
    assert done.returncode == 1
    assert "2 failed, 1 passed" in done.stdout
    assert "HELPDESK_REQUIRE_ALL=1 turns this skip into a failure" in done.stdout
    assert ABSENT_INSTALL in done.stdout
    assert "skipped: missing system packages" not in done.stdout


def test_with_everything_present_nothing_is_said(tmp_path: Path) -> None:
    (tmp_path / "test_probe.py").write_text("def test_plain():\n    pass\n")
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "system_packages", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        env={**os.environ, "PYTHONPATH": str(ROOT / "tests")},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0
    assert "1 passed" in done.stdout.strip().splitlines()[-1]


def system_packages(*args: str, as_nobody: bool = False, **env: str) -> str:
    command = ["/bin/sh", str(ROOT / "tools" / "system-packages"), *args]
    if as_nobody:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    done = subprocess.run(
        command,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,  # never stops `make test`: the tests themselves skip or fail
    )
    return done.stdout


@pytest.mark.skipif(not Path("/usr/bin/dpkg-query").exists(), reason="needs Debian's dpkg")
def test_not_root_it_prints_the_exact_install_command_and_carries_on() -> None:
    if os.geteuid() == 0:
        out = system_packages("dpkg", "helpdesk-probe-a", "helpdesk-probe-b", as_nobody=True)
    else:
        out = system_packages("dpkg", "helpdesk-probe-a", "helpdesk-probe-b")
    assert "missing helpdesk-probe-a helpdesk-probe-b; not root" in out
    assert (
        "sudo apt-get update && sudo apt-get install -y -qq --no-install-recommends "
        "helpdesk-probe-a helpdesk-probe-b" in out
    )


@pytest.mark.skipif(not Path("/usr/bin/dpkg-query").exists(), reason="needs Debian's dpkg")
def test_nothing_missing_it_says_nothing() -> None:
    assert system_packages("dpkg") == ""


def test_off_debian_it_says_the_tests_skip() -> None:
    out = system_packages("chromium", PATH="/nonexistent")
    assert "not Debian" in out
    assert "tests skip" in out
