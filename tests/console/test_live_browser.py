"""The live pages in Debian's Chromium against a real gevent web process on the Redis message
queue: a ticket created through the API reaches the right agent's console without a reload
within a second; a supervisor reassigns it from the wallboard and the other agent sees it;
provider A's desk never shows B's ticket, by page or by socket; phones are masked and a reveal
is a ticket event; stale events are dropped; an RQ worker's event reaches the page; a logout
stops the page's socket."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest
from chromium import PHONE, launched
from realtime.live import PASSWORD, Web, csrf_of, login
from redis import Redis
from rq import Queue
from sqlalchemy import select
from system_packages import BROWSER, require

from helpdesk.auth.models import Role
from helpdesk.directory.models import OrgKind
from helpdesk.tickets.models import TicketEvent

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def browser():
    require(BROWSER)

    with launched() as chromium:
        yield chromium


def page_for(browser, web: Web, user, path: str):
    # bypass_csp: these tests read the page's state with wait_for_function, which the page's
    # policy (no eval) would refuse; tests/web/test_headers_browser.py checks the policy itself.
    context = browser.new_context(
        locale="zh-CN", viewport={"width": 1400, "height": 900}, bypass_csp=True
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.goto(f"{web.base}/login?next={path}")
    page.fill("#login", user.login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")
    page.wait_for_function("window.deskReady !== undefined")
    return page


def start_chat(browser, web: Web, name: str, phone: str, question: str):
    """A visitor on a phone-sized page starts a chat and waits first in the queue."""
    from playwright.sync_api import expect

    visitor = browser.new_context(locale="zh-CN", viewport=PHONE, bypass_csp=True).new_page()
    visitor.set_default_timeout(10_000)
    visitor.goto(f"{web.base}/chat/")
    visitor.fill("input[name=name]", name)
    visitor.fill("input[name=phone]", phone)
    visitor.select_option("select[name=category]", "finance/guarantee")
    visitor.fill("textarea[name=question]", question)
    visitor.click("#start")
    expect(visitor.locator("#chat-status")).to_contain_text("排第 1 位")
    return visitor


def post(web: Web, http, path: str, body: dict) -> dict:
    response = http.post(
        f"{web.base}/api/v1{path}", json=body, headers={"X-CSRFToken": csrf_of(http, web.base)}
    )
    assert response.status_code < 300, response.text
    return response.json()


def test_console_wallboard_and_provider_desk_live(browser, web: Web, make_org, make_user, session):
    from playwright.sync_api import expect

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    bank_a = make_org(slug="bank-a", name="甲银行")
    bank_b = make_org(slug="bank-b", name="乙银行")
    agent1 = make_user(Role.AGENT, centre, name="李娜")
    agent2 = make_user(Role.AGENT, centre, name="张伟")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    prov_a = make_user(Role.PROVIDER, bank_a, name="陈静")
    make_user(Role.PROVIDER, bank_b, name="刘洋")

    one = page_for(browser, web, agent1, "/console")
    two = page_for(browser, web, agent2, "/console")
    wall = page_for(browser, web, supervisor, "/wallboard")
    desk = page_for(browser, web, prov_a, "/provider")
    # The day's figures are labelled in words a supervisor reads at a glance.
    expect(wall.locator("#today")).to_contain_text("接通/来电")
    for label in ("放弃率", "平均等待", "平均首次响应"):
        expect(wall.locator("#today")).to_contain_text(label)

    # 1. Created through the API for agent 1: in agent 1's console within a second, no reload.
    http = login(web.base, supervisor.login)
    ticket = post(
        web,
        http,
        "/tickets",
        {
            "subject": "申请50万元担保贷款",
            "category": "finance/guarantee",
            "district": "330109",
            "organisation_id": centre.id,
            "assignee_id": agent1.id,
        },
    )
    created = time.monotonic()
    row = one.locator("#mine tr", has_text=ticket["number"])
    expect(row).to_be_visible(timeout=1000)
    assert time.monotonic() - created < 1.0
    expect(two.locator("#mine tr", has_text=ticket["number"])).to_have_count(0)
    one.screenshot(path="/tmp/shot-console.png", full_page=True)

    # 2. The supervisor reassigns it to agent 2 from the wallboard (pick, click).
    wall_row = wall.locator("#all tr", has_text=ticket["number"])
    expect(wall_row).to_be_visible()
    wall_row.locator("select.to-agent").select_option(str(agent2.id))
    wall_row.locator("button.reassign").click()
    expect(two.locator("#mine tr", has_text=ticket["number"])).to_be_visible(timeout=2000)
    expect(one.locator("#mine tr", has_text=ticket["number"])).to_have_count(0)
    wall.click("#fullscreen")
    wall.screenshot(path="/tmp/shot-wallboard.png", full_page=True)

    # 3. Provider desk: A's ticket live, B's never, not even when A's page asks for B's rooms.
    theirs = post(
        web,
        http,
        "/tickets",
        {
            "subject": "乙银行的工单",
            "category": "finance/guarantee",
            "district": "330109",
            "organisation_id": bank_b.id,
            "contact_phone": "13900000000",
            "contact_name": "赵",
        },
    )
    ours = post(
        web,
        http,
        "/tickets",
        {
            "subject": "甲银行的工单",
            "category": "finance/guarantee",
            "district": "330109",
            "organisation_id": bank_a.id,
            "contact_phone": "13800000000",
            "contact_name": "王",
        },
    )
    expect(desk.locator("#org tr", has_text=ours["number"])).to_be_visible(timeout=1000)
    acks = desk.evaluate(
        """async (rooms) => {
            const s = io('/desk', {transports: ['websocket'], forceNew: true});
            const acks = [];
            for (const room of rooms) acks.push(await s.timeout(3000).emitWithAck('join', {room}));
            s.disconnect();
            return acks;
        }""",
        [f"ticket:{theirs['id']}", f"org:{bank_b.id}", "supervisors"],
    )
    assert [a["ok"] for a in acks] == [False, False, False]
    post(web, http, f"/tickets/{theirs['number']}/comments", {"body": "乙的备注", "internal": True})
    time.sleep(0.5)
    assert theirs["number"] not in desk.content()
    seen = desk.evaluate("Array.from(window.deskStore.tickets.values()).map(t => t.number)")
    assert theirs["number"] not in seen
    assert desk.request.get(f"{web.base}/tickets/{theirs['number']}").status == 404

    # 4. The phone is masked; revealing it is deliberate and becomes a ticket event.
    desk.locator("#org tr", has_text=ours["number"]).click()
    # The keys listed are the provider's own: d declines (no transfer, no internal note).
    expect(desk.locator(".shortcuts")).to_contain_text("d 退单")
    expect(desk.locator(".shortcuts")).not_to_contain_text("转派")
    expect(desk.locator("#detail form[data-act=decline]")).to_be_visible()
    desk.keyboard.press("d")
    expect(desk.locator("#detail form[data-act=decline] textarea")).to_be_focused()
    desk.keyboard.press("Escape")
    expect(desk.locator("#detail .phone")).to_have_text("138****0000")
    desk.click("[data-reveal]")
    expect(desk.locator("#detail .phone")).to_have_text("138 0000 0000")  # national format
    events = session.scalars(
        select(TicketEvent).where(
            TicketEvent.ticket_id == ours["id"], TicketEvent.kind == "phone_revealed"
        )
    ).all()
    assert [e.actor_id for e in events] == [prov_a.id]
    desk.screenshot(path="/tmp/shot-provider.png", full_page=True)

    # 5. Versions: an event older than what the page holds is dropped.
    latest = desk.evaluate(f"window.deskStore.tickets.get({ours['id']}).version")
    assert (
        desk.evaluate(
            "(id) => window.deskStore.apply("
            "{...window.deskStore.tickets.get(id), version: 1, subject: 'stale'})",
            ours["id"],
        )
        is False
    )
    assert desk.evaluate(f"window.deskStore.tickets.get({ours['id']}).version") == latest

    # 6. An event from an RQ worker process reaches the page through the Redis message queue.
    Queue("default", connection=Redis.from_url(web.redis_url)).enqueue(
        "helpdesk.realtime.jobs.announce_ticket", ours["id"], "worker_check"
    )
    worker = subprocess.run(
        [sys.executable, "-m", "helpdesk.cli", "worker", "--burst"],
        env=web.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert worker.returncode == 0, worker.stderr[-2000:]
    desk.wait_for_function(
        "window.deskLastEvent && window.deskLastEvent.kind === 'worker_check'", timeout=3000
    )

    # 7. Logging out elsewhere in this browser ends this page's socket.
    one.context.request.post(
        f"{web.base}/logout",
        form={"csrf_token": one.locator("meta[name=csrf-token]").get_attribute("content")},
    )
    one.wait_for_function("window.deskRevoked === true", timeout=1000)


def test_a_visitors_chat_is_accepted_and_answered_from_the_console(
    browser, web: Web, make_org, make_user, fresh_presence
):
    """The console's chat panels speak the same /chat agent events as the chat page: a waiting
    visitor is offered, accepted, answered with a canned reply and typed text, live both ways;
    at the limit the wallboard shows the agent busy."""
    from playwright.sync_api import expect

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    console = page_for(browser, web, agent, "/console")
    chats = console.locator("#chats")
    expect(chats.locator("#chat-status")).to_have_text("在线")
    wall = page_for(browser, web, supervisor, "/wallboard")

    visitor = start_chat(browser, web, "王先生", "13957112345", "想申请担保贷款")

    offered = chats.locator(".chat-queue li", has_text="王先生")
    expect(offered).to_be_visible()
    offered.locator("button.accept").click()
    panel = chats.locator(".chat-panel").first
    expect(panel.locator(".msg.from-visitor")).to_contain_text("想申请担保贷款")
    expect(chats.locator(".chat-queue li")).to_have_count(0)
    expect(visitor.locator("#chat-status")).to_contain_text("李娜 正在为您服务")

    panel.locator("select.canned").select_option(index=1)
    panel.locator("form.send button[type=submit]").click()
    panel.locator("textarea.reply").fill("请问贵企业在哪个区？")
    panel.locator("form.send button[type=submit]").click()
    expect(visitor.locator("#log .msg.from-agent")).to_have_count(2)
    expect(visitor.locator("#log .msg.from-agent").last).to_contain_text("请问贵企业在哪个区？")
    visitor.fill("#body", "萧山区")
    visitor.click("#send")
    expect(panel.locator(".msg.from-visitor").last).to_contain_text("萧山区")
    assert console.url.endswith("/console")  # all of it on the console, no other page
    console.screenshot(path="/tmp/shot-console-chat.png", full_page=True)

    # The wallboard shows the agent's state live; ending the chat frees the visitor.
    agent_row = wall.locator(f"#agents tr[data-user='{agent.id}']")
    expect(agent_row.locator(".state")).to_have_text("空闲")
    panel.locator("button.end").click()
    expect(visitor.locator("#rate-form")).to_be_visible()
    expect(panel).to_have_class("card panel chat-panel ended")


OFFERED_TO_YOU = "指定给您"


def test_a_supervisor_sends_a_waiting_chat_to_an_agent_from_the_wallboard(
    browser, web: Web, make_org, make_user, fresh_presence
):
    """Two clicks on the wallboard (pick the agent, reassign): the waiting chat is offered to
    that agent, who accepts it on their console."""
    from playwright.sync_api import expect

    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    make_user(Role.AGENT, centre, name="李娜")
    colleague = make_user(Role.AGENT, centre, name="张伟")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    console = page_for(browser, web, colleague, "/console")
    expect(console.locator("#chats #chat-status")).to_have_text("在线")
    wall = page_for(browser, web, supervisor, "/wallboard")

    visitor = start_chat(browser, web, "赵女士", "13957112366", "咨询贴息政策")

    waiting = wall.locator("#waiting li", has_text="赵女士")
    expect(waiting).to_be_visible()
    waiting.locator("select.to-agent").select_option(str(colleague.id))
    offered = console.locator("#chats .chat-queue li", has_text="赵女士")
    expect(offered).to_be_visible()
    expect(offered).not_to_contain_text(OFFERED_TO_YOU)  # waiting for anyone so far
    waiting.locator("button.reassign-chat").click()
    expect(offered).to_contain_text(OFFERED_TO_YOU)
    offered.locator("button.accept").click()
    panel = console.locator("#chats .chat-panel").first
    expect(panel.locator(".msg.from-visitor")).to_contain_text("咨询贴息政策")
    expect(visitor.locator("#chat-status")).to_contain_text("张伟 正在为您服务")
