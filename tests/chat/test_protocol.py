"""The /chat protocol against a real server, with the python-socketio client."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import socketio
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.channels.chat.models import Conversation, ConversationStatus, Message
from helpdesk.directory.models import Organisation
from helpdesk.portal.models import Attachment, TicketRating
from helpdesk.tickets.models import Channel, Comment, Status, Ticket, TicketEvent

from .conftest import logged_in

NS = "/chat"
VISITOR = {"name": "王先生", "phone": "13957112345", "category": "finance/guarantee"}


class Peer:
    """One socket and everything the server sent it."""

    def __init__(
        self,
        base: str,
        http: requests.Session | None = None,
        transport: str = "websocket",
        **headers: str,
    ) -> None:
        self.events: list[tuple[str, Any]] = []
        self.client = socketio.Client(http_session=http, reconnection=False)
        self.client.on("*", lambda event, data: self.events.append((event, data)), namespace=NS)
        # 10 s, as the other socket tests: the default 1 s failed a connect on a loaded machine
        self.client.connect(
            base, namespaces=[NS], transports=[transport], headers=headers, wait_timeout=10
        )

    def call(self, event: str, data: dict[str, Any] | None = None) -> dict[str, Any]:
        return self.client.call(event, data or {}, namespace=NS, timeout=10)

    def seen(self, event: str) -> list[Any]:
        return [data for name, data in self.events if name == event]

    def wait_for(self, event: str, count: int = 1, timeout: float = 5) -> list[Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.seen(event)) >= count:
                return self.seen(event)
            time.sleep(0.02)
        raise AssertionError(f"no {count}× {event}: {self.events}")

    def queued(self, count: int = 1, timeout: float = 5) -> list[dict[str, Any]]:
        """The latest waiting list once it holds `count` chats (updates are coalesced)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            lists = self.seen("queue_list")
            if lists and len(lists[-1]) >= count:
                return lists[-1]
            time.sleep(0.02)
        raise AssertionError(f"no queue of {count}: {self.events}")

    def close(self) -> None:
        self.client.disconnect()


@pytest.fixture
def peers(chat_server: str) -> Iterator[Callable[..., Peer]]:
    made: list[Peer] = []

    def make(http: requests.Session | None = None, **headers: str) -> Peer:
        peer = Peer(chat_server, http, **headers)
        made.append(peer)
        return peer

    yield make
    for peer in made:
        peer.close()


def _chat(peers: Callable[..., Peer], chat_server: str, agent: User) -> tuple[Peer, Peer, dict]:
    desk = peers(logged_in(chat_server, agent.login))
    desk.wait_for("hello")
    visitor = peers()
    started = visitor.call("start", {**VISITOR, "question": "想申请担保贷款"})
    assert started["ok"], started
    queue = desk.queued()
    accepted = desk.call("accept", {"conversation_id": queue[0]["conversation_id"]})
    assert accepted["ok"], accepted
    return visitor, desk, {**started, **accepted}


