"""An id or version number too large for the database, typed or pasted into an admin page's
address, was a 500 (an OverflowError from the driver); it is a 404 like any missing record,
and the operations log's 'older' cursor is ignored."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from web.helpers import login

from helpdesk.auth.models import User

HUGE = "9" * 20


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", f"/admin/people/{HUGE}"),
        ("post", f"/admin/people/{HUGE}/disable"),
        ("get", f"/admin/orgs/{HUGE}"),
        ("get", f"/admin/enterprises/{HUGE}"),
        ("post", f"/admin/tokens/{HUGE}/revoke"),
        ("post", f"/admin/webhooks/{HUGE}/remove"),
        ("get", f"/admin/rules/versions/{HUGE}"),
        ("get", f"/admin/ivr/versions/{HUGE}"),
        ("get", f"/admin/sla/versions/{HUGE}"),
    ],
)
def test_a_huge_id_is_not_found(client: FlaskClient, admin: User, method: str, path: str) -> None:
    login(client, admin)
    assert getattr(client, method)(path).status_code == 404


def test_a_huge_cursor_in_the_operations_log_is_ignored(client: FlaskClient, admin: User) -> None:
    login(client, admin)
    assert client.get(f"/admin/changes?before={HUGE}").status_code == 200
