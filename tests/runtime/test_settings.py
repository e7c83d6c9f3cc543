"""The HELPDESK_* settings: one typed object, checked at start, the only reader of the
environment (ARCHITECTURE.md, "Settings")."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from helpdesk import ROOT, create_app
from helpdesk.settings import EnvSettings, SettingsError, reset, settings


def test_serve_with_a_bad_value_stops_at_once_naming_the_variable(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "HELPDESK_INSTANCE_PATH": str(tmp_path),
        "HELPDESK_AFTER_CALL_SECONDS": "abc",
        "PYTHONPATH": str(ROOT),
    }
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "serve"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "设置有误" in done.stderr and "invalid setting" in done.stderr
    assert "HELPDESK_AFTER_CALL_SECONDS='abc'" in done.stderr
    assert not (tmp_path / "helpdesk.sqlite3").exists()  # nothing started, nothing created


def test_create_app_refuses_a_bad_value_before_anything_else(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("HELPDESK_CHAT_RATE", "lots")
    monkeypatch.setenv("HELPDESK_QUEUE_ANNOUNCE_SECONDS", "5")
    with pytest.raises(SettingsError) as caught:
        create_app()
    message = str(caught.value)
    assert "HELPDESK_CHAT_RATE='lots'" in message  # every bad variable at once
    assert "HELPDESK_QUEUE_ANNOUNCE_SECONDS='5'" in message and "10 到 600" in message
    assert not (tmp_path / "helpdesk.sqlite3").exists()


def test_settings_are_parsed_once_and_read_again_only_on_reset(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HELPDESK_CHAT_MAX_CHATS", "4")  # undone after the test
    assert settings().chat_max_chats == 4
    assert settings() is settings()  # parsed once
    os.environ["HELPDESK_CHAT_MAX_CHATS"] = "7"  # behind monkeypatch's back
    assert settings().chat_max_chats == 4  # a running process's environment does not change
    reset()
    assert settings().chat_max_chats == 7
    monkeypatch.setenv("HELPDESK_CHAT_MAX_CHATS", "")  # tests/conftest.py's monkeypatch resets
    assert settings().chat_max_chats == 3  # empty counts as unset


def test_every_variable_is_typed_described_and_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    for name, field in EnvSettings.model_fields.items():
        assert field.alias == "HELPDESK_" + name.upper()
        assert field.description, name
        assert field.alias in readme, f"{field.alias} is not documented in README.md"


def test_only_the_settings_module_reads_the_environment() -> None:
    readers = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "helpdesk").rglob("*.py"))
        if re.search(r"os\.environ|os\.getenv|getenv\(", path.read_text())
    ]
    assert readers == ["helpdesk/settings.py"]