def test_a_chat_from_start_to_rating(
    peers: Callable[..., Peer], chat_server: str, agent: User, session: Session
) -> None:
    desk = peers(logged_in(chat_server, agent.login))
    assert desk.wait_for("hello")[0]["role"] == "agent"
    visitor = peers()
    hello = visitor.wait_for("hello")[0]
    assert hello == {"role": "visitor", "open": True, "reason": None, "known": None}

    started = visitor.call("start", {**VISITOR, "question": "想申请担保贷款"})
    assert started["ok"] and started["status"] == "queued" and started["position"] == 1
    assert started["wait_minutes"] >= 1 and len(started["token"]) >= 40
    waiting = desk.queued()
    assert [w["ticket"] for w in waiting] == [started["ticket"]]

    accepted = desk.call("accept", {"conversation_id": waiting[0]["conversation_id"]})
    assert accepted["ok"] and accepted["status"] == "active"
    state = visitor.wait_for("state")[-1]
    assert state["status"] == "active" and state["agent"] == "李娜"

    desk.call("typing", {"conversation_id": accepted["conversation_id"]})
    assert visitor.wait_for("typing")[0]["sender"] == "agent"
    reply = desk.call(
        "message",
        {"conversation_id": accepted["conversation_id"], "body": "您好", "client_id": "a1"},
    )
    assert reply == {"ok": True, "seq": 3, "duplicate": False}
    got = visitor.wait_for("msg", 2)
    assert got[-1]["body"] == "您好" and got[-1]["author"] == "李娜" and got[-1]["seq"] == 3

    assert visitor.call("read", {"seq": 3})["ok"]
    assert desk.wait_for("read")[-1] == {
        "c": accepted["conversation_id"],
        "side": "visitor",
        "seq": 3,
    }
    sent = visitor.call("message", {"body": "需要准备哪些材料？", "client_id": "v1"})
    assert sent["ok"] and sent["seq"] == 4

    assert visitor.call("end")["ok"]
    assert visitor.wait_for("state")[-1]["status"] == "ended"
    assert visitor.call("message", {"body": "还在吗", "client_id": "v2"})["error"] == "conflict"
    assert visitor.call("rate", {"score": 5, "comment": "很专业"})["ok"]
    assert not visitor.call("rate", {"score": 4})["ok"]  # once

    session.expire_all()
    ticket = session.scalars(select(Ticket).where(Ticket.number == started["ticket"])).one()
    assert ticket.channel is Channel.CHAT and ticket.status is Status.ACCEPTED
    assert ticket.assignee_id == agent.id
    transcript = session.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).one()
    assert "想申请担保贷款" in transcript.body and "您好" in transcript.body
    assert "需要准备哪些材料？" in transcript.body and not transcript.internal
    rating = session.scalars(select(TicketRating).where(TicketRating.ticket_id == ticket.id)).one()
    assert (rating.score, rating.comment, rating.channel) == (5, "很专业", "chat")
    kinds = session.scalars(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket.id))
    assert "rated" in list(kinds)


def test_reconnect_loses_nothing_and_repeats_nothing(
    peers: Callable[..., Peer], chat_server: str, agent: User, session: Session
) -> None:
    visitor, desk, chat = _chat(peers, chat_server, agent)
    cid = chat["conversation_id"]
    for n in range(3):
        desk.call("message", {"conversation_id": cid, "body": f"m{n}", "client_id": f"a{n}"})
    seen = max(m["seq"] for m in visitor.wait_for("msg", 4))
    visitor.close()  # the connection drops; the agent keeps writing
    for n in range(3, 6):
        desk.call("message", {"conversation_id": cid, "body": f"m{n}", "client_id": f"a{n}"})

    again = peers()
    resumed = again.call("resume", {"token": chat["token"], "after": seen})
    assert resumed["ok"]
    assert [m["body"] for m in resumed["messages"]] == ["m3", "m4", "m5"]
    # A message sent before the drop and sent again with the same client id is stored once.
    first = again.call("message", {"body": "我的问题", "client_id": "same"})
    second = again.call("message", {"body": "我的问题", "client_id": "same"})
    assert first["seq"] == second["seq"] and second["duplicate"]
    session.expire_all()
    rows = session.scalars(select(Message).where(Message.conversation_id == cid)).all()
    assert [m.seq for m in rows] == list(range(1, len(rows) + 1))
    assert sum(1 for m in rows if m.body == "我的问题") == 1


def test_a_visitor_never_reaches_another_conversation(
    peers: Callable[..., Peer], chat_server: str, agent: User
) -> None:
    first, desk, chat = _chat(peers, chat_server, agent)
    other = peers()
    assert other.call("start", {**VISITOR, "phone": "13957112346"})["ok"]
    # Nobody can post into, read or resume a conversation without its key.
    assert other.call("resume", {"token": "x" * 43})["error"] == "not_found"
    assert other.call("resume", {"token": 12})["error"] == "not_found"
    stranger = peers()
    assert stranger.call("message", {"body": "hi"})["error"] == "not_found"
    # Visitors are not agents: the agent events refuse them, naming nothing.
    for event in ("accept", "open", "transfer"):
        answer = stranger.call(event, {"conversation_id": chat["conversation_id"]})
        assert answer["error"] == "not_found", event
    desk.call(
        "message", {"conversation_id": chat["conversation_id"], "body": "私密", "client_id": "p"}
    )
    first.wait_for("msg", 2)
    time.sleep(0.2)
    assert all(m.get("body") != "私密" for m in other.seen("msg") + stranger.seen("msg"))


