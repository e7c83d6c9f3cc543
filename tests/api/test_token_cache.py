"""Bearer tokens kept in the process between requests (issue 17 item 2): a revocation made in
this process is refused at the very next request; one made by another process (the CLI here,
a separate interpreter on the same database) within reference_version.CHECK_EVERY, crossed by
moving that module's clock rather than by sleeping."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.orm import Session

from helpdesk.auth import tokens
from helpdesk.auth.models import ApiToken, User
from helpdesk.config import Settings

from .support import API, World

WORKTREE = Path(__file__).resolve().parents[2]


def _get(client, raw: str):
    return client.get(API + "/tickets", headers={"Authorization": f"Bearer {raw}"})


def _issue(session: Session, world: World) -> tuple[int, str]:
    token, raw = tokens.issue(session, "cli:test", world.agent.login, "对接", "write", None)
    session.commit()
    return token.id, raw


def _in_another_process(settings: Settings, *args: str) -> str:
    env = {
        **os.environ,
        "PYTHONPATH": str(WORKTREE),
        "HELPDESK_DATABASE_URL": settings.database_url,
        "HELPDESK_INSTANCE_PATH": str(settings.instance_path),
    }
    done = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_token_revoked_in_this_process_is_refused_at_the_next_request(
    client, session: Session, world: World
) -> None:
    token_id, raw = _issue(session, world)
    assert _get(client, raw).status_code == 200
    assert _get(client, raw).status_code == 200  # from the kept row now
    tokens.revoke(session, "cli:test", session.get(ApiToken, token_id))
    session.commit()
    reply = _get(client, raw)
    assert reply.status_code == 401
    assert "revoked" in reply.get_json()["error"]["message"]


def test_a_token_revoked_by_another_process_is_refused_within_the_check_interval(
    client, session: Session, world: World, settings: Settings, later
) -> None:
    token_id, raw = _issue(session, world)
    assert _get(client, raw).status_code == 200  # kept in this process now
    assert f"revoked {token_id}" in _in_another_process(settings, "token", "revoke", str(token_id))
    later()
    reply = _get(client, raw)
    assert reply.status_code == 401
    assert "revoked" in reply.get_json()["error"]["message"]


def test_a_user_disabled_by_another_process_loses_the_token_within_the_check_interval(
    client, session: Session, world: World, settings: Settings, later
) -> None:
    _token_id, raw = _issue(session, world)
    assert _get(client, raw).status_code == 200
    # a bulk change from elsewhere: the version counter moves as every ORM update moves it
    session.execute(
        update(User).where(User.id == world.agent.id).values(active=False, version=User.version + 1)
    )
    session.commit()
    later()
    reply = _get(client, raw)
    assert reply.status_code == 401
    assert "disabled" in reply.get_json()["error"]["message"]
