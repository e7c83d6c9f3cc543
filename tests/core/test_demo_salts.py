"""Demo users get their own salts (issue 16 item 10): the same demo password, a different hash
for each person, so that one cracked hash (or a shared one spotted in a dump) is not all of
them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.auth.passwords import check_password
from helpdesk.demo import DEMO_PASSWORD, seed_demo

ONE_RULE = "rules:\n  - {name: default, priority: 0, route: {to: [centre]}}\n"


def test_each_demo_user_has_a_hash_of_their_own(
    session: Session, use_rules: Callable[..., object]
) -> None:
    use_rules({"rules.yaml": ONE_RULE})  # the real rules, compiled here, would outlive the test
    seed_demo(session, tickets=0)
    session.commit()
    hashes = session.scalars(select(User.password_hash)).all()
    assert len(hashes) > 5
    assert len(set(hashes)) == len(hashes)
    assert all(check_password(h, DEMO_PASSWORD) for h in hashes)
