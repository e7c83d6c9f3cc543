"""The README's tables stay true: every demo login (with its extension) and every HELPDESK_*
variable is in it."""

from __future__ import annotations

import re
from pathlib import Path

from helpdesk.demo import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
# Names that look like settings but are not read from the environment.
NOT_SETTINGS = {
    "HELPDESK_TICKET",  # an Asterisk channel variable the AGI server sets
    "HELPDESK_RETENTION_",  # the prefix retention/config.py builds each kind's name from
}


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


def test_every_page_in_where_each_person_goes_exists(app) -> None:  # type: ignore[no-untyped-def]
    """The README's table of addresses by role names only pages the app serves."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Where each person goes", 1)[1].split("\n## ", 1)[0]
    assert "enterprise users log in at\nthe portal, `/portal/login`" in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "`/" in line]
    paths = {p for row in rows for p in re.findall(r"`(/[^`]*)`", row.split("|")[2])}
    assert {"/console", "/phone/console", "/wallboard", "/provider", "/portal/", "/chat/"} <= paths
    adapter = app.url_map.bind("localhost")
    for path in paths:
        adapter.match(path.replace("<number>", "HZ-20261123-00001"), method="GET")
    assert '<script src="http://127.0.0.1:5000/static/chat/embed.js" async></script>' in section
    assert (ROOT / "helpdesk/static/chat/embed.js").exists()
