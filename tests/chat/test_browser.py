"""End to end in Debian's Chromium: a visitor on a shop's site opens the widget, an agent in a
second browser context accepts and replies, the connection drops and comes back (nothing lost,
nothing twice), the transcript lands on the ticket, the visitor rates it; an XSS corpus typed
into every field runs nothing anywhere. Fails (never skips) without Chromium."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from chromium import DESKTOP, PHONE, launched
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session
from system_packages import BROWSER, require

from helpdesk.auth.models import Role, User
from helpdesk.channels.chat.config import KEY
from helpdesk.portal.models import TicketRating
from helpdesk.tickets.models import Comment, Ticket

from .conftest import PASSWORD

XSS = [
    '<img src=x onerror="window.__xss=1">',
    "<script>window.__xss=2</script>",
    '"><svg onload="window.__xss=3">',
    "javascript:window.__xss=4",
    '{{7*7}}<iframe srcdoc="<script>parent.__xss=5</script>">',
]


@pytest.fixture
def shop(app: Flask, chat_server: str) -> Iterator[str]:
    """Another site (its own port: another origin) whose page embeds the widget; a real local
    server, so Chromium's local-network rules let it load the helpdesk's script."""
    script = f'<script src="{chat_server}/static/chat/embed.js"'
    pages = {  # the Chinese shop, and its English page asking for an English widget
        "/shop.html": f"<h1>杭州商铺</h1>{script}></script>",
        "/en/shop.html": f'<h1>Hangzhou shop</h1>{script} data-lang="en"></script>',
    }
    head = '<!doctype html><meta charset="utf-8"><title>Shop</title>'

    class Shop(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write((head + pages.get(self.path, pages["/shop.html"])).encode())

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Shop)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_port}"
    original = app.extensions[KEY]
    app.extensions[KEY] = replace(original, origins=(origin,))
    try:
        yield origin
    finally:
        app.extensions[KEY] = original
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _no_script_ran(page: Any) -> None:
    for frame in page.frames:
        assert frame.evaluate("() => window.__xss === undefined"), frame.url


@pytest.mark.browser
def test_widget_chat_with_reconnect_transcript_rating_and_xss(
    chat_server: str, shop: str, agent: User, session: Session
) -> None:
    require(BROWSER)
    from playwright.sync_api import expect

    dialogs: list[str] = []
    with launched() as browser:
        staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        desk = staff.new_page()
        desk.set_default_timeout(15_000)
        desk.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        desk.goto(f"{chat_server}/login")
        desk.fill("#login", agent.login)
        desk.fill("#password", PASSWORD)
        desk.click("button[type=submit]")
        desk.goto(f"{chat_server}/chat/agent")
        expect(desk.locator("#agent-status")).to_have_text("在线")

        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        site = shop
        shop = phone.new_page()
        shop.set_default_timeout(15_000)
        shop.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        shop.goto(f"{site}/shop.html")
        shop.click("#hd-chat-button")
        chat = shop.frame_locator("#hd-chat-frame")
        expect(chat.locator("#start")).to_be_visible()
        chat.locator("input[name=name]").fill(XSS[0])
        chat.locator("input[name=phone]").fill("13957112345")
        chat.locator("select[name=category]").select_option("finance/guarantee")
        chat.locator("textarea[name=question]").fill(XSS[1])
        chat.locator("#start").click()
        expect(chat.locator("#chat-status")).to_contain_text("排第 1 位")
        expect(chat.locator("#log .msg.from-visitor")).to_have_count(1)

        row = desk.locator("#queue li").first
        expect(row).to_contain_text(XSS[0])
        row.locator("button.accept").click()
        panel = desk.locator(".panel").first
        expect(panel.locator(".msg.from-visitor")).to_contain_text(XSS[1])
        panel.locator("select.canned").select_option(index=1)
        panel.locator("button[type=submit]").first.click()
        expect(chat.locator("#chat-status")).to_contain_text("李娜 正在为您服务")
        expect(chat.locator("#log .msg.from-agent")).to_have_count(1)

        for payload in XSS[2:]:
            chat.locator("#body").fill(payload)
            chat.locator("#send").click()
        expect(panel.locator(".msg.from-visitor")).to_have_count(4)
        expect(chat.locator("#log .msg.from-visitor .mark").last).to_have_text("✓✓")

        # The connection drops; the agent writes meanwhile; the widget comes back.
        frame = shop.frame(url=lambda url: "/chat/" in url)
        assert frame is not None
        frame.evaluate("() => window.hdChatSocket.io.engine.close()")
        for n in range(3):
            panel.locator("textarea.reply").fill(f"断线期间 {n}")
            panel.locator("button[type=submit]").first.click()
        shop.wait_for_timeout(4000)
        expect(chat.locator("#log .msg.from-agent")).to_have_count(4)
        chat.locator("#body").fill("回来了")
        chat.locator("#send").click()
        expect(panel.locator(".msg.from-visitor")).to_have_count(5)
        bodies = chat.locator("#log .msg .body").all_inner_texts()
        assert len(bodies) == len(set(bodies)) or bodies.count("回来了") == 1
        for n in range(3):
            assert bodies.count(f"断线期间 {n}") == 1
        seqs = frame.evaluate(
            "() => Array.from(document.querySelectorAll('#log .msg[data-seq]'))"
            ".map(li => Number(li.dataset.seq))"
        )
        assert seqs == sorted(seqs) and len(seqs) == len(set(seqs))
        assert seqs == list(range(1, len(seqs) + 1))  # nothing missing in between

        expect(panel.locator("button.end-file")).to_have_text("转为工单")
        desk.screenshot(path="/tmp/shots-phone/chat-panel-1366.png", full_page=True)
        panel.locator("button.end").click()
        expect(chat.locator("#rate-form")).to_be_visible()
        chat.locator("input[name=score][value='4']").check()
        chat.locator("textarea[name=comment]").fill(XSS[3])
        chat.locator("#rate").click()
        expect(chat.locator("#rated")).to_be_visible()
        shop.screenshot(path="/tmp/shot-chat-phone.png", full_page=True)

        number = panel.locator("a.ticket").inner_text().split()[-1]
        desk.goto(f"{chat_server}/tickets/{number}")
        expect(desk.locator("ol.timeline")).to_contain_text("断线期间 2")
        expect(desk.locator("ol.timeline")).to_contain_text(XSS[1])
        desk.screenshot(path="/tmp/shot-chat-ticket.png", full_page=True)
        for page in (desk, shop):
            _no_script_ran(page)
    assert dialogs == []
    session.expire_all()
    ticket = session.scalars(select(Ticket).where(Ticket.number == number)).one()
    transcript = session.scalars(select(Comment).where(Comment.ticket_id == ticket.id)).one()
    assert transcript.body.count("断线期间 0") == 1 and "回来了" in transcript.body
    rating = session.scalars(select(TicketRating).where(TicketRating.ticket_id == ticket.id)).one()
    assert rating.score == 4 and rating.comment == XSS[3]


@pytest.mark.browser
def test_an_agent_the_admin_just_created_answers_a_chat(
    chat_server: str, shop: str, make_user: Any, centre: Any, session: Session
) -> None:
    """Issue 13's first browser walk: the administrator adds an agent in 人员管理, the agent
    signs in, sets their own password and answers a visitor's chat."""
    require(BROWSER)
    from playwright.sync_api import expect

    admin = make_user(Role.ADMIN, centre, login="admin", name="系统管理员")
    with launched() as browser:
        office = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        page = office.new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{chat_server}/login")
        page.fill("#login", admin.login)
        page.fill("#password", PASSWORD)
        page.click("button[type=submit]")
        page.goto(f"{chat_server}/admin/people/new")
        page.fill("#login", "agent8")
        page.fill("#name", "吴婷")
        page.select_option("#role", "agent")
        page.select_option("#organisation", "centre")
        page.fill("#extension", "8008")
        page.select_option("#skills", ["finance"])
        page.fill("#password", "first-pass-8")
        page.click("button:has-text('创建')")
        expect(page.locator(".flash-success")).to_contain_text("已创建 吴婷（agent8）")

        staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        desk = staff.new_page()
        desk.set_default_timeout(15_000)
        desk.goto(f"{chat_server}/login")
        desk.fill("#login", "agent8")
        desk.fill("#password", "first-pass-8")
        desk.click("button[type=submit]")
        desk.fill("#current", "first-pass-8")  # told to choose their own password first
        desk.fill("#password", "agent8-own-pass")
        desk.fill("#confirm", "agent8-own-pass")
        desk.click("button:has-text('修改密码')")
        expect(desk.locator(".flash-success")).to_contain_text("密码已修改")
        desk.goto(f"{chat_server}/chat/agent")
        expect(desk.locator("#agent-status")).to_have_text("在线")

        phone = browser.new_context(viewport=PHONE, locale="zh-CN")
        visitor = phone.new_page()
        visitor.set_default_timeout(15_000)
        visitor.goto(f"{shop}/shop.html")
        visitor.click("#hd-chat-button")
        chat = visitor.frame_locator("#hd-chat-frame")
        chat.locator("input[name=name]").fill("周老板")
        chat.locator("input[name=phone]").fill("13957112345")
        chat.locator("select[name=category]").select_option("finance/guarantee")
        chat.locator("textarea[name=question]").fill("小微企业贷款担保怎么申请？")
        chat.locator("#start").click()

        row = desk.locator("#queue li").first
        expect(row).to_contain_text("周老板")
        expect(row).not_to_contain_text("finance/guarantee")  # the service by its name
        desk.screenshot(path="/tmp/shot-chat-new-agent-queue.png", full_page=True)
        row.locator("button.accept").click()
        panel = desk.locator(".panel").first
        expect(panel.locator(".msg.from-visitor")).to_contain_text("贷款担保")
        panel.locator("textarea.reply").fill("您好，我是吴婷，请提供企业名称。")
        panel.locator("button[type=submit]").first.click()
        expect(chat.locator("#chat-status")).to_contain_text("吴婷 正在为您服务")
        expect(chat.locator("#log .msg.from-agent")).to_contain_text("请提供企业名称")
    session.expire_all()
    person = session.scalars(select(User).where(User.login == "agent8")).one()
    assert person.role is Role.AGENT and not person.must_change_password


