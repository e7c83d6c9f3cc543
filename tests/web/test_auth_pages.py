"""Login and logout through the pages; CSRF when it is on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from helpdesk.auth.models import User
from web.helpers import csrf_token, login, page, password


def test_login_page_is_chinese_by_default(client: FlaskClient, app: Flask) -> None:
    html = page(client, "/login")
    assert "登录" in html and "账号" in html and "密码" in html
    assert 'lang="zh-CN"' in html


def test_pages_need_a_login(client: FlaskClient) -> None:
    response = client.get("/tickets")
    assert response.status_code == 302
    assert "/login?next=" in response.headers["Location"]


def test_login_then_logout(client: FlaskClient, agent: User) -> None:
    response = client.post(
        "/login",
        data={"login": agent.login, "password": password(), "next": "/tickets?status=open"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/tickets?status=open"
    assert agent.name in page(client, "/tickets")
    response = client.post("/logout")
    assert response.status_code == 302
    assert "您已退出登录" in page(client, "/login")
    assert client.get("/tickets").status_code == 302


def test_logout_is_post_only(client: FlaskClient, agent: User) -> None:
    login(client, agent)
    assert client.get("/logout").status_code == 405


def test_wrong_password_shows_an_error_and_keeps_the_login(
    client: FlaskClient, agent: User
) -> None:
    response = client.post("/login", data={"login": agent.login, "password": "nope"})
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "账号或密码错误" in html
    assert f'value="{agent.login}"' in html


def test_inactive_user_is_refused(client: FlaskClient, agent: User, session) -> None:  # type: ignore[no-untyped-def]
    agent.active = False
    session.commit()
    response = client.post("/login", data={"login": agent.login, "password": password()})
    assert response.status_code == 401
    assert "账号或密码错误" in response.get_data(as_text=True)
    assert client.get("/tickets").status_code == 302


def test_next_never_leaves_the_site(client: FlaskClient, agent: User) -> None:
    response = client.post(
        "/login",
        data={"login": agent.login, "password": password(), "next": "//evil.example/x"},
    )
    assert response.headers["Location"] == "/"


@pytest.fixture
def csrf_on(app: Flask) -> Iterator[None]:
    app.config["WTF_CSRF_ENABLED"] = True
    yield
    app.config["WTF_CSRF_ENABLED"] = False


@pytest.mark.usefixtures("csrf_on")
def test_csrf_is_enforced_on_forms(client: FlaskClient, agent: User, make_ticket) -> None:  # type: ignore[no-untyped-def]
    # Without the token, the login form is refused; with the page's token it works.
    refused = client.post("/login", data={"login": agent.login, "password": password()})
    assert refused.status_code == 400
    assert "表单已过期" in refused.get_data(as_text=True)
    token = csrf_token(page(client, "/login"))
    ok = client.post(
        "/login", data={"login": agent.login, "password": password(), "csrf_token": token}
    )
    assert ok.status_code == 302
    ticket = make_ticket()
    # An action without its token changes nothing.
    assert client.post(f"/tickets/{ticket.number}/action/cancel", data={}).status_code == 400
    html = page(client, f"/tickets/{ticket.number}")
    assert 'name="comment-csrf_token"' in html
    # Logout without the token is refused too: another site cannot log a user out.
    assert client.post("/logout").status_code == 400
    assert client.get("/tickets").status_code == 200


def _brand_link(html: str) -> str:
    import re

    found = re.search(r'<div class="brand">\s*(?:\{#.*?#\}\s*)?<a href="([^"]+)"', html, re.S)
    assert found, "the header's site name is a link"
    return found.group(1)


def test_the_site_name_leads_visitors_to_the_portal_and_staff_to_their_desk(
    client: FlaskClient, agent: User
) -> None:
    # a visitor not logged in is an enterprise more often than not: the portal, not staff login
    assert _brand_link(page(client, "/login")) == "/portal/"
    assert _brand_link(page(client, "/portal/")) == "/portal/"
    login(client, agent)
    assert _brand_link(page(client, "/tickets")) == "/"
    assert client.get("/").headers["Location"] == "/tickets"


@pytest.mark.usefixtures("csrf_on")
def test_a_reply_sent_after_logging_out_in_another_tab_is_not_lost(
    client: FlaskClient,
    agent: User,
    make_ticket,  # type: ignore[no-untyped-def]
) -> None:
    """Logged out in one tab, an agent sent a reply typed in another: the page said "表单已过期，
    请刷新页面后重新提交" and the reply was gone (a refresh leads to the login page). It says
    they are logged out, shows what they typed, and leads to the login and back."""
    token = csrf_token(page(client, "/login"))
    client.post("/login", data={"login": agent.login, "password": password(), "csrf_token": token})
    ticket = make_ticket()
    html = page(client, f"/tickets/{ticket.number}")
    stale = csrf_token(html)
    assert client.post("/logout", data={"csrf_token": stale}).status_code == 302  # the other tab
    sent = client.post(
        f"/tickets/{ticket.number}/comments",
        data={"comment-csrf_token": stale, "comment-body": "已电话告知企业所需材料清单"},
        headers={"Referer": f"http://localhost/tickets/{ticket.number}"},
    )
    assert sent.status_code == 400
    text = sent.get_data(as_text=True)
    assert "可能是在另一个标签页中" in text and "已电话告知企业所需材料清单" in text
    assert "重新登录" in text and "What you typed" not in text
    assert f'href="/login?next=/tickets/{ticket.number}"' in text


def _header(html: str) -> str:
    return html[html.index("<header") : html.index("</header>")]


@pytest.mark.usefixtures("csrf_on")
def test_the_expired_form_page_keeps_the_side_the_form_was_on(
    client: FlaskClient,
    agent: User,
    make_ticket,  # type: ignore[no-untyped-def]
) -> None:
    """A staff form sent after logging out showed the enterprise portal's header (企业服务门户)
    to the agent; a staff path shows the helpdesk's, with its login link, a portal path the
    portal's."""
    ticket = make_ticket()
    sent = client.post(f"/tickets/{ticket.number}/comments", data={"comment-body": "材料清单"})
    assert sent.status_code == 400
    header = _header(sent.get_data(as_text=True))
    assert "服务台" in header and "企业服务门户" not in header
    assert 'href="/login"' in header
    portal = client.post("/portal/needs/new", data={"subject": "想申请担保贷款"})
    assert portal.status_code == 400
    header = _header(portal.get_data(as_text=True))
    assert "企业服务门户" in header and 'href="/login"' not in header