def test_bad_input_is_refused_with_a_reason(
    peers: Callable[..., Peer], chat_server: str, agent: User
) -> None:
    visitor = _chat(peers, chat_server, agent)[0]
    too_long = visitor.call("message", {"body": "长" * 2001, "client_id": "x"})
    assert too_long["error"] == "invalid" and "at most 2000" in too_long["message"]
    assert visitor.call("message", {"body": "   "})["error"] == "invalid"
    assert visitor.call("message", {"body": "x", "client_id": "y" * 41})["field"] == "client_id"
    assert visitor.call("read", {"seq": "many"})["error"] == "invalid"
    fresh = peers()
    assert fresh.call("start", {**VISITOR, "phone": "123"})["field"] == "phone"
    assert fresh.call("start", {**VISITOR, "category": "finance"})["field"] == "category"
    assert fresh.call("start", {**VISITOR, "name": ""})["field"] == "name"
    assert fresh.call("start", "not a dict")["error"] == "invalid"  # type: ignore[arg-type]


def test_floods_are_cut_per_session_and_per_ip(
    peers: Callable[..., Peer], chat_server: str, agent: User, app: Any
) -> None:
    from dataclasses import replace

    from helpdesk.channels.chat.config import KEY

    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, messages_per_minute=5, starts_per_minute=2)
    try:
        visitor = _chat(peers, chat_server, agent)[0]
        answers = [
            visitor.call("message", {"body": f"{n}", "client_id": f"f{n}"}) for n in range(8)
        ]
        assert [a["ok"] for a in answers].count(True) == 5
        assert answers[-1]["error"] == "rate_limited" and "wait a minute" in answers[-1]["message"]
        another = peers()
        assert another.call("start", {**VISITOR, "phone": "13957112398"})["ok"]
        assert another.call("start", VISITOR)["error"] == "rate_limited"  # 2 starts per IP
    finally:
        app.extensions[KEY] = original


def test_origin_must_be_listed(peers: Callable[..., Peer], chat_server: str) -> None:
    # Long-polling, so the header sent is exactly ours (the websocket client adds its own).
    with pytest.raises(socketio.exceptions.ConnectionError):
        peers(transport="polling", Origin="https://evil.example")
    with pytest.raises(socketio.exceptions.ConnectionError):
        peers(transport="polling", Origin="null")
    assert peers(transport="polling", Origin=chat_server).wait_for("hello")


def test_an_embedding_site_may_open_the_chat_and_nothing_else(
    chat_server: str, agent: User, app: Any
) -> None:
    """Origins registered for /chat through realtime's public hook pass Engine.IO's check for
    /chat only: the staff namespace refuses them, even with a staff login cookie."""
    from dataclasses import replace

    from helpdesk.channels.chat.config import KEY
    from helpdesk.realtime.origins import allow_origins, origins_of

    shop = "https://shop.example.cn"
    original, listed = app.extensions[KEY], dict(origins_of(app).extra)
    app.extensions[KEY] = replace(original, origins=(shop,))
    allow_origins(app, NS, (shop,))
    try:
        visitor = Peer(chat_server, transport="polling", Origin=shop)
        assert visitor.wait_for("hello")[0]["role"] == "visitor"
        visitor.close()
        staff = socketio.Client(http_session=logged_in(chat_server, agent.login))
        with pytest.raises(socketio.exceptions.ConnectionError):
            staff.connect(
                chat_server, namespaces=["/desk"], transports=["polling"], headers={"Origin": shop}
            )
        with pytest.raises(socketio.exceptions.ConnectionError):
            Peer(chat_server, transport="polling", Origin="https://other.example.cn")
        own = socketio.Client(http_session=logged_in(chat_server, agent.login))
        own.connect(chat_server, namespaces=["/desk"], transports=["polling"], wait_timeout=10)
        assert own.connected  # the same login from the app's own page is served
        own.disconnect()
    finally:
        app.extensions[KEY] = original
        origins_of(app).extra = listed


