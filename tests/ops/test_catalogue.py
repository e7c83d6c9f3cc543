"""/admin/catalogue and `helpdesk catalogue`: names (zh/en) and order edited, a sub-service
added, a service retired (kept on old tickets, no longer offered for new ones) and restored;
bad input beside its field; every change in the 操作记录; `db upgrade`'s reference data no
longer overwrites what the console set."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk.auth.models import User
from helpdesk.cli import main
from helpdesk.directory.models import ServiceCategory
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.oplog.models import AdminChange
from helpdesk.tickets.models import Ticket

pytestmark = pytest.mark.usefixtures("restore_catalogue")


def _entry(session: Session, code: str) -> ServiceCategory:
    session.expire_all()
    found = session.get(ServiceCategory, code)
    assert found is not None
    return found


def test_admin_renames_reorders_retires_and_restores(
    client: FlaskClient,
    admin: User,
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    old = make_ticket(admin, category="finance/pawn", subject="典当咨询")
    login(client, admin)
    html = page(client, "/admin/catalogue")
    assert "服务目录" in html and "投资融资" in html and "典当" in html

    pawn = _entry(session, "finance/pawn")
    response = client.post(
        "/admin/catalogue/finance/pawn",
        data={"name_zh": "典当融资", "name_en": "Pawn loans", "position": "20",
              "version": str(pawn.version)},
    )  # fmt: skip
    assert response.status_code == 302
    pawn = _entry(session, "finance/pawn")
    assert (pawn.name_zh, pawn.name_en, pawn.position) == ("典当融资", "Pawn loans", 20)
    assert "典当融资" in page(client, "/tickets/new")  # the cached reference saw the edit

    response = client.post(
        "/admin/catalogue/finance/pawn/retire", data={"btn-version": str(pawn.version)},
        follow_redirects=True,
    )  # fmt: skip
    assert "典当融资 已停用" in response.get_data(as_text=True)
    assert 'value="finance/pawn"' not in page(client, "/tickets/new")  # not offered
    refused = client.post(
        "/api/v1/tickets",
        json={"subject": "典当", "category": "finance/pawn", "district": "330102"},
    )
    assert refused.status_code == 422 and "finance/pawn" in refused.get_data(as_text=True)
    assert "典当融资" in page(client, f"/tickets/{old.number}")  # the old ticket keeps it

    client.post("/admin/catalogue/finance/pawn/restore",
                data={"btn-version": str(_entry(session, "finance/pawn").version)})  # fmt: skip
    assert 'value="finance/pawn"' in page(client, "/tickets/new")
    kinds = list(session.scalars(select(AdminChange.kind).order_by(AdminChange.id)))
    assert kinds == ["catalogue.updated", "catalogue.retired", "catalogue.restored"]
    log = page(client, "/admin/changes")
    assert "修改服务项目" in log and "停用服务项目" in log and "典当融资" in log


def test_a_stale_form_is_refused_and_bad_input_told_beside_its_field(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    entry = _entry(session, "tech/it")
    form = {"name_zh": "信息化", "name_en": "IT", "position": "0", "version": str(entry.version)}
    assert client.post("/admin/catalogue/tech/it", data=form).status_code == 302
    stale = client.post("/admin/catalogue/tech/it", data={**form, "name_zh": "数字化"})
    assert stale.status_code == 409 and "您的修改未保存" in stale.get_data(as_text=True)
    assert _entry(session, "tech/it").name_zh == "信息化"

    bad = client.post("/admin/catalogue/tech/it",
                      data={"name_zh": "", "name_en": "IT", "position": "abc",
                            "version": str(_entry(session, "tech/it").version)})  # fmt: skip
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="name_zh-error"' in html and "请输入中文名称" in html
    assert 'id="position-error"' in html and "排序为 0 至 999 之间的整数" in html

    taken = {"new-parent": "finance", "new-code": "guarantee", "new-name_zh": "担保",
             "new-name_en": "G", "new-position": "1"}  # fmt: skip
    added = client.post("/admin/catalogue/new", data=taken)
    assert added.status_code == 422
    assert "finance/guarantee 已存在" in added.get_data(as_text=True)
    added = client.post("/admin/catalogue/new",
                        data={"new-parent": "finance", "new-code": "crowdfunding",
                              "new-name_zh": "股权众筹", "new-name_en": "Equity crowdfunding",
                              "new-position": "12"}, follow_redirects=True)  # fmt: skip
    assert "已添加 股权众筹" in added.get_data(as_text=True)
    assert 'value="finance/crowdfunding"' in page(client, "/tickets/new")


def test_a_new_entry_with_no_order_goes_after_the_last(
    client: FlaskClient, admin: User, session: Session
) -> None:
    """An empty 排序 was refused (0 to 999); it now means after the platform's last entry."""
    login(client, admin)
    last = max(c.position for c in session.scalars(
        select(ServiceCategory).where(ServiceCategory.parent_code == "finance")))  # fmt: skip
    added = client.post("/admin/catalogue/new",
                        data={"new-parent": "finance", "new-code": "supply-chain-loans",
                              "new-name_zh": "供应链贷款", "new-name_en": "Supply chain loans",
                              "new-position": ""}, follow_redirects=True)  # fmt: skip
    assert "已添加 供应链贷款" in added.get_data(as_text=True)
    assert _entry(session, "finance/supply-chain-loans").position == last + 1
    assert "留空则排在最后" in page(client, "/admin/catalogue")


def test_upgrade_keeps_what_the_console_set(admin: User, session: Session) -> None:
    guarantee = _entry(session, "finance/guarantee")
    guarantee.name_zh, guarantee.active = "融资担保", False
    session.commit()
    ensure_reference_data(session)
    session.commit()
    guarantee = _entry(session, "finance/guarantee")
    assert guarantee.name_zh == "融资担保" and guarantee.active is False


def test_cli(cli_env: None, session: Session) -> None:
    run = CliRunner().invoke
    added = run(main, ["catalogue", "add", "market", "livestream", "--zh", "直播带货",
                       "--en", "Live-stream selling", "--order", "7"])  # fmt: skip
    assert added.exit_code == 0, added.output
    assert run(main, ["catalogue", "edit", "market/livestream", "--zh", "直播电商"]).exit_code == 0
    assert run(main, ["catalogue", "retire", "market/livestream"]).exit_code == 0
    again = run(main, ["catalogue", "retire", "market/livestream"])
    assert again.exit_code == 1 and "market/livestream 已停用" in again.output
    listed = run(main, ["catalogue", "list"]).output
    assert "market/livestream\t7\tretired\t直播电商\tLive-stream selling" in listed
    bad = run(main, ["catalogue", "add", "nowhere", "x", "--zh", "", "--en", "x"])
    assert bad.exit_code == 1 and "parent: 请选择服务平台" in bad.output
    changes = session.scalars(select(AdminChange.kind).order_by(AdminChange.id)).all()
    assert changes == ["catalogue.created", "catalogue.updated", "catalogue.retired"]
