"""/admin/orgs through the pages and the service: create, edit, bad input in Chinese beside its
field, two admins at once, a capacity below the open tickets (warned, saved), suspend (the next
ticket goes elsewhere, even when another process made the change) and re-route, reinstate;
every change in the 操作记录 and the sealed chain verifies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session
from web.helpers import csrf_token, login, page

from helpdesk import clock
from helpdesk.audit.checkpoints import AuditFiles
from helpdesk.audit.verify import verify
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgStatus
from helpdesk.oplog.models import AdminChange
from helpdesk.oplog.seal import seal_changes
from helpdesk.routing import service as routing
from helpdesk.tickets.models import Ticket


def _form(org: Organisation | None = None, **fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "name": "杭州联合担保有限公司",
        "slug": "hz-guarantee",
        "kind": "provider",
        "provider_type": "finance",
        "capacity": "30",
        "working_hours": "08:30-12:00，13:30-17:30",
        "contact_name": "陈经理",
        "phone": "0571-87001234",
        "districts": ["330102", "330105"],
        "categories": ["finance", "finance/guarantee"],
    }
    if org is not None:
        base["version"] = str(org.version)
    base.update(fields)
    return base


def _org(session: Session, slug: str) -> Organisation:
    session.expire_all()
    return session.scalars(select(Organisation).where(Organisation.slug == slug)).one()


def test_admin_creates_and_edits_an_organisation(
    client: FlaskClient, admin: User, session: Session
) -> None:
    login(client, admin)
    assert "机构管理" in page(client, "/tickets")  # in the header for admins
    response = client.post("/admin/orgs/new", data=_form())
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    org = _org(session, "hz-guarantee")
    assert org.phone == "+8657187001234"
    assert org.working_hours == "08:30-12:00, 13:30-17:30"
    assert sorted(r.code for r in org.regions) == ["330102", "330105"]
    html = page(client, f"/admin/orgs/{org.id}")
    assert "陈经理" in html and "上城区" in html and "金融机构" in html

    # only the categories change: the row's version still moves
    version = org.version
    response = client.post(f"/admin/orgs/{org.id}", data=_form(org, categories=["finance"]))
    assert response.status_code == 302
    org = _org(session, "hz-guarantee")
    assert [c.code for c in org.categories] == ["finance"] and org.version == version + 1
    change = session.scalars(select(AdminChange).order_by(AdminChange.id.desc())).first()
    assert change is not None and change.kind == "org.updated"
    assert change.before == {"categories": ["finance", "finance/guarantee"]}
    assert change.after == {"categories": ["finance"]}
    rows = page(client, "/admin/changes?target=hz-guarantee")
    assert "修改机构" in rows and "新增机构" in rows and "服务类别" in rows


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"slug": "centre"}, "slug", "代码 centre 已被使用"),
        ({"slug": "Bad Code"}, "slug", "小写字母"),
        ({"name": " "}, "name", "请输入机构名称"),
        ({"provider_type": ""}, "provider_type", "服务机构须有类型"),
        ({"kind": "workstation"}, "provider_type", "只有服务机构才有机构类型"),
        ({"kind": "service_centre", "provider_type": ""}, "kind", "已有服务中心"),
        ({"capacity": "三十"}, "capacity", "容量为 0 至 100000 之间的整数"),
        ({"working_hours": "17:30-08:30"}, "working_hours", "17:30-08:30 不是形如"),
        ({"phone": "12345"}, "phone", "不是有效电话号码"),
        ({"districts": []}, "districts", "请至少选择一个服务区域"),
        ({"categories": ["finance/nothing"]}, "categories", "未知的服务类别：finance/nothing"),
    ],
)
def test_bad_input_is_told_beside_its_field(
    client: FlaskClient, admin: User, fields: dict[str, object], field: str, message: str
) -> None:
    login(client, admin)
    response = client.post("/admin/orgs/new", data=_form(**fields))
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="{field}-error"' in html, html[:3000]
    assert message in html


def test_a_second_admin_saving_a_stale_form_is_told_and_nothing_is_lost(
    client: FlaskClient,
    admin: User,
    make_user: Callable[..., User],
    centre: Organisation,
    banks: tuple[Organisation, Organisation],
    session: Session,
) -> None:
    bank, _other = banks
    second = make_user(Role.ADMIN, centre, login="admin2", name="另一位管理员")
    other = client.application.test_client()
    login(client, admin)
    login(other, second)
    opened = _form(bank, slug="bank-a", name="杭州银行", capacity="10", categories=["finance"],
                   districts=["330100"], working_hours="", contact_name="", phone="")  # fmt: skip
    first = client.post(f"/admin/orgs/{bank.id}", data={**opened, "capacity": "20"})
    assert first.status_code == 302
    response = other.post(f"/admin/orgs/{bank.id}", data={**opened, "name": "杭州银行总行"})
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "admin 在您打开表单后于" in html and "您的修改未保存" in html
    bank = _org(session, "bank-a")
    assert bank.capacity == 20 and bank.name == "杭州银行"


def test_capacity_below_the_open_tickets_warns_and_saves(
    client: FlaskClient,
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    bank, _other = banks
    for _ in range(3):
        assert make_ticket(admin).assigned_org_id == bank.id
    login(client, admin)
    data = _form(_org(session, "bank-a"), slug="bank-a", name="杭州银行", capacity="2",
                 categories=["finance"], districts=["330100"])  # fmt: skip
    response = client.post(f"/admin/orgs/{bank.id}", data=data, follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "当前有 3 张未办结工单，超过容量 2" in html
    assert _org(session, "bank-a").capacity == 2
    assert make_ticket(admin).assigned_org_id == banks[1].id  # full: the next one goes on


def test_suspend_routes_elsewhere_reroute_and_reinstate(
    client: FlaskClient,
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_ticket: Callable[..., Ticket],
    session: Session,
) -> None:
    bank, other = banks
    waiting = make_ticket(admin, subject="申请银行贷款")
    assert waiting.assigned_org_id == bank.id
    login(client, admin)
    html = page(client, f"/admin/orgs/{bank.id}")
    response = client.post(
        f"/admin/orgs/{bank.id}/suspend",
        data={"st-csrf_token": "", "st-reason": " ", "st-version": str(bank.version)},
    )
    assert response.status_code == 422
    assert "请填写原因" in response.get_data(as_text=True)
    response = client.post(
        f"/admin/orgs/{bank.id}/suspend",
        data={"st-reason": "资质年检未通过", "st-version": str(_org(session, "bank-a").version)},
        follow_redirects=True,
    )
    html = response.get_data(as_text=True)
    assert "已暂停：不再分派新工单" in html and waiting.number in html and "资质年检未通过" in html
    assert _org(session, "bank-a").status is OrgStatus.SUSPENDED

    assert make_ticket(admin, subject="申请担保").assigned_org_id == other.id

    response = client.post(
        f"/admin/orgs/{bank.id}/reroute", data={"rr-number": waiting.number},
        follow_redirects=True,
    )  # fmt: skip
    html = response.get_data(as_text=True)
    assert f"{waiting.number} 已重新分派给 浙商银行" in html
    session.expire_all()
    moved = session.get(Ticket, waiting.id)
    assert moved is not None and moved.assigned_org_id == other.id

    response = client.post(
        f"/admin/orgs/{bank.id}/reinstate",
        data={"st-reason": "年检补正", "st-version": str(_org(session, "bank-a").version)},
        follow_redirects=True,
    )
    assert "已恢复" in response.get_data(as_text=True)
    assert make_ticket(admin).assigned_org_id == bank.id
    kinds = list(session.scalars(select(AdminChange.kind).order_by(AdminChange.id)))
    assert kinds == ["org.suspended", "org.reinstated"]


def test_a_suspension_made_by_another_process_reaches_the_cached_directory(
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_ticket: Callable[..., Ticket],
    session: Session,
    later: Callable[[], None],
) -> None:
    """The cache is dropped at flush in the process that made the change; another process
    sees it through reference_version within CHECK_EVERY (its clock moved here, no sleep). A
    Core UPDATE (no ORM flush here) stands for it."""
    bank, other = banks
    assert make_ticket(admin).assigned_org_id == bank.id  # the directory is cached now
    session.execute(
        update(Organisation)
        .where(Organisation.id == bank.id)
        .values(status=OrgStatus.SUSPENDED, version=Organisation.version + 1)
    )
    session.commit()
    later()
    assert routing.cached_directory(session).organisations["bank-a"].active is False
    assert make_ticket(admin).assigned_org_id == other.id


def test_every_change_is_sealed_and_verifies(
    admin: User, banks: tuple[Organisation, Organisation], session: Session, tmp_path: Path
) -> None:
    from helpdesk.orgs import service

    clock.freeze(clock.now())
    bank, _other = banks
    service.set_status(session, admin, bank, OrgStatus.SUSPENDED, "停业整顿")
    service.set_status(session, admin, bank, OrgStatus.ACTIVE, "整顿完成")
    files = AuditFiles(b"test-audit-key", tmp_path / "checkpoints.log")
    clock.advance(timedelta(seconds=5))
    assert seal_changes(session, files) == 2
    report = verify(session, files)
    assert report.ok and report.admin_checked == 2


def test_the_staff_list_links_to_people(
    client: FlaskClient,
    admin: User,
    banks: tuple[Organisation, Organisation],
    make_user: Callable[..., User],
) -> None:
    bank, _other = banks
    clerk = make_user(Role.PROVIDER, bank, login="bank-clerk", name="王柜员")
    login(client, admin)
    html = page(client, f"/admin/orgs/{bank.id}")
    assert f'href="/admin/people/{clerk.id}"' in html and "王柜员" in html


@pytest.mark.parametrize("role", [Role.AGENT, Role.SUPERVISOR, Role.PROVIDER])
def test_only_admins(
    client: FlaskClient,
    make_user: Callable[..., User],
    banks: tuple[Organisation, Organisation],
    role: Role,
) -> None:
    login(client, make_user(role, banks[0]))
    for url in ("/admin/orgs", "/admin/orgs/new", f"/admin/orgs/{banks[0].id}"):
        assert client.get(url).status_code == 403
    assert client.post(f"/admin/orgs/{banks[0].id}/suspend", data={}).status_code == 403
    _ = csrf_token  # the forms' tokens are off in these tests (CSRF is on in the browser test)
