"""Publishing routing rules from /admin/rules and `helpdesk rules publish|versions|rollback`:
checks with line numbers (nothing published on error), the simulation over past tickets,
versions with who and when, diffs, rollback, the operations log, and who may do what."""

from __future__ import annotations

from click.testing import CliRunner
from sqlalchemy import select

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from helpdesk.oplog.models import AdminChange
from helpdesk.routing import publish
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

PASSWORD = "secret-pass"  # tests/conftest.py's make_user

RULES = """\
rules:
  - name: finance
    priority: 100
    description: 融资需求交银行
    conditions: [{type: category, in: finance/*}]
    route: {to: [bank]}
  - name: default
    priority: 0
    description: 其余交服务中心
    route: {to: [centre]}
"""
TO_OTHER_BANK = RULES.replace("route: {to: [bank]}", "route: {to: [other-bank]}")


def login(client, user) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code in (302, 303)


def _setup(make_org, make_user, use_rules):  # type: ignore[no-untyped-def]
    centre = make_org(kind=OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank = make_org(slug="bank", name="杭州银行", categories=("finance",))
    other = make_org(slug="other-bank", name="浙商银行", categories=("finance",))
    use_rules({"rules.yaml": RULES})
    return centre, bank, other


def test_a_broken_edit_shows_its_line_and_publishes_nothing(
    client, session, make_org, make_user, use_rules
):
    centre, *_ = _setup(make_org, make_user, use_rules)
    login(client, make_user(Role.ADMIN, centre))
    broken = RULES.replace("priority: 100", "priority: high")
    response = client.post(
        "/admin/rules/edit/rules.yaml", data={"text": broken, "action": "publish", "days": "30"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "第 3 行" in page and "应为整数" in page
    assert 'id="line-3" class="bad"' in page
    unknown = RULES.replace("to: [bank]", "to: [no-such-bank]")
    page = client.post(
        "/admin/rules/edit/rules.yaml", data={"text": unknown, "action": "publish"}
    ).get_data(as_text=True)
    assert "未知机构 `no-such-bank`" in page
    assert session.scalars(select(DocumentVersion)).all() == []


def test_simulate_publish_route_and_roll_back(
    client, session, make_org, make_user, make_ticket, use_rules
):
    centre, bank, other = _setup(make_org, make_user, use_rules)
    admin = make_user(Role.ADMIN, centre, login="admin")
    before = make_ticket(admin)
    assert before.assigned_org_id == bank.id
    login(client, admin)
    page = client.post(
        "/admin/rules/edit/rules.yaml",
        data={"text": TO_OTHER_BANK, "action": "simulate", "days": "7"},
    ).get_data(as_text=True)
    assert "1 would go elsewhere" not in page  # the page speaks Chinese
    assert "杭州银行" in page and "浙商银行" in page and before.number in page
    assert session.scalars(select(DocumentVersion)).all() == []  # simulating publishes nothing

    response = client.post(
        "/admin/rules/edit/rules.yaml", data={"text": TO_OTHER_BANK, "action": "publish"}
    )
    assert response.status_code == 302
    numbers = [v.number for v in versions.listing(session, publish.KIND)]
    assert numbers == [2, 1]  # the folder's files became version 1
    assert make_ticket(admin).assigned_org_id == other.id  # no restart

    page = client.get("/admin/rules/versions/2").get_data(as_text=True)
    assert "other-bank" in page and 'class="remove"' in page and 'class="add"' in page
    assert client.post("/admin/rules/versions/1/rollback").status_code == 302
    assert make_ticket(admin).assigned_org_id == bank.id
    assert versions.head(session, publish.KIND).number == 3  # type: ignore[union-attr]

    changes = session.scalars(select(AdminChange).order_by(AdminChange.id)).all()
    assert [c.kind for c in changes] == ["rules.published", "rules.rolled_back"]
    assert changes[0].actor_login == "admin"
    assert changes[0].before["version"] == 1 and changes[0].after["version"] == 2  # type: ignore[index]
    assert changes[1].after["restored_from"] == 1  # type: ignore[index]
    assert changes[1].before["digest"] != changes[1].after["digest"]  # type: ignore[index]


def test_a_stale_editor_is_told_and_nothing_is_lost(
    client, session, make_org, make_user, use_rules
):
    centre, *_ = _setup(make_org, make_user, use_rules)
    login(client, make_user(Role.ADMIN, centre))
    client.post("/admin/rules/edit/rules.yaml", data={"text": TO_OTHER_BANK, "action": "publish"})
    response = client.post(
        "/admin/rules/edit/rules.yaml", data={"text": RULES, "action": "publish", "base": "1"}
    )
    assert response.status_code == 409
    assert "已有人发布了第 2 版" in response.get_data(as_text=True)
    assert versions.head(session, publish.KIND).number == 2  # type: ignore[union-attr]


def test_publishing_the_rules_unchanged_is_refused_on_the_editor(
    client, session, make_org, make_user, use_rules
):
    """发布 on the text in force made a version that changed nothing."""
    centre, *_ = _setup(make_org, make_user, use_rules)
    login(client, make_user(Role.ADMIN, centre))
    client.post("/admin/rules/edit/rules.yaml", data={"text": TO_OTHER_BANK, "action": "publish"})
    response = client.post(
        "/admin/rules/edit/rules.yaml",
        data={"text": TO_OTHER_BANK.replace("\n", "\r\n"), "action": "publish", "base": "2"},
        headers={"Accept-Language": "zh-CN"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "没有改动，无需发布" in page
    assert "other-bank" in page  # still on the editor, the text kept
    assert versions.head(session, publish.KIND).number == 2  # type: ignore[union-attr]


def test_supervisors_read_others_are_refused(client, make_org, make_user, use_rules):
    centre, *_ = _setup(make_org, make_user, use_rules)
    supervisor = make_user(Role.SUPERVISOR, centre)
    login(client, supervisor)
    assert client.get("/admin/rules").status_code == 200
    assert client.get("/admin/rules/edit/rules.yaml").status_code == 403
    post = client.post("/admin/rules/edit/rules.yaml", data={"text": RULES, "action": "publish"})
    assert post.status_code == 403
    assert client.post("/admin/rules/versions/1/rollback").status_code == 403
    client.post("/logout")
    login(client, make_user(Role.AGENT, centre))
    assert client.get("/admin/rules").status_code == 403
    assert client.get("/admin/rules/edit/rules.yaml").status_code == 403


def test_cli_publish_versions_rollback(
    app, session, make_org, make_user, use_rules, tmp_path, monkeypatch
):
    from helpdesk.routing import cli as rules_cli

    monkeypatch.setattr(rules_cli, "_app_context", app.app_context)
    _setup(make_org, make_user, use_rules)
    draft = tmp_path / "rules.yaml"
    draft.write_text(TO_OTHER_BANK, encoding="utf-8")
    from helpdesk.cli import main as cli

    runner = CliRunner()
    result = runner.invoke(cli, ["rules", "publish", str(draft)])
    assert result.exit_code == 0, result.output
    assert "published rules version 2" in result.output
    listed = runner.invoke(cli, ["rules", "versions"]).output
    assert "rules.yaml" in listed and "cli:" in listed
    changes = runner.invoke(cli, ["rules", "diff", "1", "2"]).output
    lines = changes.splitlines()
    assert any(line.startswith("-") and "[bank]" in line for line in lines), changes
    assert any(line.startswith("+") and "[other-bank]" in line for line in lines), changes
    assert runner.invoke(cli, ["rules", "diff", "1", "9"]).exit_code == 1
    result = runner.invoke(cli, ["rules", "rollback", "1"])
    assert result.exit_code == 0 and "version 1 again" in result.output
    draft.write_text("rules:\n  - name: x\n    priority: high\n", encoding="utf-8")
    result = runner.invoke(cli, ["rules", "publish", str(draft)])
    assert result.exit_code == 1 and "第 3 行" in result.output
    session.expire_all()
    assert versions.head(session, publish.KIND).number == 3  # type: ignore[union-attr]
