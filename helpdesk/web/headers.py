"""Security headers on every response: a Content-Security-Policy whose scripts are this site's
files or carry the request's nonce (no inline handlers anywhere), framing by this site only,
nosniff, a referrer kept to this site, and HSTS when the site is served over https.

Before this, a page on another port could frame /tickets/<n> with its action forms live.
The chat page keeps its own frame-ancestors (the embedding sites' allow-list); a download keeps
its sandbox policy. A bearer-token API call (helpdesk.web.token_calls) answers JSON that nothing
renders: a fixed policy that allows nothing to load, run or frame it, no nonce to make.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, request

from helpdesk.web.token_calls import is_token_call

HSTS_SECONDS = 365 * 24 * 3600
NONCE_KEY = "helpdesk.csp_nonce"
API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def nonce() -> str:
    """This request's script nonce, made on first use (kept on the request, not on `g`, which
    an app context can share between requests)."""
    return str(request.environ.setdefault(NONCE_KEY, secrets.token_urlsafe(16)))


def policy(script_nonce: str, frame_ancestors: str = "'self'") -> str:
    return "; ".join(
        (
            "default-src 'self'",
            f"script-src 'self' 'nonce-{script_nonce}'",
            f"style-src 'self' 'nonce-{script_nonce}'",  # the printable trace's own sheet
            "img-src 'self' data:",
            "connect-src 'self'",  # the Socket.IO connection (ws: on the same host)
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            f"frame-ancestors {frame_ancestors}",
        )
    )


def _frame_ancestors(existing: str) -> str:
    for directive in existing.split(";"):
        name, _, value = directive.strip().partition(" ")
        if name == "frame-ancestors" and value.strip():
            return value.strip()
    return "'self'"


def _add_headers(response: Response, secure: bool) -> Response:
    existing = response.headers.get("Content-Security-Policy", "")
    if "sandbox" not in existing:  # a download's own, stricter policy stays
        response.headers["Content-Security-Policy"] = policy(nonce(), _frame_ancestors(existing))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    if secure:
        response.headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    return response


def _add_api_headers(response: Response, secure: bool) -> Response:
    headers = response.headers
    headers["Content-Security-Policy"] = API_POLICY
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "same-origin"
    if secure:
        headers["Strict-Transport-Security"] = f"max-age={HSTS_SECONDS}"
    return response


def init_app(app: Flask) -> None:
    secure = bool(app.extensions["helpdesk.settings"].secure_cookies)

    def add(response: Response) -> Response:
        if is_token_call():
            return _add_api_headers(response, secure)
        return _add_headers(response, secure)

    app.after_request(add)
    app.add_template_global(nonce, "csp_nonce")
