"""Chinese first, everywhere (issue 12 item 10): every page each role may open on the demo,
read in zh_CN as a person would read it, has no English words outside a short allow-list.

The pages come from the route table (test_role_table.RULES): a page route added there is
scanned here too. The demo runs with the real routing rules, so routing explanations, policy
names and the trace are the ones a hotline would see.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.channels.phone.models import CallRecord
from helpdesk.demo import DEMO_PASSWORD, seed_demo
from helpdesk.extensions import db
from helpdesk.routing.loader import DEFAULT_FOLDER
from helpdesk.sla import escalation
from helpdesk.sla.models import PENDING, SlaStage
from helpdesk.tickets import service
from helpdesk.tickets.models import TicketType
from web.test_role_table import ANONYMOUS, ENTERPRISE, LOGINS, RULES, SENDS_ON, SUPERVISOR

# Words a Chinese reader meets as they are: brands, standards, units, the product's own names.
ALLOWED = {
    "sla", "api", "ivr", "cti", "pbx", "sip", "agi", "twiml", "url", "id", "ok", "csv", "xlsx",
    "pdf", "json", "openapi", "uscc", "email", "e-mail", "wifi", "qq", "wechat", "http", "https",
    "kb", "mb", "gb", "ms", "min", "am", "pm", "utc", "gmt", "cst", "hz", "khz", "wav", "gsm",
    "asterisk", "freeswitch", "twilio", "socket", "io", "redis", "postgresql", "sqlite",
    "english", "vip", "excel", "enter", "esc", "app", "yaml", "ext", "no", "tel", "sms",
    "markdown",
}  # fmt: skip
WORD = re.compile(r"[A-Za-z][A-Za-z_\-]*[A-Za-z]")
SKIP_TAGS = {"script", "style", "template", "noscript", "svg"}
READ_ATTRS = ("title", "placeholder", "alt", "aria-label")
# Text a person types or a code they copy is theirs, not the page's language.
CODE_TAGS = {"code", "kbd", "pre", "samp", "textarea"}


class VisibleText(HTMLParser):
    """The words a reader sees: text outside scripts and styles, titles, placeholders, labels
    of buttons. Elements marked `translate="no"` (a login name, a typed value) are theirs."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}:
            if not self._skip and tag != "meta":
                self.parts += [found[a] or "" for a in READ_ATTRS if found.get(a)]
                if tag == "input" and found.get("type") in ("submit", "button"):
                    self.parts.append(found.get("value") or "")
            return
        skip = tag in SKIP_TAGS or tag in CODE_TAGS or found.get("translate") == "no"
        if self._skip or skip:
            self._skip.append(tag)
            return
        self.parts += [found[a] or "" for a in READ_ATTRS if found.get(a)]

    def handle_endtag(self, tag: str) -> None:
        if self._skip and self._skip[-1] == tag:
            self._skip.pop()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    reader = VisibleText()
    reader.feed(html)
    text = " ".join(reader.parts)
    text = re.sub(r"https?://\S+|\S+@\S+", " ", text)  # addresses are not words
    return {w for w in WORD.findall(text) if w.lower() not in ALLOWED and not _code_like(w)}


# A Chinese word followed by an ASCII colon, comma or full stop: "原因: 重复" for "原因：重复".
ASCII_PUNCTUATION = re.compile(r"[\u4e00-\u9fff）][:,.](?=\s|$)")


def ascii_punctuation(html: str) -> set[str]:
    reader = VisibleText()
    reader.feed(html)
    text = " ".join(reader.parts)
    return {text[max(0, m.start() - 8) : m.end()].strip() for m in ASCII_PUNCTUATION.finditer(text)}


def _code_like(word: str) -> bool:
    """A ticket number, a login, an identifier shown as such (HZ-2026-000123, agent1)."""
    return word.isupper()


def test_the_reader_finds_english_and_spares_code() -> None:
    html = (
        "<p>工单 no match <code>finance/guarantee</code></p><script>var x='hello'</script>"
        '<input type="submit" value="Save"><span translate="no">agent1</span>'
    )
    assert english_words(html) == {"match", "Save"}


@pytest.fixture
def demo_pages(app: Flask, use_rules: Callable[..., Path]) -> dict[str, str]:
    """The demo with the real rules (copied, so the loader forgets them after the test)."""
    folder = use_rules({})
    for path in DEFAULT_FOLDER.glob("*.yaml"):
        shutil.copy(path, folder / path.name)
    with app.app_context():
        seed_demo(db.session, tickets=40)
        db.session.commit()
        numbers = [_escalated_ticket(app), *_routed_tickets()]
        calls = list(db.session.scalars(select(CallRecord.call_id)))
        db.session.remove()
    return {
        "<number>": numbers,
        "<call_id>": calls,
        "<rule_file>": ["10-finance.yaml"],
        "<script_file>": ["hotline.yaml"],
        "<id:number>": ["1"],  # before any publish: the files in force
    }


def _routed_tickets() -> list[str]:
    """Tickets the real rules decide: one they route, a complaint, one no rule matches."""
    session = db.session
    agent = session.scalars(select(User).where(User.login == "agent1")).one()
    numbers = []
    for category, kind in (("finance/guarantee", "request"), ("complaint/service", "complaint"),
                           ("info/lectures", "suggestion")):  # fmt: skip
        ticket = service.create(
            session,
            agent,
            service.NewTicket(
                subject="测试路由", category=category, type=TicketType(kind), district="330102"
            ),
        )
        numbers.append(ticket.number)
    session.commit()
    return numbers


