"""/archive as a supervisor reads it: what the zip is for in Chinese, no command line they
cannot run; the administrator, who can, still sees how to verify it."""

from __future__ import annotations

import pytest

from helpdesk.auth.models import Role

COMMAND = "helpdesk audit verify"


def _archive_page(client, make_user, make_org, role: Role, slug: str) -> str:
    user = make_user(role, make_org(slug=slug))
    signed_in = client.post("/login", data={"login": user.login, "password": "secret-pass"})
    assert signed_in.status_code in (302, 303)
    page = client.get("/archive", headers={"Accept-Language": "zh-CN"})
    assert page.status_code == 200
    return page.get_data(as_text=True)


def test_supervisors_read_what_the_archive_is_for_not_a_command(client, make_user, make_org):
    html = _archive_page(client, make_user, make_org, Role.SUPERVISOR, "centre-archive-s")
    assert COMMAND not in html
    assert "系统管理员可以核验" in html


@pytest.mark.parametrize("role", [Role.ADMIN])
def test_the_administrator_still_sees_how_to_verify(client, make_user, make_org, role):
    html = _archive_page(client, make_user, make_org, role, "centre-archive-a")
    assert COMMAND in html and "系统管理员可以核验" in html
