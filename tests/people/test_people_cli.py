"""`helpdesk user add | edit | disable | enable | passwd | list`, each change in the operations
log with the CLI as its actor, bad input a clear message and exit 1."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import check_password
from helpdesk.cli import main
from helpdesk.directory.models import Organisation
from helpdesk.oplog.models import AdminChange


@pytest.fixture
def cli_env(cli_env: None, centre: Organisation) -> None:
    """tests/conftest.py's, with the service centre the commands name."""


def run(*args: str) -> Result:
    return CliRunner().invoke(main, ["user", *args])


def _person(session: Session, login: str) -> User:
    session.expire_all()
    return session.scalars(select(User).where(User.login == login)).one()


def test_add_edit_disable_enable_passwd_list(cli_env: None, session: Session) -> None:
    result = run(
        "add", "agent7", "--name", "钱涛", "--role", "agent", "--org", "centre",
        "--extension", "8007", "--skills", "finance,tech", "--password", "first-pass-7",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    person = _person(session, "agent7")
    assert person.extension == "8007" and person.skills == ["finance", "tech"]
    assert person.must_change_password and person.languages == ["zh"]

    result = run("edit", "agent7", "--extension", "8017", "--languages", "zh,en")
    assert result.exit_code == 0, result.output
    person = _person(session, "agent7")
    assert person.extension == "8017" and person.languages == ["zh", "en"]
    assert person.name == "钱涛" and person.skills == ["finance", "tech"]  # untouched

    assert run("disable", "agent7").exit_code == 0
    assert not _person(session, "agent7").active
    listed = run("list").output
    assert "agent7" not in listed
    assert "agent7\tagent\t钱涛\tcentre\t8017\tdisabled" in run("list", "--all").output
    assert run("enable", "agent7").exit_code == 0
    assert run("passwd", "agent7", "--password", "second-pass-7").exit_code == 0
    assert check_password(_person(session, "agent7").password_hash, "second-pass-7")

    changes = session.scalars(select(AdminChange).order_by(AdminChange.id)).all()
    assert [c.kind for c in changes] == [
        "user.created", "user.updated", "user.disabled", "user.enabled", "user.password_reset",
    ]  # fmt: skip
    assert all(c.actor_login.startswith("cli") and c.actor_id is None for c in changes)
    assert changes[1].before == {"extension": "8007", "languages": ["zh"]}
    assert changes[1].after == {"extension": "8017", "languages": ["zh", "en"]}


def test_bad_input_is_a_clear_message_and_nothing_changes(
    cli_env: None, session: Session, make_user: Callable[..., User], centre: Organisation
) -> None:
    make_user(Role.AGENT, centre, login="agent1", name="李娜", extension="8001")
    result = run(
        "add", "agent1", "--name", "重名", "--role", "agent", "--extension", "80a",
        "--password", "long-enough",
    )  # fmt: skip
    assert result.exit_code == 1
    assert "login: 登录名 agent1 已被使用" in result.output
    assert "extension: 分机号为 3 至 8 位数字" in result.output
    result = run("edit", "nobody", "--name", "x")
    assert result.exit_code == 1 and "no user with login 'nobody'" in result.output
    result = run("passwd", "agent1", "--password", "short")
    assert result.exit_code == 1 and "至少 8 个字符" in result.output
    session.expire_all()
    assert session.scalars(select(AdminChange)).first() is None
