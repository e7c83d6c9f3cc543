"""The supervisor's wallboard, in a real browser at a phone's and a laptop's width: who holds each
ticket is read whole. The holder cell once ended in an ellipsis after the service centre's long
name (杭州市中小商贸流通企业服务中心 · 李…), hiding the very agent a supervisor looks for."""

from __future__ import annotations

import pytest
from chromium import DESKTOP, PHONE, SHOTS, demo_login, launched
from playwright.sync_api import Browser, Page
from realtime.live import Web, fresh_presence, rt_redis, web  # noqa: F401 (fixtures)

from web.test_chinese_pages import demo_pages  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

LAPTOP = {**DESKTOP, "width": 1366}
# [holder's text, whether the person's name ends inside the cell (None: held by nobody)]: where
# the name's last character is laid out, against the cell's edge; beyond it, an ellipsis hid it
HOLDERS_FIT = """cells => cells.map((cell) => {
    const text = cell.textContent;
    if (!text.includes(' · ')) return [text, null];
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    let node, offset = 0, last = text.length - 1;
    while ((node = walker.nextNode())) {
        const length = node.textContent.length;
        if (last < offset + length) break;
        offset += length;
    }
    const range = document.createRange();
    range.setStart(node, last - offset);
    range.setEnd(node, last - offset + 1);
    const right = range.getBoundingClientRect().right;
    return [text, right <= cell.getBoundingClientRect().right + 0.5];
})"""


def _wallboard(browser: Browser, base: str, size: dict[str, int]) -> Page:
    """The supervisor's wallboard, logged in, in a new context of this size."""
    page = demo_login(browser, base, "supervisor", size)
    page.goto(f"{base}/wallboard")
    return page


def test_the_person_holding_a_ticket_is_shown_whole_on_the_wallboard(
    web: Web,  # noqa: F811 (a real web process: the wallboard draws its lists from the socket)
    demo_pages: dict[str, list[str]],  # noqa: F811
    fresh_presence: None,  # noqa: F811
) -> None:
    cut = []
    shown = []
    with launched() as browser:
        for size in (PHONE, LAPTOP):
            page = _wallboard(browser, web.base, size)
            page.wait_for_selector("#all tbody tr[data-id]")
            page.screenshot(path=str(SHOTS / f"wallboard-holders-{size['width']}.png"))
            holders = page.eval_on_selector_all(".wall-list td.holder", HOLDERS_FIT)
            for text, fits in holders:
                if fits is None:
                    continue
                shown.append(text)
                if not fits:
                    cut.append(f"{text} at {size['width']} px")
            page.context.close()
    assert shown, "no ticket held by a person on the demo board"
    assert cut == [], f"the holding person is cut off: {cut}"


def test_the_reassign_picker_and_its_button_stand_level_and_every_button_is_styled(
    web: Web,  # noqa: F811
    demo_pages: dict[str, list[str]],  # noqa: F811
    fresh_presence: None,  # noqa: F811
) -> None:
    """改派 stood 24 px high beside its 36 px agent picker, and 全屏 and 改派 were the browser's
    grey buttons among the page's own."""
    uneven: list[str] = []
    raw: list[str] = []
    with launched() as browser:
        for size in (PHONE, LAPTOP):
            width = size["width"]
            page = _wallboard(browser, web.base, size)
            page.wait_for_selector("#all tbody tr[data-id] td.act button")
            page.screenshot(path=str(SHOTS / f"wallboard-reassign-{width}.png"))
            pairs = page.eval_on_selector_all(
                ".wall td.act",
                """cells => cells.map((cell) => {
                    const box = (e) => e.getBoundingClientRect();
                    const picker = box(cell.querySelector('select'));
                    const button = box(cell.querySelector('button'));
                    return [picker.top, picker.height, button.top, button.height];
                })""",
            )
            assert pairs, "no reassign controls on the demo board"
            for top, height, button_top, button_height in pairs:
                if abs(height - button_height) > 1 or abs(top - button_top) > 1:
                    uneven.append(
                        f"{width} px: picker {height:.0f} px at {top:.0f}, "
                        f"button {button_height:.0f} px at {button_top:.0f}"
                    )
            # the page's own button look, taken from a .button put on the page
            looks = page.evaluate(
                """() => {
                    const look = (e) => { const s = getComputedStyle(e);
                        return [s.backgroundColor, s.color, s.borderTopColor, s.borderTopLeftRadius,
                                s.fontFamily].join(' | '); };
                    const model = document.createElement('a');
                    model.className = 'button';
                    document.querySelector('main').append(model);
                    const own = look(model);
                    model.remove();
                    const buttons = [document.getElementById('fullscreen'),
                                     ...document.querySelectorAll('.wall button')];
                    return buttons.map((b) => [b.textContent.trim(), look(b), own]);
                }"""
            )
            raw += [
                f"{text} at {width} px: {look} (not {own})"
                for text, look, own in looks
                if look != own
            ]
            page.context.close()
    assert uneven == [], f"改派 and its picker at different heights: {uneven[:5]}"
    assert raw == [], f"buttons not styled as the page's: {raw[:5]}"