@pytest.mark.browser
def test_a_visitors_prechat_refusals_are_in_chinese(chat_server: str, agent: User) -> None:
    """A visitor on a phone who leaves the name out, then types letters for a phone number,
    reads why in Chinese; the service's English ("name is required", "'abc' has letters")
    stays in the ack's `message` for integrations."""
    from playwright.sync_api import expect

    with launched() as browser:
        staff = browser.new_context(viewport=DESKTOP, locale="zh-CN")
        desk = staff.new_page()
        desk.set_default_timeout(15_000)
        desk.goto(f"{chat_server}/login")
        desk.fill("#login", agent.login)
        desk.fill("#password", PASSWORD)
        desk.click("button[type=submit]")
        desk.goto(f"{chat_server}/chat/agent")
        expect(desk.locator("#agent-status")).to_have_text("在线")

        visitor = browser.new_context(viewport=PHONE, locale="zh-CN").new_page()
        visitor.set_default_timeout(15_000)
        visitor.goto(f"{chat_server}/chat/")
        expect(visitor.locator("#start")).to_be_visible()
        visitor.locator("select[name=category]").select_option("finance/guarantee")
        visitor.locator("textarea[name=question]").fill("请问担保费率是多少？")
        visitor.locator("#start").click()
        expect(visitor.locator("#prechat-error")).to_have_text("未发送：请填写您的姓名。")

        visitor.locator("input[name=name]").fill("王先生")
        visitor.locator("input[name=phone]").fill("abc")
        visitor.locator("#start").click()
        expect(visitor.locator("#prechat-error")).to_have_text("未发送：电话号码无效。")
        expect(visitor.locator("textarea[name=question]")).to_have_value("请问担保费率是多少？")

        visitor.locator("input[name=phone]").fill("13957112345")
        visitor.locator("#start").click()
        expect(visitor.locator("#chat-status")).to_contain_text("排第 1 位")


def test_the_widget_on_an_english_site_speaks_english(chat_server: str, shop: str) -> None:
    """The widget said 在线咨询 and opened the chat in Chinese on every site, an English one too:
    `data-lang="en"` now gives an English button and an English chat in the frame."""
    from playwright.sync_api import expect

    with launched() as browser:
        page = browser.new_context(viewport=PHONE, locale="en-US").new_page()
        page.set_default_timeout(15_000)
        page.goto(f"{shop}/en/shop.html")
        expect(page.locator("#hd-chat-button")).to_have_text("Chat with us")
        page.click("#hd-chat-button")
        chat = page.frame_locator("#hd-chat-frame")
        expect(chat.locator("input[name=name]")).to_be_visible()
        expect(chat.locator("html")).to_have_attribute("lang", "en")
        labels = chat.locator("label").all_inner_texts()
        assert labels and not any(re.search(r"[\u4e00-\u9fff]", t) for t in labels), labels
