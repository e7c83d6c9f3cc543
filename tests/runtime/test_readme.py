"""The README's tables stay true: every demo login (with its extension) and every HELPDESK_*
variable is in it."""

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


def test_the_demo_agents_have_the_extensions_the_readme_gives(session) -> None:
    from sqlalchemy import select

    from helpdesk.auth.models import User
    from helpdesk.demo import seed_demo

    seed_demo(session, tickets=0)
    extensions = dict(session.execute(select(User.login, User.extension)).tuples().all())
    documented = {
        login: found.group(1)
        for login, _name, _role, _org, note in DEMO_USERS
        if (found := re.search(r"ext\. (\d+)", note))
    }
    assert documented == {"agent1": "8001", "agent2": "8002"}
    assert {login: extensions[login] for login in documented} == documented


def test_every_helpdesk_variable_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text()
    used = {
        name
        for path in (ROOT / "helpdesk").rglob("*.py")
        for name in re.findall(r"\bHELPDESK_[A-Z_]+\b", path.read_text())
    }
    missing = sorted(used - NOT_SETTINGS - set(re.findall(r"`(HELPDESK_[A-Z_]+)`", readme)))
    assert not missing, f"README's configuration table lacks {missing}"
