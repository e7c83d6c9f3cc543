"""/admin/tokens and /admin/blocked-numbers (issue 13 item 8): an administrator issues a token
whose value is shown once, revokes it, rotates the CTI token, blocks and unblocks a caller; bad
input is named in Chinese; every change is in the 操作记录; nobody else gets in."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk.auth.models import ApiToken, Role, TokenScope, User
from helpdesk.channels.phone.models import BlockedNumber
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange


def _shown(html: str) -> str:
    found = re.search(r'<code class="token-value" id="token-value">(hd_[^<]+)</code>', html)
    assert found, html[:2000]
    return found.group(1)


def test_admin_issues_a_token_shown_once_then_revokes_it(
    client: FlaskClient, admin: User, session: Session, make_user: Callable[..., User],
    centre: Organisation,
) -> None:  # fmt: skip
    agent = make_user(Role.AGENT, centre, login="sync-bot", name="同步账号")
    login(client, admin)
    assert "API 令牌" in page(client, "/tickets")  # linked from the header for admins
    reply = client.post(
        "/admin/tokens",
        data={"name": "工单同步", "login": "sync-bot", "scope": "read", "expires": "2099-12-31"},
    )
    assert reply.status_code == 200
    raw = _shown(reply.get_data(as_text=True))
    assert raw not in page(client, "/admin/tokens")  # shown once, never again
    token = session.scalars(select(ApiToken)).one()
    assert token.scope is TokenScope.READ and token.user_id == agent.id
    api = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/v1/tickets", headers=api).status_code == 200
    listed = page(client, "/admin/tokens")
    assert "工单同步" in listed and "只读" in listed and "使用中" in listed

    assert client.post(f"/admin/tokens/{token.id}/revoke").status_code == 302
    assert client.get("/api/v1/tickets", headers=api).status_code == 401
    assert "已吊销" in page(client, "/admin/tokens")
    changes = page(client, "/admin/changes")
    assert "签发 API 令牌" in changes and "吊销 API 令牌" in changes
    assert raw not in changes
    # the expiry read 2099-12-31T23:59+08:00, the stored text
    assert "2099-12-31 23:59" in changes and "2099-12-31T23:59" not in changes


def test_bad_token_input_is_named_in_chinese(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    reply = client.post(
        "/admin/tokens", data={"name": "", "login": "nobody", "scope": "read", "expires": "昨天"}
    )
    html = reply.get_data(as_text=True)
    assert reply.status_code == 422
    assert "没有这个登录名的用户" in html and "2027-01-31" in html
    assert session.scalars(select(ApiToken)).first() is None


def test_rotating_the_cti_token_from_the_page(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    first = _shown(client.post("/admin/tokens/rotate-cti").get_data(as_text=True))
    second = _shown(client.post("/admin/tokens/rotate-cti").get_data(as_text=True))
    event = {"event": "newCall", "from": "057187001234", "to": "1", "direction": "in"}
    assert client.post(f"/api/v1/cti/{first}", data={**event, "callId": "a"}).status_code == 401
    assert client.post(f"/api/v1/cti/{second}", data={**event, "callId": "b"}).status_code == 200


def test_admin_blocks_and_unblocks_a_number(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    assert (
        client.post(
            "/admin/blocked-numbers", data={"number": "139 0000 0000", "note": "骚扰电话"}
        ).status_code
        == 302
    )
    assert session.scalars(select(BlockedNumber.number)).all() == ["+8613900000000"]
    listed = page(client, "/admin/blocked-numbers")
    # the number as people write it (it read +8613900000000, the stored E.164)
    assert "139 0000 0000" in listed and "骚扰电话" in listed
    assert "+8613900000000</td>" not in listed
    again = client.post("/admin/blocked-numbers", data={"number": "13900000000"})
    assert again.status_code == 422 and "已经在拦截名单" in again.get_data(as_text=True)
    bad = client.post("/admin/blocked-numbers", data={"number": "call me"})
    assert bad.status_code == 422 and "不是电话号码" in bad.get_data(as_text=True)
    assert (
        client.post(
            "/admin/blocked-numbers/remove", data={"btn-number": "+8613900000000"}
        ).status_code
        == 302
    )
    session.expire_all()
    assert session.scalars(select(BlockedNumber)).first() is None
    kinds = session.scalars(select(AdminChange.kind).order_by(AdminChange.id)).all()
    assert kinds == ["blocked_number.added", "blocked_number.removed"]


def test_nobody_but_an_admin_gets_in(
    client: FlaskClient, make_user: Callable[..., User], centre: Organisation
) -> None:
    supervisor = make_user(Role.SUPERVISOR, centre)
    login(client, supervisor)
    for url in ("/admin/tokens", "/admin/blocked-numbers"):
        assert client.get(url).status_code == 403
    for url in ("/admin/tokens", "/admin/tokens/rotate-cti", "/admin/blocked-numbers"):
        assert client.post(url, data={"name": "x", "login": supervisor.login}).status_code == 403
