"""A hand-counted month: three enterprises over four channels, two districts and platforms.

Period 2025-03-01..2025-03-20 (Hangzhou days), today 2025-03-20:

| # | enterprise (industry) | channel | district | platform | local time        |
|---|-----------------------|---------|----------|----------|-------------------|
| 1 | A (零售)              | phone   | 西湖区   | finance  | 03-03 09:00 (bank)|
| 2 | A                     | chat    | 西湖区   | finance  | 03-03 15:00       |
| 3 | A                     | portal  | 萧山区   | info     | 03-05 10:00       |
| 4 | B (批发)              | phone   | 西湖区   | finance  | 03-05 11:00 (bank)|
| 5 | C (none)              | walk_in | 萧山区   | info     | 03-10 09:00       |
| 6 | —                     | phone   | 西湖区   | finance  | 03-10 10:00       |
| 7 | B                     | phone   | 西湖区   | finance  | 03-01 00:30       |
| 8 | C                     | phone   | 萧山区   | finance  | 02-28 23:30 (out) |

Ticket 7 is Feb 28 16:30 UTC, ticket 8 Feb 28 15:30 UTC: only the Hangzhou day tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, g, request_started
from web import helpers

from helpdesk import clock
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.tickets.models import Channel, Ticket

TODAY = datetime(2025, 3, 20, 12, 0, tzinfo=clock.HANGZHOU)
MARCH = "from=2025-03-01&to=2025-03-20"


@dataclass
class Month:
    supervisor: User
    agent: User
    bank: Organisation
    tickets: list[Ticket]  # numbered as in the table, tickets[0] is #1


@pytest.fixture
def month(
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> Month:
    # the real centre's long name: the 服务机构 filter is as wide as it
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="杭州市中小商贸流通企业服务中心")
    bank = make_org(slug="hz-bank", name="杭州银行科技支行")
    supervisor = make_user(Role.SUPERVISOR, centre, name="王敏")
    agent = make_user(Role.AGENT, centre, name="李娜")
    a = make_enterprise(name="杭州湖滨商贸有限公司", district="330106", industry="零售")
    b = make_enterprise(name="杭州钱塘批发有限公司", district="330106", industry="批发")
    c = make_enterprise(name="萧山五金店", district="330109")
    plan = [
        (a, Channel.PHONE, "330106", "finance/guarantee", (3, 3, 9, 0), bank),
        (a, Channel.CHAT, "330106", "finance/pawn", (3, 3, 15, 0), None),
        (a, Channel.PORTAL, "330109", "info/policy", (3, 5, 10, 0), None),
        (b, Channel.PHONE, "330106", "finance/guarantee", (3, 5, 11, 0), bank),
        (c, Channel.WALK_IN, "330109", "info/talent", (3, 10, 9, 0), None),
        (None, Channel.PHONE, "330106", "finance/insurance", (3, 10, 10, 0), None),
        (b, Channel.PHONE, "330106", "finance/guarantee", (3, 1, 0, 30), None),
        (c, Channel.PHONE, "330109", "finance/guarantee", (2, 28, 23, 30), None),
    ]
    tickets = []
    for enterprise, channel, district, category, (mo, d, h, mi), org in plan:
        clock.freeze(datetime(2025, mo, d, h, mi, tzinfo=clock.HANGZHOU))
        tickets.append(
            make_ticket(
                enterprise_id=enterprise.id if enterprise else None,
                channel=channel,
                district=district,
                category=category,
                organisation_id=org.id if org else None,
                route=False,
            )
        )
    clock.freeze(TODAY)
    return Month(supervisor, agent, bank, tickets)


@pytest.fixture(autouse=True, scope="session")
def _shared_conftest(request: pytest.FixtureRequest) -> None:
    """The suite's own `login` (see tests/web/conftest.py for why it is reached this way)."""
    path = Path(__file__).resolve().parent.parent / "conftest.py"
    module = request.config.pluginmanager.get_plugin(str(path))
    assert module is not None, f"{path} is not loaded"
    helpers.SHARED = module


def _forget_user(sender: Flask, **extra: Any) -> None:
    g.pop("_login_user", None)


@pytest.fixture(autouse=True)
def _each_request_loads_its_user(app: Flask) -> Iterator[None]:
    """Each test request loads its own user, as in production (tests/people/conftest.py)."""
    request_started.connect(_forget_user, app)
    yield
    request_started.disconnect(_forget_user, app)
