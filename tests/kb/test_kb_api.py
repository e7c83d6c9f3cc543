"""The articles resource: readers get what they may read, staff write drafts and versions,
bad bodies are told by field."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import new_token

from .conftest import Guides


@pytest.fixture
def api(client: FlaskClient, session: Session) -> Callable[..., Any]:
    def call(user: User, method: str, path: str, **options: Any):  # type: ignore[no-untyped-def]
        raw, digest = new_token()
        session.add(ApiToken(user_id=user.id, name="test", token_hash=digest, revoked=False))
        session.commit()
        headers = {"Authorization": f"Bearer {raw}"}
        return client.open(f"/api/v1{path}", method=method, headers=headers, **options)

    return call


def test_an_enterprise_lists_and_reads_only_published_public_guides(
    api: Callable[..., Any], guides: Guides
) -> None:
    listed = api(guides.ent_user, "GET", "/articles").get_json()["items"]
    assert [a["id"] for a in listed] == [guides.public.id]
    assert listed[0]["html"].startswith("<h3>申请条件</h3>")
    assert api(guides.ent_user, "GET", f"/articles/{guides.draft.id}").status_code == 404
    assert api(guides.ent_user, "GET", f"/articles/{guides.internal.id}").status_code == 404
    found = api(guides.ent_user, "GET", "/articles", query_string={"q": "融资"}).get_json()
    assert [a["id"] for a in found["items"]] == [guides.public.id]
    staff = api(guides.provider, "GET", "/articles", query_string={"platform": "finance"})
    assert {a["id"] for a in staff.get_json()["items"]} == {guides.public.id, guides.internal.id}


def test_staff_write_drafts_and_versions(api: Callable[..., Any], guides: Guides) -> None:
    body = {"title": "展销会报名须知", "body": "- 带齐材料", "category": "market/exhibition"}
    created = api(guides.agent, "POST", "/articles", json=body)
    assert created.status_code == 201
    article = created.get_json()
    assert article["status"] == "draft" and article["version"] == 1
    again = api(guides.agent, "POST", f"/articles/{article['id']}/versions", json=body)
    assert again.status_code == 201 and again.get_json()["version"] == 2
    assert api(guides.ent_user, "POST", "/articles", json=body).status_code == 403
    assert api(guides.provider, "POST", "/articles", json=body).status_code == 403
    assert api(guides.ent_user, "GET", f"/articles/{article['id']}").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "长" * 900}, "title"),
        ({"body": ""}, "body"),
        ({"body": "字" * 30_000}, "body"),
        ({"category": "nowhere"}, "category"),
        ({"audience": "everyone"}, "audience"),
        ({"title": 5}, "title"),
    ],
)
def test_bad_bodies_are_told_by_field(
    api: Callable[..., Any], guides: Guides, change: dict[str, Any], field: str
) -> None:
    body = {"title": "展销会报名须知", "body": "正文", "category": "market/exhibition", **change}
    reply = api(guides.agent, "POST", "/articles", json=body)
    assert reply.status_code == 422
    assert reply.get_json()["error"]["field"] == field
