"""`helpdesk org list | add | edit | suspend | reinstate`: each change in the operations log with
the CLI as its actor; bad input a clear message in Chinese and exit 1."""

from __future__ import annotations

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.cli import main
from helpdesk.directory.models import Organisation, OrgStatus
from helpdesk.oplog.models import AdminChange


@pytest.fixture
def cli_env(cli_env: None, centre: Organisation) -> None:
    """tests/conftest.py's, with the service centre the commands name."""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["org", *args])


def _org(session: Session, slug: str) -> Organisation:
    session.expire_all()
    return session.scalars(select(Organisation).where(Organisation.slug == slug)).one()


def test_add_edit_suspend_reinstate_list(cli_env: None, session: Session) -> None:
    result = run(
        "add", "law-xh", "--name", "西湖律师事务所", "--kind", "provider", "--type", "legal",
        "--districts", "330106", "--categories", "manage/legal", "--capacity", "12",
        "--hours", "09:00-17:00", "--contact", "郑律师", "--phone", "13800001111",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    org = _org(session, "law-xh")
    assert org.capacity == 12 and org.phone == "+8613800001111" and org.contact_name == "郑律师"

    result = run("edit", "law-xh", "--capacity", "20", "--districts", "330106,330108")
    assert result.exit_code == 0, result.output
    org = _org(session, "law-xh")
    assert org.capacity == 20 and len(org.regions) == 2 and org.contact_name == "郑律师"

    assert run("suspend", "law-xh").exit_code == 2  # --reason is required
    result = run("suspend", "law-xh", "--reason", "执业许可到期")
    assert result.exit_code == 0, result.output
    assert _org(session, "law-xh").status is OrgStatus.SUSPENDED
    result = run("suspend", "law-xh", "--reason", "again")
    assert result.exit_code == 1 and "已处于暂停状态" in result.output
    assert run("reinstate", "law-xh", "--reason", "许可已续").exit_code == 0

    listed = run("list", "--kind", "provider")
    assert listed.exit_code == 0
    assert "law-xh\tprovider\tactive\t0/20\t西湖律师事务所" in listed.output
    changes = session.scalars(select(AdminChange).order_by(AdminChange.id)).all()
    assert [c.kind for c in changes] == [
        "org.created", "org.updated", "org.suspended", "org.reinstated",
    ]  # fmt: skip
    assert all(c.actor_login.startswith("cli") for c in changes)


def test_bad_input_is_a_message_per_field(cli_env: None) -> None:
    result = run("add", "x", "--name", "", "--kind", "provider", "--capacity", "-1")
    assert result.exit_code == 1
    assert "slug: 2 至 64 个小写字母" in result.output
    assert "provider_type: 服务机构须有类型" in result.output
    assert "capacity: 容量为 0 至 100000 之间的整数" in result.output
    assert run("edit", "nobody", "--capacity", "1").exit_code == 1