def test_connections_per_ip_are_limited(chat_server: str, app: Any) -> None:
    from dataclasses import replace

    from helpdesk.channels.chat.config import KEY

    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, connections_per_minute=3)
    made = []
    try:
        for _ in range(3):
            made.append(Peer(chat_server))
        with pytest.raises(socketio.exceptions.ConnectionError):
            made.append(Peer(chat_server))
    finally:
        app.extensions[KEY] = original
        for peer in made:
            peer.close()


def test_outside_hours_a_message_becomes_a_ticket(
    peers: Callable[..., Peer], chat_server: str, agent: User, session: Session
) -> None:
    from datetime import datetime

    peers(logged_in(chat_server, agent.login)).wait_for("hello")
    clock.freeze(datetime(2026, 11, 28, 22, 0, tzinfo=clock.HANGZHOU))  # Saturday night
    visitor = peers()
    assert visitor.wait_for("hello")[0]["reason"] == "closed"
    assert visitor.call("start", VISITOR)["field"] == "closed"
    left = visitor.call("leave_message", {**VISITOR, "question": "请回电：展会报名"})
    assert left["ok"]
    ticket = session.scalars(select(Ticket).where(Ticket.number == left["ticket"])).one()
    assert ticket.channel is Channel.CHAT and ticket.description == "请回电：展会报名"


def test_nobody_on_line_offers_to_leave_a_message(peers: Callable[..., Peer]) -> None:
    assert peers().wait_for("hello")[0] == {
        "role": "visitor",
        "open": False,
        "reason": "nobody",
        "known": None,
    }


def test_agent_limit_transfer_and_group(
    peers: Callable[..., Peer],
    chat_server: str,
    agent: User,
    make_user: Callable[..., User],
    centre: Organisation,
    app: Any,
    session: Session,
) -> None:
    from dataclasses import replace

    from helpdesk.channels.chat.config import KEY

    colleague = make_user(Role.AGENT, centre, name="张伟", login="zhangwei")
    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, max_chats=1)
    try:
        visitor, desk, chat = _chat(peers, chat_server, agent)
        second = peers()
        assert second.call("start", {**VISITOR, "phone": "13957112399"})["ok"]
        queued = desk.queued()
        refused = desk.call("accept", {"conversation_id": queued[0]["conversation_id"]})
        assert refused["error"] == "conflict" and "1 chats open" in refused["message"]

        other = peers(logged_in(chat_server, colleague.login))
        other.wait_for("hello")
        moved = desk.call(
            "transfer",
            {
                "conversation_id": chat["conversation_id"],
                "to_agent_id": colleague.id,
                "note": "融资专员",
            },
        )
        assert moved["ok"], moved
        assert visitor.wait_for("state", 2)[-1]["status"] == "queued"
        # Offered to the colleague: the first agent cannot take it back from the queue.
        assert desk.call("accept", {"conversation_id": chat["conversation_id"]})["error"] in (
            "forbidden",
            "conflict",
        )
        taken = other.call("accept", {"conversation_id": chat["conversation_id"]})
        assert taken["ok"] and taken["note"] == "融资专员"
        assert other.call("open", {"conversation_id": chat["conversation_id"], "after": 0})["ok"]
        assert (
            desk.call("message", {"conversation_id": chat["conversation_id"], "body": "x"})["error"]
            == "forbidden"
        )
    finally:
        app.extensions[KEY] = original
    session.expire_all()
    conversation = session.get(Conversation, chat["conversation_id"])
    assert (
        conversation.agent_id == colleague.id and conversation.status is ConversationStatus.ACTIVE
    )
    assert conversation.ticket.assignee_id == colleague.id


