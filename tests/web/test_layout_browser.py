"""Small things a person notices, in a real browser at a phone's (390 px) and a laptop's
(1366 px) width: words broken in the middle, a button torn from its partner."""

from __future__ import annotations

import pytest
from chromium import DESKTOP, PHONE, SHOTS, demo_login, launched
from realtime.live import Web, rt_redis, web  # noqa: F401 (fixtures)

from helpdesk.demo import DEMO_PASSWORD
from web.test_chinese_pages import demo_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {**DESKTOP, "width": 1366}

# the lines a piece of text is laid out on (the tops of its boxes), whatever element holds it
LINES_OF = """([selector, text]) => {
    const holder = document.querySelector(selector);
    const at = holder.textContent.indexOf(text);
    if (at < 0) return null;
    const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    let node, offset = 0, started = false;
    while ((node = walker.nextNode())) {
        const length = node.textContent.length;
        const end = at + text.length;
        if (!started && at < offset + length) { range.setStart(node, at - offset); started = true; }
        if (started && end <= offset + length) { range.setEnd(node, end - offset); break; }
        offset += length;
    }
    return new Set(Array.from(range.getClientRects()).map((r) => Math.round(r.top))).size;
}"""


def test_names_in_the_header_and_the_filter_buttons_hold_together(
    web: Web,  # noqa: F811 (a real web process)
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    broken: list[str] = []
    torn: list[str] = []
    rows: dict[int, float] = {}
    with launched() as browser:
        for size in (PHONE, LAPTOP):
            width = size["width"]
            page = demo_login(browser, web.base, "bank1", size)
            page.goto(f"{web.base}/tickets?lang=zh_CN")
            page.screenshot(path=str(SHOTS / f"layout-bank1-tickets-{width}.png"))
            # a provider's organisation in the header was cut as 杭州银 | 行科技支行
            organisation = (
                page.evaluate("document.querySelector('.who .me').title || ''")
                or "杭州银行科技支行"
            )
            lines = page.evaluate(LINES_OF, [".who .me", organisation])
            if lines != 1:
                broken.append(f"{organisation} on {lines} lines at {width} px")
            # and the dot before it goes with it (it stood alone at the first line's end)
            lines = page.evaluate(LINES_OF, [".who .me", f"· {organisation}"])
            if lines != 1:
                broken.append(f"· {organisation} on {lines} lines at {width} px")
            # 清除 once wrapped alone under the filters, away from 筛选
            tops = page.eval_on_selector_all(
                "form.filters .button",
                "buttons => buttons.map((b) => Math.round(b.getBoundingClientRect().top))",
            )
            if len(set(tops)) != 1:
                torn.append(f"/tickets at {width} px: buttons at {tops}")
            bottoms = page.eval_on_selector_all(
                "form.filters > *",
                "parts => parts.map((p) => p.getBoundingClientRect().bottom)",
            )
            rows[width] = max(bottoms) - min(bottoms)  # a few px when on one line
            page.context.close()
    assert broken == [], f"a name broken across lines: {broken}"
    assert torn == [], f"filter buttons apart: {torn}"
    # a provider's seven filters and two buttons fit one line of a laptop
    assert rows[1366] < 10, "the provider's ticket filters take more than one line at 1366 px"


def test_the_search_box_offers_the_slash_key_only_where_there_is_a_keyboard(
    web: Web,  # noqa: F811
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    """按 / 键 stood in the search box on phones too, where no / key puts the cursor there."""
    shown: dict[str, bool] = {}
    hidden_in_use = False
    tablet = {"width": 1024, "height": 768}
    with launched() as browser:
        for name, size, touch in (
            ("laptop", LAPTOP, False),
            ("phone width", PHONE, False),  # each rule alone: the width here, the touch below
            ("touch tablet", tablet, True),
        ):
            context = browser.new_context(locale="zh-CN", viewport=size, has_touch=touch)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto(f"{web.base}/login?lang=zh_CN")
            page.fill("#login", "agent1")
            page.fill("#password", DEMO_PASSWORD)
            page.click("button[type=submit]")
            page.wait_for_load_state("networkidle")
            page.goto(f"{web.base}/tickets?lang=zh_CN")
            page.screenshot(path=str(SHOTS / f"layout-search-hint-{size['width']}.png"))
            # the words in the box's placeholder, or on a hint drawn over it
            hint = page.evaluate(
                """() => {
                    const box = document.getElementById('header-search');
                    const others = box.parentElement.querySelectorAll(':scope > :not(input)');
                    const drawn = Array.from(others)
                        .filter((e) => e.getClientRects().length
                            && getComputedStyle(e).visibility !== 'hidden')
                        .map((e) => e.textContent);
                    return [box.placeholder, ...drawn].join(' ');
                }"""
            )
            shown[name] = "/" in hint
            if name == "laptop":
                page.focus("#header-search")  # typing: the hint is out of the way
                hidden_in_use = page.evaluate(
                    """() => Array.from(document.querySelectorAll('.header-search > :not(input)'))
                        .every((e) => e.getClientRects().length === 0)"""
                )
            context.close()
    assert shown == {"laptop": True, "phone width": False, "touch tablet": False}, shown
    assert hidden_in_use, "按 / 键 stays over the search box while it is in use"


# each text of a cell (a subject, an enterprise's name) and the width of its last line, where it
# takes more than one line, against its font size: one glyph's width
LAST_LINES = """cells => cells.flatMap((cell) => {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    const found = [];
    let node;
    while ((node = walker.nextNode())) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const lines = new Map();
        for (const r of range.getClientRects()) {
            const top = Math.round(r.top);
            if (r.width) lines.set(top, (lines.get(top) || 0) + r.width);
        }
        if (lines.size < 2) continue;
        const last = lines.get(Math.max(...lines.keys()));
        const glyph = parseFloat(getComputedStyle(node.parentElement).fontSize);
        found.push([node.textContent, last, glyph]);
    }
    return found;
})"""


def test_no_enterprise_name_or_subject_leaves_one_character_alone_on_the_provider_desk(
    web: Web,  # noqa: F811
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    """At 1366 px the provider desk's list broke 杭州江南餐饮管理有限公 | 司: a name's last
    character alone on a line of its own."""
    lone: list[str] = []
    seen = 0
    with launched() as browser:
        for size in (PHONE, DESKTOP, LAPTOP):
            width = size["width"]
            page = demo_login(browser, web.base, "bank1", size)
            page.goto(f"{web.base}/provider?lang=zh_CN")
            page.wait_for_selector("#org tr[data-id]")
            page.screenshot(path=str(SHOTS / f"layout-provider-desk-{width}.png"))
            cells = page.eval_on_selector_all("#org tr[data-id] td:nth-child(2)", LAST_LINES)
            seen += page.eval_on_selector_all("#org tr[data-id]", "rows => rows.length")
            lone += [
                f"{text} at {width} px ({last:.0f} px on its last line)"
                for text, last, glyph in cells
                if last < 1.5 * glyph
            ]
            page.context.close()
    assert seen, "no tickets on the demo provider's desk"
    assert lone == [], f"one character alone on a line: {lone}"


# the texts (cells, the platform's name) whose last line holds one character: a line is the run
# of text boxes side by side, whatever their sizes (a count badge beside a heading is one line)
LONE_CHARACTERS = """(selector) => Array.from(document.querySelectorAll(selector))
  .flatMap((holder) => {
    if (!holder.getClientRects().length) return [];
    const walker = document.createTreeWalker(holder, NodeFilter.SHOW_TEXT);
    const boxes = [];
    let node;
    while ((node = walker.nextNode())) {
        if (!node.textContent.trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        boxes.push(...Array.from(range.getClientRects()).filter((r) => r.width));
    }
    boxes.sort((a, b) => a.top - b.top);
    const lines = [];
    for (const box of boxes) {
        const line = lines[lines.length - 1];
        if (line && box.top < line.bottom - 3) {
            line.width += box.width;
            line.bottom = Math.max(line.bottom, box.bottom);
        } else lines.push({width: box.width, bottom: box.bottom});
    }
    const glyph = parseFloat(getComputedStyle(holder).fontSize);
    if (lines.length < 2 || lines[lines.length - 1].width >= 1.5 * glyph) return [];
    return [holder.textContent.trim().replace(/\\s+/g, ' ')];
})"""


def test_no_name_leaves_one_character_alone_on_the_pages_walked(
    web: Web,  # noqa: F811
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    """Found walking the pages: 坐席考核's team 杭州市中小商贸流通企业服务中 | 心 at 390 px, the
    ticket list's 电子商务与网络营 | 销 at 1366 px, the provider desk's names. The portal's
    platform name guards the cure: text-wrap: pretty, which lengthens a short last line, moved
    its 台 down beside 企业服务门户 until the name was made one box."""
    lone: list[str] = []
    with launched() as browser:
        for login, path, size, selector in (
            (None, "/portal/", PHONE, ".brand a"),
            ("supervisor", "/assessment", PHONE, "td, .brand a"),
            ("agent1", "/tickets", LAPTOP, "td, th"),
            ("bank1", "/provider", LAPTOP, "#org td"),
        ):
            if login is None:
                context = browser.new_context(locale="zh-CN", viewport=size)
                page = context.new_page()
            else:
                page = demo_login(browser, web.base, login, size)
            page.goto(f"{web.base}{path}")
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(SHOTS / f"layout-lone{path.replace('/', '-')}.png"))
            lone += [
                f"{path} at {size['width']} px: {text}"
                for text in page.evaluate(LONE_CHARACTERS, selector)
            ]
            page.context.close()
    assert lone == [], f"one character alone on a line: {lone}"


def test_the_console_buttons_are_the_pages_own_and_hidden_ones_stay_hidden(
    web: Web,  # noqa: F811
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    """空闲 忙碌 话后处理 离开 were the browser's grey buttons; made .button, 完成整理 (hidden
    until a call's after-call work) must still not show."""
    with launched() as browser:
        page = demo_login(browser, web.base, "agent1", LAPTOP)
        page.goto(f"{web.base}/console?lang=zh_CN")
        page.wait_for_selector("#mine tbody tr")
        looks = page.evaluate(
            """() => {
                const look = (e) => { const s = getComputedStyle(e);
                    return [s.borderTopLeftRadius, s.fontFamily, s.cursor].join(' | '); };
                const model = document.createElement('a');
                model.className = 'button';
                document.querySelector('main').append(model);
                const own = look(model);
                model.remove();
                return Array.from(document.querySelectorAll('.presence button'))
                    .map((b) => [b.textContent.trim(), b.hidden, b.getClientRects().length > 0,
                                 look(b) === own]);
            }"""
        )
        page.context.close()
    assert looks, "no presence buttons on the console"
    assert [text for text, hidden, shown, own in looks if not hidden and not own] == []
    assert [text for text, hidden, shown, own in looks if hidden and shown] == []
