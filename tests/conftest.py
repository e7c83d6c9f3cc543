"""Shared fixtures: one migrated database per test session, emptied after each test.

Set HELPDESK_TEST_DATABASE_URL to a PostgreSQL server URL to run the suite on PostgreSQL; a
fresh database is created there for the session and dropped afterwards.
"""

from __future__ import annotations

import itertools
import os
import textwrap
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request_started
from flask.testing import FlaskClient
from sqlalchemy import text
from sqlalchemy.orm import Session
from werkzeug.serving import make_server

from helpdesk import clock, create_app, reference_version, schema
from helpdesk import settings as env_settings
from helpdesk.auth.models import Role, User
from helpdesk.auth.passwords import hash_password
from helpdesk.config import Settings, load_settings
from helpdesk.directory.models import (
    Contact,
    Enterprise,
    Organisation,
    OrgKind,
    ProviderType,
    Region,
    ServiceCategory,
)
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.extensions import db
from helpdesk.models import Base
from helpdesk.routing import loader
from helpdesk.scratch_database import scratch_database
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

pytest_plugins = ["system_packages"]  # skip or fail tests whose Debian packages are missing

KEEP_TABLES = {"region", "service_category", "alembic_version"}
PASSWORD = "secret-pass"
PASSWORD_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose: hash once per run


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    server = os.environ.get("HELPDESK_TEST_DATABASE_URL")
    if server:
        with scratch_database(server) as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'helpdesk.sqlite3'}"


@pytest.fixture(scope="session")
def settings(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    instance = tmp_path_factory.mktemp("instance")
    env = {"HELPDESK_INSTANCE_PATH": str(instance), "HELPDESK_DATABASE_URL": database_url}
    return load_settings(env).with_(testing=True)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    schema.upgrade(settings.database_url)
    application = create_app(settings)
    application.config["WTF_CSRF_ENABLED"] = False
    with application.app_context():
        ensure_reference_data(db.session)
        db.session.commit()
    yield application
    with application.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request: pytest.FixtureRequest) -> Iterator[None]:
    """Empty every table but the reference data after each test that used the database."""
    yield
    clock.unfreeze()
    reference_version.forget()  # the next test's rows may have the same count and versions
    if "app" not in request.fixturenames:
        return
    application: Flask = request.getfixturevalue("app")
    with application.app_context():
        db.session.remove()
        tables = [t for t in reversed(Base.metadata.sorted_tables) if t.name not in KEEP_TABLES]
        with db.engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    connection.execute(table.delete())


class _SettingsAwareMonkeyPatch(pytest.MonkeyPatch):
    """helpdesk.settings parses the environment once per process; a test that sets or removes
    a HELPDESK_* variable (and its undo) makes the next `settings()` read it again."""

    def setenv(self, name: str, value: str, prepend: str | None = None) -> None:
        super().setenv(name, value, prepend)
        if name.startswith(env_settings.PREFIX):
            env_settings.reset()

    def delenv(self, name: str, raising: bool = True) -> None:
        super().delenv(name, raising)
        if name.startswith(env_settings.PREFIX):
            env_settings.reset()

    def undo(self) -> None:
        super().undo()
        env_settings.reset()


