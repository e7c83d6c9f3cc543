"""GET /api/v1/search and the /search page: scoped answers, and bad input told, never a 500."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import new_token
from helpdesk.search import by_phone

from .conftest import Platform

BAD_QUERIES = [
    "",
    "融",
    "x" * 10_000,
    "融资" * 5_000,
    '"',
    "*",
    "NEAR",
    "-",
    ":",
    '" * NEAR - :',
    "融资 loan guarantee",
    "ＮＥＡＲ（融资）：担保",
    "　",  # a full-width space only
]


@pytest.fixture
def api_get(client: FlaskClient, session: Session) -> Callable[..., object]:
    def get(user: User, **query: str):  # type: ignore[no-untyped-def]
        raw, digest = new_token()
        session.add(ApiToken(user_id=user.id, name="test", token_hash=digest, revoked=False))
        session.commit()
        return client.get(
            "/api/v1/search", query_string=query, headers={"Authorization": f"Bearer {raw}"}
        )

    return get


def test_api_answers_a_provider_with_its_own_tickets_and_counts(
    api_get: Callable[..., object], platform: Platform
) -> None:
    response = api_get(platform.provider_a, q="融资担保")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert body["total"] == 1
    assert [item["ticket"]["number"] for item in body["items"]] == [platform.a_loan.number]
    assert body["facets"]["organisation"] == [{"value": str(platform.org_a.id), "count": 1}]
    assert "<mark>融资担保</mark>" in body["items"][0]["highlight"]["subject"]
    assert body["enterprises"] == [] and body["enterprise_total"] == 0
    other = api_get(platform.provider_a, q="商标注册").get_json()
    assert other["total"] == 0 and all(v == [] for v in other["facets"].values())


def test_api_filters_and_orders_by_date(api_get: Callable[..., object], platform: Platform) -> None:
    body = api_get(platform.agent, q="担保", district="330106", order="date").get_json()
    assert [i["ticket"]["number"] for i in body["items"]] == [
        platform.a_complaint.number,
        platform.b_loan.number,
    ]
    refused = api_get(platform.agent, q="担保", type="bogus")
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "type"


@pytest.mark.parametrize("text", BAD_QUERIES, ids=range(len(BAD_QUERIES)))
def test_api_bad_input_is_told_by_field_never_a_500(
    api_get: Callable[..., object], platform: Platform, text: str
) -> None:
    response = api_get(platform.provider_a, q=text)
    assert response.status_code in (200, 422), response.get_data(as_text=True)[:300]
    body = response.get_json()
    if response.status_code == 422:
        assert body["error"]["field"] == "q"
        assert "SELECT" not in body["error"]["message"].upper()
    else:
        assert platform.b_loan.number not in str(body)


def test_openapi_documents_the_search(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/api/v1/search"]["get"]
    names = {p["name"] for p in operation["parameters"]}
    assert {"q", "type", "status", "channel", "platform", "district", "organisation"} <= names
    assert {"period", "order", "page", "category"} <= names
    assert "SearchResults" in document["components"]["schemas"]


def test_page_shows_hits_facets_in_chinese(
    client: FlaskClient, platform: Platform, suite_login: Callable[..., None]
) -> None:
    suite_login(client, platform.agent)
    html = client.get("/search", query_string={"q": "担保"}).get_data(as_text=True)
    assert "找到 3 个工单" in html
    for words in ("投诉", "电话", "投资融资", "西湖区", "杭州甲银行", "今日", "最近 7 天"):
        assert words in html, words
    assert "申请融资<mark>担保</mark>贷款" in html
    visible = re.sub(r"<[^>]+>", " ", html)
    assert "finance/guarantee" not in visible and "330106" not in visible  # words, not codes
    assert 'id="header-search"' not in html  # the page's own box takes "/" here
    assert 'id="header-search"' in client.get("/tickets").get_data(as_text=True)


def test_page_for_a_provider_never_names_another_organisation(
    client: FlaskClient, platform: Platform, suite_login: Callable[..., None]
) -> None:
    suite_login(client, platform.provider_a)
    html = client.get("/search", query_string={"q": "融资担保"}).get_data(as_text=True)
    assert "找到 1 个工单" in html
    assert platform.b_loan.number not in html and "浙江乙律师事务所" not in html
    assert "湖滨商贸" not in html or platform.a_loan.number in html  # only via its own ticket


def test_page_for_an_enterprise_keeps_the_portals_bar(
    client: FlaskClient, platform: Platform, suite_login: Callable[..., None]
) -> None:
    # the staff bar is not an enterprise's: without the portal's the page was a dead end
    suite_login(client, platform.ent_user)
    html = client.get("/search", query_string={"q": "融资担保"}).get_data(as_text=True)
    assert 'class="portal-nav"' in html and "提出需求" in html and "企业服务门户" in html
    suite_login(client, platform.agent)
    assert 'class="portal-nav"' not in client.get("/search?q=融资担保").get_data(as_text=True)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("融", "请至少输入两个字"),
        ("x" * 10_000, "最多搜索 100 个字"),
        ('" * - :', "只有标点"),
    ],
)
def test_page_tells_what_is_wrong_with_the_query(
    client: FlaskClient,
    platform: Platform,
    suite_login: Callable[..., None],
    text: str,
    message: str,
) -> None:
    suite_login(client, platform.agent)
    response = client.get("/search", query_string={"q": text})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_page_without_a_query_is_a_box_to_type_in(
    client: FlaskClient, platform: Platform, suite_login: Callable[..., None]
) -> None:
    suite_login(client, platform.agent)
    response = client.get("/search")
    assert response.status_code == 200
    assert 'id="search-q"' in response.get_data(as_text=True)


def test_a_callers_number_finds_their_tickets_for_the_centre_only(
    client: FlaskClient,
    platform: Platform,
    make_ticket: Callable[..., object],
    suite_login: Callable[..., None],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """flows' Monday walk: an agent typed the caller's number (as said on the phone, with
    spaces, or +86) and found nothing: numbers are not words. The centre's staff now get the
    caller's tickets; a provider, who sees numbers masked, does not look callers up."""
    mine = make_ticket(
        subject="咨询跨境电商扶持政策", contact_name="王先生", contact_phone="139 0571 1234"
    )
    make_ticket(subject="另一位来电人", contact_name="赵女士", contact_phone="13857100002")
    suite_login(client, platform.agent)
    for typed in ("13905711234", "139 0571 1234", "+86 139-0571-1234"):
        html = client.get("/search", query_string={"q": typed}).get_data(as_text=True)
        assert "来电号码 139 0571 1234 的工单" in html, typed
        assert "没有工单同时包含这些词" not in html, typed  # the words' empty result, beside them
        assert mine.number in html and "另一位来电人" not in html, typed  # type: ignore[attr-defined]
    html = client.get("/search", query_string={"q": "13700000000"}).get_data(as_text=True)
    assert "没有来电号码为此号码的工单" in html
    # more than the page lists: it says it shows the newest, not that the caller has only those
    again = make_ticket(subject="再次来电", contact_name="王先生", contact_phone="13905711234")
    monkeypatch.setattr(by_phone, "LIMIT", 1)
    html = client.get("/search", query_string={"q": "13905711234"}).get_data(as_text=True)
    assert "最近 1 张" in html and again.number in html  # type: ignore[attr-defined]
    assert mine.number not in html  # type: ignore[attr-defined]

    provider = client.application.test_client()
    suite_login(provider, platform.provider_a)
    html = provider.get("/search", query_string={"q": "13905711234"}).get_data(as_text=True)
    assert "来电号码" not in html and mine.number not in html  # type: ignore[attr-defined]
