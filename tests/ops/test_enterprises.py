"""/admin/enterprises: search by name, credit code or a contact's phone; edit with field-level
errors and the version check; the change in the 操作记录; the review queue linked."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session
from web.helpers import login, page

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation
from helpdesk.oplog.models import AdminChange


def _form(e: Enterprise, **fields: str) -> dict[str, str]:
    base = {
        "name": e.name,
        "uscc": e.uscc,
        "district": e.district_code,
        "industry": "零售",
        "size": "small",
        "address": "杭州市上城区解放路 1 号",
        "version": str(e.version),
    }
    base.update(fields)
    return base


def test_search_by_name_code_or_phone(
    client: FlaskClient, admin: User, make_enterprise: Callable[..., Enterprise]
) -> None:
    lake = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    other = make_enterprise(name="余杭物流有限公司", district="330110")
    login(client, admin)
    html = page(client, "/admin/enterprises")
    assert "待审核注册" in html and 'href="/portal/registrations"' in html
    by_name = page(client, "/admin/enterprises?q=湖滨")
    assert lake.name in by_name and other.name not in by_name
    by_code = page(client, f"/admin/enterprises?q={other.uscc[:12].lower()}")
    assert other.name in by_code and lake.name not in by_code
    phone = lake.contacts[0].phone or ""
    local = phone.removeprefix("+86")
    by_phone = page(client, f"/admin/enterprises?q={local[:3]} {local[3:7]} {local[7:]}")
    assert lake.name in by_phone and other.name not in by_phone
    assert "没有符合条件的企业" in page(client, "/admin/enterprises?q=不存在的公司")


def test_edit_with_field_errors_and_a_stale_form(
    client: FlaskClient,
    admin: User,
    make_enterprise: Callable[..., Enterprise],
    make_user: Callable[..., User],
    centre: Organisation,
    session: Session,
) -> None:
    e = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    twin = make_enterprise(name="杭州西湖贸易有限公司", district="330106")
    login(client, admin)
    bad = client.post(f"/admin/enterprises/{e.id}", data=_form(e, uscc="91330100ABC", name=""))
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422
    assert 'id="uscc-error"' in html and "不是有效的统一社会信用代码" in html
    assert 'id="name-error"' in html and "请输入企业名称" in html
    taken = client.post(f"/admin/enterprises/{e.id}", data=_form(e, uscc=twin.uscc))
    assert "另一家企业已使用此统一社会信用代码" in taken.get_data(as_text=True)

    opened = _form(e)
    assert client.post(f"/admin/enterprises/{e.id}", data=opened).status_code == 302
    other = client.application.test_client()
    login(other, make_user(Role.ADMIN, centre, login="admin2"))
    stale = other.post(f"/admin/enterprises/{e.id}", data={**opened, "industry": "批发"})
    assert stale.status_code == 409 and "您的修改未保存" in stale.get_data(as_text=True)

    session.expire_all()
    saved = session.get(Enterprise, e.id)
    assert saved is not None and saved.industry == "零售" and saved.size is not None
    change = session.scalars(select(AdminChange)).one()
    assert change.kind == "enterprise.updated" and change.after is not None
    assert change.after["industry"] == "零售"
    # the record by its name, not its code
    log = page(client, "/admin/changes")
    assert "修改企业" in log and "小型" in log and e.name in log


def test_only_admins(
    client: FlaskClient,
    make_user: Callable[..., User],
    centre: Organisation,
    make_enterprise: Callable[..., Enterprise],
) -> None:
    e = make_enterprise()
    login(client, make_user(Role.SUPERVISOR, centre))
    assert client.get("/admin/enterprises").status_code == 403
    assert client.get(f"/admin/enterprises/{e.id}").status_code == 403
    assert client.post(f"/admin/enterprises/{e.id}", data={}).status_code == 403
