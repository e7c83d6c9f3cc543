"""Bearer tokens are remembered for a few seconds (helpdesk.auth.token_cache); a revocation is
honoured within that bound when another process made it, and at once when this one did."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from helpdesk import clock
from helpdesk.auth import token_cache
from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import hash_token
from helpdesk.extensions import db

from .support import API, World


def status(client, raw: str) -> int:  # type: ignore[no-untyped-def]
    return client.get(f"{API}/tickets", headers={"Authorization": f"Bearer {raw}"}).status_code


def elsewhere(statement) -> None:  # type: ignore[no-untyped-def]
    """A change made by another process: straight to the database, not through this
    process's session."""
    with db.engine.begin() as connection:
        connection.execute(statement)


def test_a_token_revoked_by_another_process_is_refused_within_the_cache_window(
    client, token, world: World
) -> None:
    clock.freeze(clock.now())
    raw = token(world.agent)
    assert status(client, raw) == 200  # looked up, then remembered
    elsewhere(update(ApiToken).where(ApiToken.token_hash == hash_token(raw)).values(revoked=True))
    assert status(client, raw) == 200  # still remembered: the window is the bound
    clock.advance(timedelta(seconds=token_cache.TOKEN_SECONDS))
    assert status(client, raw) == 401


def test_a_user_disabled_by_another_process_is_refused_within_the_cache_window(
    client, token, world: World
) -> None:
    clock.freeze(clock.now())
    raw = token(world.agent)
    assert status(client, raw) == 200
    elsewhere(update(User).where(User.id == world.agent.id).values(active=False))
    clock.advance(timedelta(seconds=token_cache.TOKEN_SECONDS))
    assert status(client, raw) == 401


def test_a_token_revoked_in_this_process_is_refused_at_once(
    client, token, world: World, session
) -> None:
    clock.freeze(clock.now())
    raw = token(world.agent)
    assert status(client, raw) == 200
    row = session.query(ApiToken).filter_by(token_hash=hash_token(raw)).one()
    row.revoked = True
    session.commit()
    assert status(client, raw) == 401


def test_a_remembered_token_acts_as_its_user(client, token, world: World) -> None:
    raw = token(world.agent)
    headers = {"Authorization": f"Bearer {raw}"}
    first = client.get(f"{API}/tickets", headers=headers)
    again = client.get(f"{API}/tickets", headers=headers)  # from the cache
    assert first.status_code == again.status_code == 200
    assert first.get_json() == again.get_json()
