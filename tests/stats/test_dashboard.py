"""The dashboard's figures against the hand-counted month of conftest.py, its drill-downs, its
refusals and who may see it."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from web.helpers import login, page

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation

from .conftest import MARCH, Month

ROW = re.compile(
    r'<tr><td><a href="([^"]+)">([^<]+)</a></td><td class="num">(\d+)</td>'
    r'<td class="num">(\d+)</td></tr>'
)
TOTAL = re.compile(r'<tr class="total"><th scope="row">[^<]+</th><td class="num">(\d+)</td>')


def panel(body: str, name: str) -> dict[str, tuple[int, int, str]]:
    """label -> (enterprises, tickets, drill-down URL) of one panel's table."""
    found = re.search(rf'id="panel-{name}".*?</section>', body, re.S)
    assert found, f"no panel {name}"
    return {
        label: (int(e), int(t), html.unescape(url))
        for url, label, e, t in ROW.findall(found.group(0))
    }


def totals(body: str) -> tuple[int, int]:
    e = re.search(r'id="total-enterprises">(\d+)<', body)
    t = re.search(r'id="total-tickets">(\d+)<', body)
    assert e and t
    return int(e.group(1)), int(t.group(1))


def test_enterprises_are_counted_once_across_channels(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    body = page(client, f"/stats?{MARCH}")
    assert totals(body) == (3, 7)  # A, B, C; ticket 8 is February in Hangzhou
    channels = panel(body, "channel")
    assert {k: v[:2] for k, v in channels.items()} == {
        "电话": (2, 4),
        "在线交互": (1, 1),
        "网站": (1, 1),
        "来访": (1, 1),
    }
    assert sum(v[0] for v in channels.values()) == 5  # rows overlap; the total does not
    found = re.search(r'id="panel-channel".*?</section>', body, re.S)
    assert found and TOTAL.search(found.group(0)).group(1) == "3"  # type: ignore[union-attr]

    districts = panel(body, "district")
    assert districts["西湖区"][:2] == (2, 5)
    assert districts["萧山区"][:2] == (2, 2)
    assert districts["滨江区"][:2] == (0, 0)  # every district is listed, even at zero
    platforms = panel(body, "platform")
    assert platforms["投资融资"][:2] == (2, 5)
    assert platforms["信息咨询"][:2] == (2, 2)
    industries = panel(body, "industry")
    assert {k: v[:2] for k, v in industries.items()} == {
        "批发": (1, 2),
        "零售": (1, 3),
        "未填写行业": (1, 1),
    }
    days = panel(body, "period")
    assert len(days) == 20
    assert days["2025-03-01"][:2] == (1, 1)
    assert days["2025-03-03"][:2] == (1, 2)  # A by phone and chat: one enterprise
    assert days["2025-03-05"][:2] == (2, 2)
    assert days["2025-03-10"][:2] == (1, 2)  # C and a caller without an enterprise
    assert days["2025-03-02"][:2] == (0, 0)


def test_filters_narrow_every_panel(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    body = page(client, f"/stats?{MARCH}&organisation_id={month.bank.id}")
    assert totals(body) == (2, 2)
    body = page(client, f"/stats?{MARCH}&channel=phone&district=330106")
    assert totals(body) == (2, 4)  # A, B; the caller without an enterprise adds a ticket only
    assert panel(body, "platform")["投资融资"][:2] == (2, 4)
    body = page(client, f"/stats?{MARCH}&platform=info")
    assert totals(body) == (2, 2)
    assert panel(body, "channel")["网站"][:2] == (1, 1)


def test_a_month_by_month_period_and_its_drill_down(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    body = page(client, "/stats?from=2024-12-01&to=2025-03-20")
    months = panel(body, "period")
    assert list(months) == ["2024-12", "2025-01", "2025-02", "2025-03"]
    assert months["2025-02"][:2] == (1, 1)
    assert months["2025-03"][:2] == (3, 7)
    listed = page(client, months["2025-02"][2])
    assert month.tickets[7].number in listed
    assert month.tickets[6].number not in listed  # 03-01 00:30 in Hangzhou


def numbers_listed(body: str, month: Month) -> set[int]:
    return {i + 1 for i, t in enumerate(month.tickets) if t.number in body}


def test_each_cell_drills_down_to_its_tickets(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    body = page(client, f"/stats?{MARCH}")
    cases = [
        (panel(body, "district")["西湖区"][2], {1, 2, 4, 6, 7}),
        (panel(body, "platform")["信息咨询"][2], {3, 5}),
        (panel(body, "industry")["零售"][2], {1, 2, 3}),
        (panel(body, "industry")["未填写行业"][2], {5}),
        (panel(body, "channel")["电话"][2], {1, 4, 6, 7}),
        (panel(body, "period")["2025-03-03"][2], {1, 2}),
        (panel(body, "period")["2025-03-01"][2], {7}),
    ]
    for url, expected in cases:
        assert numbers_listed(page(client, url), month) == expected, url
    narrowed = page(client, f"/stats?{MARCH}&channel=phone")
    url = panel(narrowed, "district")["西湖区"][2]
    assert numbers_listed(page(client, url), month) == {1, 4, 6, 7}


def test_a_period_with_no_data_shows_zeros_and_says_so(client: FlaskClient, month: Month) -> None:
    login(client, month.supervisor)
    body = page(client, "/stats?from=2025-01-01&to=2025-01-31")
    assert totals(body) == (0, 0)
    assert "这一期间没有符合条件的工单" in body
    for name in ("district", "platform", "channel", "period"):
        rows = panel(body, name)
        assert rows and all(v[:2] == (0, 0) for v in rows.values()), name


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2025-03-21&to=2025-03-25", "统计期间不能从未来开始。"),
        ("from=2025-03-01&to=2025-03-21", "统计期间不能结束于未来。"),
        ("from=2025-03-10&to=2025-03-01", "结束日期早于开始日期。"),
        ("from=2025-02-30", "请输入日期，例如 2025-03-01。"),
        ("from=2019-01-01&to=2025-03-01", "统计期间最长五年。"),
        ("district=999999", "没有这个区县。"),
        ("platform=finance/guarantee", "没有这个服务平台。"),
        ("channel=fax", "没有这个渠道。"),
        ("organisation_id=abc", "没有这个服务机构。"),
        ("organisation_id=99999", "没有这个服务机构。"),
    ],
)
def test_bad_filters_are_refused_beside_the_field(
    client: FlaskClient, month: Month, query: str, message: str
) -> None:
    login(client, month.supervisor)
    body = page(client, f"/stats?{query}", status=400)
    assert f'-error">{message}</span>' in body
    assert 'id="total-enterprises"' not in body
    page(client, f"/stats/export/district.xlsx?{query}", status=400)


def test_only_supervisors_and_admins(
    client: FlaskClient,
    month: Month,
    make_user: Callable[..., User],
    make_org: Callable[..., Organisation],
) -> None:
    assert client.get("/stats").status_code == 302  # to the login page
    login(client, month.agent)
    assert "只有班长和管理员" in page(client, "/stats", status=403)
    page(client, "/stats/export/district.csv", status=403)
    assert "统计分析" not in page(client, "/tickets")
    provider = make_user(Role.PROVIDER, month.bank)
    login(client, provider)
    page(client, "/stats", status=403)
    admin = make_user(Role.ADMIN)
    login(client, admin)
    assert "统计分析" in page(client, f"/stats?{MARCH}")
