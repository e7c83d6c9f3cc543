"""The security headers in Chromium (issue 16 item 4): the pages work under the policy with no
violation reported, and a page on another port cannot frame a ticket page."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path

import pytest
from chromium import SHOTS, launched
from system_packages import BROWSER, require

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation
from web.helpers import password

PAGES = ("/tickets", "/tickets/{number}", "/tickets/{number}/trace", "/phone/simulator",
         "/console", "/chat/agent", "/tickets/new")  # fmt: skip


@pytest.fixture
def other_site(tmp_path: Path) -> Iterator[Callable[[str], str]]:
    """A page on another port, the attacker's, that frames a URL."""
    handler = partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    def framing(url: str) -> str:
        (tmp_path / "frame.html").write_text(f'<iframe src="{url}" width=800 height=600></iframe>')
        return f"http://127.0.0.1:{server.server_port}/frame.html"

    try:
        yield framing
    finally:
        server.shutdown()


@pytest.mark.browser
def test_pages_run_under_the_policy_and_cannot_be_framed_elsewhere(
    live_server: str,
    other_site: Callable[[str], str],
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_ticket: Callable[..., object],
) -> None:
    require(BROWSER)

    centre = make_org(slug="centre", name="服务中心")
    agent = make_user(Role.AGENT, centre, name="李娜")
    number = make_ticket(agent).number  # type: ignore[attr-defined]
    violations: list[str] = []
    with launched() as browser:
        for width, height in ((1280, 900), (390, 844)):
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(15_000)
            page.on(
                "console",
                lambda m: violations.append(m.text) if "Content Security" in m.text else None,
            )
            page.goto(f"{live_server}/login")
            page.fill("#login", agent.login)
            page.fill("#password", password())
            page.click("button[type=submit]")
            page.wait_for_url("**/tickets")
            for path in PAGES:
                page.goto(live_server + path.format(number=number))
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "-").replace("{number}", "n")
                page.screenshot(path=str(SHOTS / f"shot-csp-{name}-{width}.png"))
            # The simulator's own script runs: a call starts and the IVR speaks.
            page.goto(f"{live_server}/phone/simulator")
            page.click("#dial button[type=submit]")
            page.wait_for_selector("#dialogue li")
            page.close()

        attacker = browser.new_page()
        attacker.goto(other_site(f"{live_server}/tickets/{number}"))
        attacker.wait_for_timeout(0)
        framed = attacker.frames[-1]
        attacker.wait_for_load_state("load")
        assert number not in framed.content()  # refused: no ticket, no live forms
    assert [v for v in violations if "frame-ancestors" not in v] == []
