"""/admin/rules: active rules, the last broken edit, explain for a ticket; admins only."""

from __future__ import annotations

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind

PASSWORD = "secret-pass"  # tests/conftest.py's make_user


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code in (302, 303)


RULES = """\
rules:
  - name: finance
    priority: 100
    conditions: [{type: category, in: finance/*}]
    route: {to: [bank]}
  - name: default
    priority: 0
    route: {to: [centre]}
"""


def test_admin_sees_rules_status_and_explain(client, make_org, make_user, make_ticket, use_rules):
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre")
    make_org(slug="bank")
    admin = make_user(Role.ADMIN, centre)
    folder = use_rules({"rules.yaml": RULES})
    ticket = make_ticket(admin)
    (folder / "broken.yaml").write_text("rules:\n  - name: x\n    priority: high\n")
    from helpdesk.routing import loader

    loader.source().reload(frozenset({"centre", "bank"}))
    login(client, admin)
    page = client.get(f"/admin/rules?ticket={ticket.number}").get_data(as_text=True)
    assert "服务类别属于 投资融资（全部）" in page  # the condition in words, not `finance/*`
    assert "broken.yaml 第 3 行，规则 x → priority：应为整数" in page
    assert "下列规则仍然有效" in page
    # one Chinese sentence with Chinese punctuation (was "2 条规则, 加载于 …，来自 rules.yaml.")
    assert "共 2 条规则，" in page and "来自 <code>rules.yaml</code>。" in page
    assert "匹配" in page and "机构" in page


def test_only_admins_and_supervisors(client, make_org, make_user):
    agent = make_user(Role.AGENT, make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre"))
    login(client, agent)
    assert client.get("/admin/rules").status_code == 403