def _escalated_ticket(app: Flask) -> str:
    """A ticket of bank1's organisation whose SLA ran through its ladder: alerts and 督办."""
    session = db.session
    users = {u.login: u for u in session.scalars(select(User))}
    bank, owner = users["bank1"], users["ent1"]
    ticket = service.create(
        session,
        users["agent1"],
        service.NewTicket(
            subject="申请担保贷款",
            category="finance/guarantee",
            district=None,
            enterprise_id=owner.enterprise_id,
            organisation_id=bank.organisation_id,
        ),
    )
    session.commit()
    number = ticket.number
    clock.freeze(clock.now() + timedelta(days=10))  # unfrozen after each test by the conftest
    due = select(SlaStage.id).where(SlaStage.state == PENDING, SlaStage.fire_at <= clock.now())
    for stage_id in session.scalars(due.order_by(SlaStage.fire_at)).all():
        escalation.fire(session, stage_id, wait=False)
    _calls(app)
    return number


def _calls(app: Flask) -> None:
    """Calls through the IVR as the phone simulator makes them: one queued, one that left a
    message, one that went to a menu and hung up."""
    agent = _client(app, "agent")
    headers = {"X-CSRFToken": _token(agent, "/tickets/new")}
    for sid, digits in (("CA-queue", ["0"]), ("CA-finance", ["2", "02"]), ("CA-menu", ["9"])):
        data = {"CallSid": sid, "From": "057187005678", "To": "+8657100000000"}
        agent.post("/ivr/voice/hotline", data=data, headers=headers)
        for digit in digits:
            step = {**data, "Digits": digit, "CallStatus": "in-progress"}
            agent.post("/ivr/voice/hotline", data=step, headers=headers)
    agent.post("/ivr/voice/hotline", data={"CallSid": "CA-menu", "CallStatus": "completed"},
               headers=headers)  # fmt: skip


def _client(app: Flask, role: str) -> FlaskClient:
    client = app.test_client()
    if role != ANONYMOUS:
        path = "/portal/login" if role == ENTERPRISE else "/login"
        form = {
            "login": LOGINS[role],
            "password": DEMO_PASSWORD,
            "csrf_token": _token(client, path),
        }
        reply = client.post(path, data=form)
        assert reply.status_code in (302, 303), role
    client.get("/portal/login?lang=zh_CN")
    return client


def _token(client: FlaskClient, path: str) -> str:
    """The form's CSRF token when the app checks it (the browser test's live server does)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).get_data(True))
    return found.group(1) if found else ""


def _pages(values: dict[str, list[str]]) -> list[tuple[str, frozenset[str]]]:
    pages: list[tuple[str, frozenset[str]]] = []
    for (method, rule), roles in sorted(RULES.items(), key=lambda kv: kv[0][1]):
        if method != "GET" or rule.startswith("/api/") or (method, rule) in SENDS_ON:
            continue
        if any(p in rule for p in ("<key>", "<name>", "<fmt>", "/status")):
            continue  # files and exports, not pages
        urls = [rule]
        for placeholder, choices in values.items():
            if placeholder in rule:
                urls = [u.replace(placeholder, value) for u in urls for value in choices]
        pages += [(url, roles) for url in urls if "<" not in url]
    return pages


def _every_page_as_every_role(
    app: Flask, demo_pages: dict[str, list[str]]
) -> Iterator[tuple[str, str, str]]:
    """(role, url, html) of each HTML page each role (and a visitor) may open."""
    for role in (*LOGINS, ANONYMOUS):
        client = _client(app, role)
        for url, roles in _pages(demo_pages):
            if role not in roles:
                continue
            response = client.get(url)
            if response.status_code == 200 and "html" in (response.mimetype or ""):
                yield role, url, response.get_data(as_text=True)


def test_every_page_reads_in_chinese_for_every_role(
    app: Flask, demo_pages: dict[str, list[str]]
) -> None:
    found: list[str] = []
    for role, url, html in _every_page_as_every_role(app, demo_pages):
        words = english_words(html)
        if words:
            found.append(f"{role} {url}: {sorted(words)}")
    assert found == [], "English on zh_CN pages:\n" + "\n".join(found)


def test_chinese_sentences_end_in_chinese_punctuation(
    app: Flask, demo_pages: dict[str, list[str]]
) -> None:
    """A label or sentence in Chinese takes full-width punctuation (：，。), as a reader expects:
    the ticket history once read "原因: …", the rules page "加载成功于 … ."."""
    found: list[str] = []
    for role, url, html in _every_page_as_every_role(app, demo_pages):
        marks = ascii_punctuation(html)
        if marks:
            found.append(f"{role} {url}: {sorted(marks)}")
    assert found == [], "ASCII punctuation after Chinese:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("role", "url", "status", "back"),
    [
        (ENTERPRISE, "/portal/tickets/HZ-20991231-99999", 404, 'href="/portal/"'),
        (ENTERPRISE, "/console", 403, 'href="/portal/"'),
        (SUPERVISOR, "/admin/people", 403, 'href="/tickets"'),
        (SUPERVISOR, "/no-such-page", 404, 'href="/tickets"'),
        (ANONYMOUS, "/no-such-page", 404, 'href="/portal/"'),
    ],
)
def test_missing_and_refused_pages_read_in_chinese(
    app: Flask, demo_pages: dict[str, list[str]], role: str, url: str, status: int, back: str
) -> None:
    """Werkzeug's "404 Not Found" / "403 Forbidden" once met an enterprise opening a ticket that
    is not theirs, or a supervisor an administrator's page: now a Chinese page with a way back
    to where that person works."""
    response = _client(app, role).get(url)
    html = response.get_data(as_text=True)
    assert response.status_code == status
    assert english_words(html) == set(), html[:400]
    assert ("未找到" if status == 404 else "无权访问") in html and back in html