def test_reassign_pressed_before_picking_an_agent_sends_the_ticket_nowhere(
    web: Web,  # noqa: F811 (a real web process: the wallboard draws its lists from the socket)
    demo_pages: dict[str, list[str]],  # noqa: F811
    fresh_presence: None,  # noqa: F811
) -> None:
    """The row's agent list began with a name, so 改派 pressed before a pick (flows' Monday
    walk did) transferred the ticket to the first agent listed. Now the list starts with
    "改派给…": the press only points at the list, and the supervisor's pick is the one kept."""
    with launched() as browser:
        page = _wallboard(browser, web.base, LAPTOP)
        row = page.locator("#all tbody tr[data-id]").first
        number = row.get_attribute("data-number")
        select = row.locator("select.to-agent")
        assert select.input_value() == ""
        row.locator("button.reassign").click()
        page.wait_for_function("document.activeElement.classList.contains('to-agent')")

        holder = row.locator("td.holder").inner_text()
        chosen = next(n for n in ("李娜", "张伟") if n not in holder)
        select.select_option(label=chosen)
        row.locator("button.reassign").click()
        page.wait_for_selector(f"#all tr[data-number='{number}'] td.holder:has-text('{chosen}')")
        ticket = page.context.new_page()
        ticket.goto(f"{web.base}/tickets/{number}")
        assert ticket.locator("#timeline li:has-text('原因：改派')").count() == 1


def test_the_wallboard_in_english_shows_each_row_whole(
    web: Web,  # noqa: F811 (a real web process: the wallboard draws its lists from the socket)
    demo_pages: dict[str, list[str]],  # noqa: F811
    fresh_presence: None,  # noqa: F811
) -> None:
    """English words are longer than Chinese: at 1366 px the breached list cut "Assigned
    Breached" to "Assigned …" and the Reassign button to "…", in the columns sized for 已派单
    已超时 and 改派; on a phone the wider Reassign button cut the holding agent's name to 李. Every
    badge, control and holder's name of a row lies inside its cell, at both widths."""
    cut: list[str] = []
    with launched() as browser:
        for size in (PHONE, LAPTOP):
            page = _wallboard(browser, web.base, size)
            page.goto(f"{web.base}/wallboard?lang=en")
            page.wait_for_selector("#breached tbody tr[data-id] td.act button")
            page.screenshot(path=str(SHOTS / f"wallboard-english-{size['width']}.png"))
            outside = page.eval_on_selector_all(
                ".wall-list td.state .badge, .wall-list td.act select, .wall-list td.act button",
                """parts => parts.filter((part) => {
                    const cell = part.closest('td').getBoundingClientRect();
                    const box = part.getBoundingClientRect();
                    return box.right > cell.right + 0.5 || box.left < cell.left - 0.5;
                }).map((part) => part.textContent.trim() || part.tagName)""",
            )
            cut += [f"{text} at {size['width']} px" for text in outside]
            holders = page.eval_on_selector_all(".wall-list td.holder", HOLDERS_FIT)
            cut += [f"{text} at {size['width']} px" for text, fits in holders if fits is False]
            page.context.close()
    assert cut == [], f"cut off on the English wallboard: {sorted(set(cut))}"