def test_a_logged_in_enterprise_skips_the_form(
    peers: Callable[..., Peer],
    chat_server: str,
    agent: User,
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Any],
    session: Session,
) -> None:
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, login="owner", name="陈总")
    peers(logged_in(chat_server, agent.login)).wait_for("hello")
    visitor = peers(logged_in(chat_server, owner.login))
    hello = visitor.wait_for("hello")[0]
    assert hello["known"] == {"name": "陈总", "enterprise": "杭州湖滨商贸有限公司"}
    started = visitor.call("start", {"category": "market/exhibition", "question": "展会"})
    assert started["ok"], started
    ticket = session.scalars(select(Ticket).where(Ticket.number == started["ticket"])).one()
    assert ticket.enterprise_id == enterprise.id and ticket.district_code == "330102"
    # Its key alone does not open it for an anonymous browser.
    assert peers().call("resume", {"token": started["token"]})["error"] == "not_found"


def test_a_chat_file_is_sent_only_by_the_chats_own_visitor(
    peers: Callable[..., Peer],
    chat_server: str,
    agent: User,
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Any],
) -> None:
    """Probe (issue 16): the upload took any holder of a chat's key, so the key of a chat
    started by a logged-in enterprise user, copied elsewhere, still put files into it."""
    enterprise = make_enterprise(name="杭州湖滨商贸有限公司", district="330102")
    owner = make_user(Role.ENTERPRISE, enterprise_id=enterprise.id, login="owner", name="陈总")
    other_enterprise = make_enterprise(name="杭州西溪贸易有限公司", district="330106")
    stranger = make_user(Role.ENTERPRISE, enterprise_id=other_enterprise.id, login="stranger")
    peers(logged_in(chat_server, agent.login)).wait_for("hello")
    owner_http = logged_in(chat_server, owner.login)
    started = peers(owner_http).call("start", {"category": "market/exhibition", "question": "展会"})
    assert started["ok"], started
    headers = {"X-Chat-Upload": "1", "X-Chat-Token": started["token"]}
    url = f"{chat_server}/chat/files"
    anonymous = requests.post(url, files={"file": ("a.txt", b"1")}, headers=headers)
    assert anonymous.status_code == 404 and anonymous.json()["field"] == "token"
    foreign = logged_in(chat_server, stranger.login).post(
        url, files={"file": ("a.txt", b"1")}, headers=headers
    )
    assert foreign.status_code == 404
    unknown = requests.post(
        url, files={"file": ("a.txt", b"1")}, headers={**headers, "X-Chat-Token": "y" * 43}
    )
    assert unknown.json() == anonymous.json()  # a copied key reads like an unknown one
    own = owner_http.post(url, files={"file": ("a.txt", b"1")}, headers=headers)
    assert own.status_code == 200, own.text


