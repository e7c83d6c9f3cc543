"""Security headers (issue 16 item 4): a nonce-based Content-Security-Policy on every page, no
inline handlers in any template or script, framing by this site only (the chat keeps its own
allow-list), nosniff, a referrer policy, and HSTS when served over https."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from helpdesk import create_app
from helpdesk.auth.models import User
from helpdesk.config import Settings
from web.helpers import login

ROOT = Path(__file__).resolve().parents[2]
HANDLER = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)([^>]*)>", re.I)


def _directives(response: object) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    pairs = (part.strip().partition(" ") for part in header.split(";"))
    return {name: value for name, _, value in pairs}


def test_no_template_or_script_has_an_inline_handler_or_an_unnonced_script() -> None:
    for path in [*ROOT.glob("templates/**/*.html"), *ROOT.glob("helpdesk/static/**/*.js")]:
        if "vendor" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert not HANDLER.search(text), f"{path}: an inline on…= handler"
        assert "javascript:" not in text, f"{path}: a javascript: URL"
        for attributes in INLINE_SCRIPT.findall(text):
            assert "csp_nonce()" in attributes, f"{path}: an inline <script> without the nonce"


def test_pages_carry_the_policy_and_their_scripts_its_nonce(
    client: FlaskClient, agent: User, make_ticket
) -> None:
    ticket = make_ticket(agent)
    login(client, agent)
    for url in ("/login", f"/tickets/{ticket.number}", "/phone/simulator", "/portal/"):
        response = client.get(url)
        csp = _directives(response)
        nonce = re.search(r"'nonce-([^']+)'", csp["script-src"]).group(1)  # type: ignore[union-attr]
        assert csp["frame-ancestors"] == "'self'" and csp["object-src"] == "'none'"
        assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert "Strict-Transport-Security" not in response.headers
        html = response.get_data(as_text=True)
        for attributes in INLINE_SCRIPT.findall(html):
            assert f'nonce="{nonce}"' in attributes, url
    trace = client.get(f"/tickets/{ticket.number}/trace")
    nonce = re.search(r"'nonce-([^']+)'", _directives(trace)["style-src"]).group(1)  # type: ignore[union-attr]
    assert f'<style nonce="{nonce}">' in trace.get_data(as_text=True)
    # A fresh nonce for every response.
    assert _directives(client.get("/login"))["script-src"] != _directives(trace)["script-src"]


def test_the_chat_keeps_its_embedding_sites(client: FlaskClient) -> None:
    page = _directives(client.get("/chat/?embed=1"))
    assert page["frame-ancestors"].startswith("'self'")  # and HELPDESK_CHAT_ORIGINS
    assert page["script-src"].startswith("'self' 'nonce-")


def test_hsts_only_when_secure(app: Flask, settings: Settings) -> None:
    secure = create_app(settings.with_(secure_cookies=True))
    response = secure.test_client().get("/login")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Strict-Transport-Security" not in app.test_client().get("/login").headers
