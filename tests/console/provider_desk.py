"""What the console's browser tests share: a bank's desk with tickets filed days ago, and
Chromium pages on the `web` process (realtime.live) signed in through the login form."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from realtime.live import PASSWORD, Web
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.directory.models import Organisation
from helpdesk.tickets import service
from helpdesk.tickets.models import Status, Ticket


@dataclass
class BankDesk:
    """A service centre's agent 李娜 and the bank 杭州银行科技支行 with its provider user 陈静."""

    session: Session
    centre: Organisation
    bank: Organisation
    agent: User
    banker: User

    def file(self, subject: str, days_ago: float = 0, status: Status | None = None) -> Ticket:
        """A ticket for the bank, filed by the agent `days_ago` days ago (its deadlines with
        it), left in `status` if given."""
        clock.freeze(clock.now() - timedelta(days=days_ago))
        try:
            ticket = service.create(
                self.session,
                self.agent,
                service.NewTicket(
                    subject=subject,
                    category="finance/leasing",
                    district="330102",
                    organisation_id=self.bank.id,
                ),
            )
            if status is not None:
                ticket.status = status
            self.session.commit()
            return ticket
        finally:
            clock.unfreeze()


def open_as(  # type: ignore[no-untyped-def]
    browser,
    web: Web,
    user,
    path: str,
    width: int,
    height: int = 900,
    locale: str = "zh-CN",
    zone: str | None = None,
) -> Any:
    """A new page of `browser` (chromium.launched) at `path`, `width` × `height`, in a
    context of its own, signed in as `user`."""
    page = browser.new_page(
        viewport={"width": width, "height": height}, locale=locale, timezone_id=zone
    )
    page.set_default_timeout(15_000)
    page.goto(f"{web.base}/login?lang=zh_CN")
    page.fill("#login", user.login)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login" not in url)
    page.goto(f"{web.base}{path}")
    return page
