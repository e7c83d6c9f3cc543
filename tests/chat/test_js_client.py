"""The official JavaScript client (socket.io-client from npm, run by node) joins a chat."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.tickets.models import Channel, Ticket

from .conftest import logged_in

JS = Path(__file__).resolve().parent / "js"


def _install() -> None:
    """`npm install` on first use (CI runs on a fresh clone); node_modules is not committed."""
    if (JS / "node_modules" / "socket.io-client").is_dir():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("npm is missing: install node 20 and npm to run the JavaScript client test")
    subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--silent"], cwd=JS, check=True, timeout=300
    )


def test_the_official_js_client_joins_a_chat(
    chat_server: str, agent: User, session: Session
) -> None:
    import socketio

    node = shutil.which("node")
    if node is None:
        pytest.fail("node is missing: install node 20 to run the JavaScript client test")
    _install()
    desk = socketio.Client(http_session=logged_in(chat_server, agent.login))
    desk.connect(chat_server, namespaces=["/chat"], transports=["websocket"], wait_timeout=10)
    try:
        run = subprocess.run(
            [node, "visitor.js", chat_server], cwd=JS, capture_output=True, text=True, timeout=60
        )
    finally:
        desk.disconnect()
    assert run.returncode == 0, run.stdout + run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["hello"]["open"] is True
    assert result["started"]["ok"] and result["started"]["status"] == "queued"
    assert result["sent"]["ok"] and result["again"]["duplicate"]
    assert result["sent"]["seq"] == result["again"]["seq"]
    bodies = [m["body"] for m in result["seen"]]
    assert bodies.count("来自 JS 客户端") == 1
    ticket = session.scalars(
        select(Ticket).where(Ticket.number == result["started"]["ticket"])
    ).one()
    assert ticket.channel is Channel.CHAT and ticket.description == "开网店需要什么？"