def test_files_go_to_the_conversation_and_come_back_as_downloads(
    peers: Callable[..., Peer], chat_server: str, agent: User, session: Session
) -> None:
    visitor, desk, chat = _chat(peers, chat_server, agent)
    html = b"<html><script>alert(1)</script></html>"
    headers = {"X-Chat-Upload": "1", "X-Chat-Token": chat["token"]}
    upload = requests.post(
        f"{chat_server}/chat/files",
        files={"file": ("a<b>.html", html, "text/html")},
        headers=headers,
    )
    assert upload.status_code == 200, upload.text
    key = upload.json()["key"]
    sent = visitor.call("message", {"body": "", "attachment": key, "client_id": "f"})
    assert sent["ok"]
    got = desk.wait_for("msg", 2)[-1]
    assert got["attachment"]["name"] == "a<b>.html"
    download = requests.get(f"{chat_server}{got['attachment']['url']}")
    assert download.content == html
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment")
    big = requests.post(
        f"{chat_server}/chat/files", files={"file": ("big.bin", b"0" * (1024 * 1024 + 1))},
        headers=headers,
    )  # fmt: skip
    assert big.status_code == 422 and "larger than" in big.json()["message"]
    assert (
        requests.post(f"{chat_server}/chat/files", files={"file": ("a", b"1")}).status_code == 400
    )
    wrong = {"X-Chat-Upload": "1", "X-Chat-Token": "y" * 43}
    missing = requests.post(f"{chat_server}/chat/files", files={"file": ("a", b"1")}, headers=wrong)
    assert missing.status_code == 404
    other = peers()
    other.call("start", {**VISITOR, "phone": "13957112355"})
    assert other.call("message", {"attachment": key, "client_id": "z"})["error"] == "not_found"
    # Kept on the ticket with the transcript: listed under it by name, not as a "[File …]" code.
    assert visitor.call("end")["ok"]
    session.expire_all()
    transcript = session.scalars(select(Comment).where(Comment.body.contains("在线咨询记录"))).one()
    assert "（附件：a<b>.html）" in transcript.body and "[附件" not in transcript.body
    file = session.scalars(select(Attachment).where(Attachment.key == key)).one()
    assert file.comment_id == transcript.id


def test_a_supervisor_sends_a_waiting_chat_to_an_agent_from_the_wallboard(
    peers: Callable[..., Peer],
    chat_server: str,
    agent: User,
    make_user: Callable[..., User],
    centre: Organisation,
    session: Session,
) -> None:
    from realtime.live import csrf_of

    colleague = make_user(Role.AGENT, centre, name="张伟", login="zhangwei")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏", login="wangmin")
    desk = peers(logged_in(chat_server, agent.login))
    other = peers(logged_in(chat_server, colleague.login))
    other.wait_for("hello")
    visitor = peers()
    assert visitor.call("start", VISITOR)["ok"]
    conversation_id = desk.queued()[0]["conversation_id"]

    wallboard = logged_in(chat_server, supervisor.login)
    headers = {"X-CSRFToken": csrf_of(wallboard, chat_server)}
    url = f"{chat_server}/api/v1/wallboard/chats/{conversation_id}/reassign"
    body = {"agent_id": colleague.id, "note": "融资专员接待"}
    reply = wallboard.post(url, json=body, headers=headers, timeout=10)
    assert reply.status_code == 200, reply.text
    assert reply.json() == {"conversation_id": conversation_id, "agent_id": colleague.id}

    def offered() -> list[dict[str, Any]]:
        lists = other.seen("queue_list")
        return [c for c in (lists[-1] if lists else []) if c["offered_to"] == colleague.id]

    deadline = time.monotonic() + 5
    while not offered() and time.monotonic() < deadline:
        time.sleep(0.02)
    assert offered(), other.events
    assert offered()[0]["note"] == "融资专员接待"
    refused = desk.call("accept", {"conversation_id": conversation_id})
    assert refused["error"] == "forbidden"  # offered to the colleague now
    assert other.call("accept", {"conversation_id": conversation_id})["ok"]

    # Once answered, it is the answering agent's to transfer; an agent may not reassign.
    again = wallboard.post(url, json={**body, "agent_id": agent.id}, headers=headers, timeout=10)
    assert again.status_code == 409 and again.json()["error"]["field"] == "conversation_id"
    as_agent = logged_in(chat_server, agent.login)
    own_csrf = {"X-CSRFToken": csrf_of(as_agent, chat_server)}
    denied = as_agent.post(url, json={**body, "agent_id": agent.id}, headers=own_csrf)
    assert denied.status_code == 403
    missing = wallboard.post(
        f"{chat_server}/api/v1/wallboard/chats/999999/reassign",
        json={**body, "agent_id": agent.id},
        headers=headers,
    )
    assert missing.status_code == 404
    session.expire_all()
    conversation = session.get(Conversation, conversation_id)
    assert conversation.agent_id == colleague.id
    assert conversation.ticket.assignee_id == colleague.id
