"""Hangzhou SME platform helpdesk: tickets from phone, chat and portal, routed and traced."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from helpdesk.config import LANGUAGES, Settings, load_settings

if TYPE_CHECKING:  # Flask is imported by create_app, not here: the pure cores import without it
    from flask import Flask

ROOT = Path(__file__).resolve().parent.parent
MAX_BODY_BYTES = 2 * 1024 * 1024


def create_app(settings: Settings | None = None, *, check_schema: bool = True) -> Flask:
    """Build the app. Refuses a database behind the migrations unless `check_schema` is off.
    Every HELPDESK_* variable is checked first: a bad one raises SettingsError naming it."""

    from helpdesk import schema
    from helpdesk.extensions import babel, csrf, db, login_manager
    from helpdesk.settings import settings as read_env

    read_env()
    settings = settings or load_settings()
    if check_schema:
        schema.ensure_current(settings.database_url)

    from helpdesk.proxies import parse as parse_proxies
    from helpdesk.web.proxy import HelpdeskFlask, install

    app = HelpdeskFlask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(settings.instance_path),
    )
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SQLALCHEMY_DATABASE_URI=settings.database_url,
        SQLALCHEMY_ENGINE_OPTIONS=_engine_options(settings),
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
        BABEL_DEFAULT_LOCALE=settings.language,
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        # A form's token lasts as long as a login can (it is also replaced at login).
        WTF_CSRF_TIME_LIMIT=settings.session_lifetime_seconds,
        TESTING=settings.testing,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.secure_cookies,
        REMEMBER_COOKIE_SECURE=settings.secure_cookies,
        PREFERRED_URL_SCHEME="https" if settings.secure_cookies else "http",
    )
    install(app, parse_proxies(settings.trusted_proxies))
    app.extensions["helpdesk.settings"] = settings
    from helpdesk.ids import RowIdConverter

    app.url_map.converters["id"] = RowIdConverter  # before any route uses <id:...>

    db.init_app(app)
    from helpdesk.db import tune_postgresql

    with app.app_context():
        tune_postgresql(db.engine)  # nothing on SQLite
    login_manager.init_app(app)
    csrf.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)

    from helpdesk.auth.session import init_auth

    init_auth(app)
    from helpdesk.web.headers import init_app as init_headers

    init_headers(app)
    from helpdesk.web.error_pages import init_app as init_error_pages

    init_error_pages(app)
    _register_blueprints(app)
    from helpdesk.web import token_calls

    # Last, once every extension has registered its hooks: a bearer-token API call gets no
    # cookie session and skips the pages' hooks (the list is in helpdesk/web/token_calls.py).
    token_calls.install(app)
    return app


def _engine_options(settings: Settings) -> dict[str, object]:
    if settings.is_sqlite:
        # One gevent process runs many requests at once, each holding a connection and a
        # second one for its fan-out: beyond the default 5 the pool opened and closed a
        # connection (with its PRAGMAs) per request under load (2 % of CPU in bench.api_create).
        return {
            "connect_args": {"check_same_thread": False, "timeout": 30},
            "pool_size": 32,
            "max_overflow": 32,
        }
    # The same for PostgreSQL, where a connection opened past the pool's 5 is a new backend
    # (a fork and its start-up) closed again when returned: 0.35 per ticket with 8 clients
    # (bench/api_create.py --matrix, "new backends"), whose CPU no figure showed. Kept modest:
    # each process keeps what it once used at once, and the server's max_connections (100 by
    # default) is shared by every process (16 + 16 here ran a shared server out of them).
    return {"pool_pre_ping": True, "pool_size": 10, "max_overflow": 10}


def _select_locale() -> str:
    """?lang= switches and remembers; otherwise the installation's default language."""
    from flask import current_app, request, session

    chosen = request.args.get("lang")
    if chosen in LANGUAGES:
        session["lang"] = chosen
        return chosen
    remembered = session.get("lang")
    if remembered in LANGUAGES:
        return str(remembered)
    return str(current_app.extensions["helpdesk.settings"].language)


def _register_blueprints(app: Flask) -> None:
    from helpdesk.api import blueprint as api
    from helpdesk.auth.views import blueprint as auth
    from helpdesk.console import api as _console_api  # noqa: F401  (routes before registering)
    from helpdesk.routing.views import blueprint as routing
    from helpdesk.tickets.views import blueprint as tickets

    app.register_blueprint(auth)
    app.register_blueprint(api)
    app.register_blueprint(tickets)
    app.register_blueprint(routing)
    from helpdesk.channels.phone.ivr_admin import blueprint as ivr_admin

    app.register_blueprint(ivr_admin)
    from helpdesk.channels.phone.ivr_draft import blueprint as ivr_draft

    app.register_blueprint(ivr_draft)

    from helpdesk.people.views import blueprint as people

    app.register_blueprint(people)

    from helpdesk.orgs.views import blueprint as orgs

    app.register_blueprint(orgs)

    from helpdesk.sla.views import blueprint as sla_admin

    app.register_blueprint(sla_admin)

    from helpdesk.catalogue.views import blueprint as catalogue

    app.register_blueprint(catalogue)

    from helpdesk.enterprises.views import blueprint as enterprises

    app.register_blueprint(enterprises)

    from helpdesk.system.views import blueprint as system

    app.register_blueprint(system)
    from helpdesk.integrations.views import blueprint as integrations

    app.register_blueprint(integrations)

    from helpdesk.webhooks import safety as webhook_safety
    from helpdesk.webhooks.views import blueprint as webhooks

    app.register_blueprint(webhooks)
    webhook_safety.init_app(app)

    from helpdesk.audit.views import blueprint as audit

    app.register_blueprint(audit)

    from helpdesk.search.views import blueprint as search

    app.register_blueprint(search)

    from helpdesk.kb.views import blueprint as kb

    app.register_blueprint(kb)

    from helpdesk.stats.views import blueprint as stats

    app.register_blueprint(stats)

    from helpdesk.loop.views import blueprint as loop
    from helpdesk.retention.views import blueprint as retention

    app.register_blueprint(loop)
    app.register_blueprint(retention)
    from helpdesk.notifications.views import blueprint as notifications

    app.register_blueprint(notifications)

    from helpdesk.channels.phone.app import init_app as init_phone

    init_phone(app)

    from helpdesk.console import init_app as init_console
    from helpdesk.realtime import init_app as init_realtime_hooks

    init_console(app)
    init_realtime_hooks(app)

    from helpdesk.channels.chat.app import init_app as init_chat
    from helpdesk.portal import init_app as init_portal

    init_portal(app)
    init_chat(app)
