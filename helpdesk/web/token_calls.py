"""The lighter path of a bearer-token API call: what only browsers and pages need, it skips.

A call to /api/v1/... with `Authorization: Bearer` is an integration, never a browser: the
token alone says who calls (helpdesk.api.inputs.authenticate never falls back to the cookie),
no template is rendered and the answer is JSON. Yet it went through everything a page does,
about 5 % of a created ticket's server CPU (bench/api_create.py --profile): the signed cookie
session opened and saved (with `Vary: Cookie` on the answer), Flask-Limiter's look-up of limits
the API does not declare (its request filter exempts the API blueprint), Flask-Login's remember
cookie, the form CSRF check the API blueprint is exempt from, the forced-password redirect that
waits for a person, and a page's Content-Security-Policy with a fresh nonce.

So such a call is marked once (in the request's environ, from the path and the header, before
the URL is matched, when the session opens), and for it:
- the session is a fresh empty one, never read from a cookie nor written back: no Set-Cookie;
- the page-only hooks of Flask-Login, Flask-WTF and Flask-Limiter do not run (PAGE_ONLY_HOOKS);
- the security headers are an API's (helpdesk.web.headers): no nonce, nothing to run or frame.
What the caller notices stays: auth errors as JSON, refused tokens, the API's error pages, the
locale (Babel still refreshes per request; `?lang=` still works, only not remembered).
A browser calling the API with its session cookie (the console) keeps the full path.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import Flask, Request, request
from flask.sessions import SecureCookieSessionInterface, SessionMixin

API_PREFIX = "/api/v1/"  # helpdesk.api.registry's blueprint (tests/api/test_light_path.py)
MARK = "helpdesk.token_call"

# Hooks registered app-wide, by module and qualified name: what an integration never needs.
PAGE_ONLY_HOOKS = frozenset(
    {
        # form tokens, which the API blueprint is exempt from
        "flask_wtf.csrf.CSRFProtect.init_app.<locals>.csrf_protect",
        # limits: the API declares none (helpdesk/portal/limiter.py exempts its blueprint)
        "flask_limiter._extension.Limiter._check_request_limit",
        "flask_limiter._extension.Limiter.__inject_headers",
        "flask_limiter._extension.Limiter.__release_context",
        # a browser's "remember me" cookie
        "flask_login.login_manager.LoginManager._update_remember_cookie",
        # a person told to set their own password first (a token is no person)
        "helpdesk.people.views._password_first",
    }
)


def is_token_call(req: Request | None = None) -> bool:
    """This request is a bearer-token call to the JSON API (decided once per request)."""
    environ = (req or request).environ
    marked = environ.get(MARK)
    if marked is None:
        path = (req or request).path
        bearer = environ.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
        marked = environ[MARK] = bearer and path.startswith(API_PREFIX)
    return bool(marked)


class BrowserSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie session, for browsers only: a token call gets an empty session
    that no cookie fills and no response saves (nor adds `Vary: Cookie` for)."""

    def open_session(self, app: Flask, request: Request) -> Any:
        if is_token_call(request):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Any) -> None:
        if is_token_call():
            return
        super().save_session(app, session, response)


def _name(hook: Callable[..., Any]) -> str:
    target = getattr(hook, "func", hook)  # Flask-Limiter registers a functools.partial
    return f"{getattr(target, '__module__', '')}.{getattr(target, '__qualname__', '')}"


def _skipping_token_calls(hook: Callable[..., Any], kind: str) -> Callable[..., Any]:
    if kind == "after":

        @functools.wraps(hook)
        def after(response: Any) -> Any:
            return response if is_token_call() else hook(response)

        return after

    @functools.wraps(hook)
    def before_or_teardown(*args: Any) -> Any:
        return None if is_token_call() else hook(*args)

    return before_or_teardown


def install(app: Flask) -> None:
    """Give token calls the light path: the session interface, and the app-wide page-only
    hooks wrapped to skip them. Called last in create_app, after every extension registered
    its hooks. The names of the hooks wrapped are kept (a test checks none went missing)."""
    app.session_interface = BrowserSessions()
    wrapped = set()
    for kind, hooks in (
        ("before", app.before_request_funcs),
        ("after", app.after_request_funcs),
        ("teardown", app.teardown_request_funcs),
    ):
        app_wide = hooks.get(None, [])
        for index, hook in enumerate(app_wide):
            if _name(hook) in PAGE_ONLY_HOOKS:
                app_wide[index] = _skipping_token_calls(hook, kind)
                wrapped.add(_name(hook))
    app.extensions["helpdesk.token_calls.skipped"] = frozenset(wrapped)