@pytest.fixture
def monkeypatch() -> Iterator[pytest.MonkeyPatch]:
    """pytest's monkeypatch, seen by helpdesk.settings when it changes HELPDESK_* variables."""
    patch = _SettingsAwareMonkeyPatch()
    yield patch
    patch.undo()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """The environment the `helpdesk` command reads, pointing at the test database (the
    pages in Chinese): request it before invoking `helpdesk.cli.main`."""
    monkeypatch.setenv("HELPDESK_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("HELPDESK_INSTANCE_PATH", str(settings.instance_path))
    monkeypatch.setenv("HELPDESK_LANGUAGE", "zh_CN")


@pytest.fixture
def later(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Call it to move reference_version's clock one CHECK_EVERY on: the next look-up asks the
    database whether another process changed the reference data, with no sleep. Only that
    module's monotonic clock moves (helpdesk.clock, the wall clock, does not)."""
    offset = [0.0]
    real = reference_version.monotonic
    monkeypatch.setattr(reference_version, "monotonic", lambda: real() + offset[0])

    def step() -> None:
        offset[0] += reference_version.CHECK_EVERY

    return step


@pytest.fixture(autouse=True)
def _forget_login_keys() -> Iterator[None]:
    """Login misses and ended logins kept in this process's memory (an app without Redis) do
    not carry from one test to the next: every test logs in from 127.0.0.1."""
    from helpdesk.auth import keystore

    keystore.clear_memory()
    yield
    keystore.clear_memory()


def _forget_user(sender: Flask, **extra: Any) -> None:
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _each_request_loads_its_user(request: pytest.FixtureRequest) -> Iterator[None]:
    """Requests made while a test holds the app context share its `g`, where Flask-Login
    caches the signed-in user: a second client would act as whoever came first, with a row
    from a session already closed. In production every request has a context of its own;
    give each test request the same."""
    if "app" not in request.fixturenames:
        yield
        return
    application: Flask = request.getfixturevalue("app")
    request_started.connect(_forget_user, application)
    yield
    request_started.disconnect(_forget_user, application)


@pytest.fixture
def session(app: Flask) -> Iterator[Session]:
    with app.app_context():
        yield db.session
        db.session.remove()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


_counter = itertools.count(1)


@pytest.fixture
def make_org(session: Session) -> Callable[..., Organisation]:
    def make(
        kind: OrgKind = OrgKind.PROVIDER,
        slug: str | None = None,
        categories: tuple[str, ...] = ("finance",),
        districts: tuple[str, ...] = ("330100",),
        **fields: Any,
    ) -> Organisation:
        n = next(_counter)
        org = Organisation(
            slug=slug or f"org-{n}",
            name=fields.pop("name", f"机构{n}"),
            kind=kind,
            provider_type=fields.pop(
                "provider_type", ProviderType.FINANCE if kind is OrgKind.PROVIDER else None
            ),
            regions=[session.get(Region, code) for code in districts],
            categories=[session.get(ServiceCategory, code) for code in categories],
            **fields,
        )
        session.add(org)
        session.commit()
        return org

    return make


@pytest.fixture
def make_user(session: Session) -> Callable[..., User]:
    def make(
        role: Role = Role.AGENT, organisation: Organisation | None = None, **fields: Any
    ) -> User:
        n = next(_counter)
        user = User(
            login=fields.pop("login", f"user{n}"),
            name=fields.pop("name", f"用户{n}"),
            password_hash=PASSWORD_HASH,
            role=role,
            organisation_id=organisation.id if organisation else None,
            **fields,
        )
        session.add(user)
        session.commit()
        return user

    return make


@pytest.fixture
def make_enterprise(session: Session) -> Callable[..., Enterprise]:
    from stdnum.cn import uscc

    def make(district: str = "330109", **fields: Any) -> Enterprise:
        n = next(_counter)
        body = f"91{district}{n:09d}"
        enterprise = Enterprise(
            name=fields.pop("name", f"杭州测试商贸有限公司{n}"),
            uscc=body + uscc.calc_check_digit(body + "0"),
            district_code=district,
            **fields,
        )
        enterprise.contacts = [Contact(name=f"联系人{n}", phone=f"+86139{n:08d}")]
        session.add(enterprise)
        session.commit()
        return enterprise

    return make


@pytest.fixture
def make_ticket(session: Session) -> Callable[..., Ticket]:
    def make(actor: User | None = None, **fields: Any) -> Ticket:
        data = service.NewTicket(
            subject=fields.pop("subject", "咨询担保贷款"),
            category=fields.pop("category", "finance/guarantee"),
            district=fields.pop("district", "330109"),
            **fields,
        )
        ticket = service.create(session, actor, data)
        session.commit()
        return ticket

    return make


def login(client: FlaskClient, user: User) -> None:
    """Log `user` in through the real login form."""
    response = client.post("/login", data={"login": user.login, "password": PASSWORD})
    assert response.status_code in (302, 303), response.get_data(as_text=True)[:500]


@pytest.fixture
def repo_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture
def use_rules(tmp_path: Path) -> Iterator[Callable[..., Path]]:
    """Write routing rule files into a fresh folder and make it this process's rule folder."""
    folder = tmp_path / "rules"
    folder.mkdir()

    def write(files: dict[str, str] | None = None, **named: str) -> Path:
        for name, body in {**(files or {}), **named}.items():
            (folder / name).write_text(textwrap.dedent(body), encoding="utf-8")
        loader.use(folder)
        return folder

    yield write
    loader.use(None)


@pytest.fixture
def live_server(app: Flask) -> Iterator[str]:
    """The app on a free port in a thread, with CSRF on as in production, for the browser
    tests (tests/chat overrides it: its server also carries Socket.IO).

    Function-scoped on purpose: it turns CSRF on for the shared app and must turn it off
    before the next test's test client posts forms without a token. Each browser test also
    starts with the per-address limits (portal logins, uploads) at zero: every test comes
    from 127.0.0.1, so a full run would otherwise spend one test's allowance in another's."""
    from helpdesk.portal.limiter import limiter

    limiter.reset()
    app.config["WTF_CSRF_ENABLED"] = True
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()  # the port and its socket go now, not at garbage collection
        app.config["WTF_CSRF_ENABLED"] = False


@pytest.fixture
def signed_in_page(live_server: str) -> Iterator[Callable[..., Any]]:
    """Chromium pages signed in through the real login form: `signed_in_page(user, width=1366,
    height=900, locale="zh-CN")` opens a new page of that size, the browser's language
    `locale`, as `user` (made by make_user) and returns it once the login has left /login.
    One browser per test, closed after it."""
    import re

    from chromium import CHROMIUM, launched
    from playwright.sync_api import expect

    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: run `apt-get install chromium fonts-noto-cjk`")
    with launched() as browser:

        def open_page(
            user: User, width: int = 1366, height: int = 900, locale: str = "zh-CN"
        ) -> Any:
            page = browser.new_page(viewport={"width": width, "height": height}, locale=locale)
            page.set_default_timeout(15_000)
            page.goto(f"{live_server}/login")
            page.fill("#login", user.login)
            page.fill("#password", PASSWORD)
            page.click("button[type=submit]")
            expect(page).not_to_have_url(re.compile(r"/login"))
            return page

        yield open_page
