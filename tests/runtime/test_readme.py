"""The README's tables stay true: every demo login and every HELPDESK_* variable is in it."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.demo import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
# Names that look like settings but are not read from the environment.
NOT_SETTINGS = {"HELPDESK_TICKET"}  # an Asterisk channel variable the AGI server sets


def test_every_demo_login_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    assert DEMO_PASSWORD in readme
    for login, name, role, _org, note in DEMO_USERS:
        row = f"| `{login}` | {name} | {role.value} | {note} |"
        assert row in readme, f"README lacks the demo login row {row}"


def test_every_helpdesk_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    used = {
        name
        for path in (ROOT / "helpdesk").rglob("*.py")
        for name in re.findall(r"\bHELPDESK_[A-Z_]+\b", path.read_text())
    }
    missing = sorted(used - NOT_SETTINGS - set(re.findall(r"`(HELPDESK_[A-Z_]+)`", readme)))
    assert not missing, f"README's configuration table lacks {missing}"
