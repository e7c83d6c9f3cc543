"""What agents get while they write: guides to link or quote in a reply (internal ones too),
and the enterprise's open tickets with the same words on the new-ticket form."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.directory.models import Enterprise
from helpdesk.tickets import service
from helpdesk.tickets.models import Ticket

from .conftest import Guides


def test_the_picker_offers_guides_with_links_and_excerpts(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    staff_login(client, guides.agent)
    found = client.get("/kb/pick", query_string={"q": "融资"}).get_json()["articles"]
    titles = {a["title"]: a for a in found}
    assert set(titles) == {"小微企业融资担保贷款申请指南", "坐席受理要点：融资类来电"}
    guide = titles["小微企业融资担保贷款申请指南"]
    assert guide["url"].endswith(f"/kb/{guides.public.id}") and guide["url"].startswith("http")
    assert guide["excerpt"].startswith("申请条件") and "**" not in guide["excerpt"]
    assert titles["坐席受理要点：融资类来电"]["internal"] is True
    page = client.get("/console").get_data(as_text=True)
    assert "插入服务指南" in page and "kb-picker.js" in page


def test_the_picker_is_not_for_enterprises(
    guides: Guides, client: FlaskClient, portal_login: Callable[[FlaskClient, User], None]
) -> None:
    portal_login(client, guides.ent_user)
    assert client.get("/kb/pick", query_string={"q": "融资"}).status_code == 403


def test_new_ticket_form_shows_the_enterprises_open_tickets_with_the_same_words(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
    make_enterprise: Callable[..., Enterprise],
    make_ticket: Callable[..., Ticket],
) -> None:
    enterprise = session.get(Enterprise, guides.ent_user.enterprise_id)
    assert enterprise is not None
    other = make_enterprise(name="杭州另一家商贸有限公司")
    loan = make_ticket(guides.agent, subject="申请融资担保贷款", enterprise_id=enterprise.id)
    make_ticket(guides.agent, subject="想参加年货节展销会", enterprise_id=enterprise.id)
    make_ticket(guides.agent, subject="申请融资担保贷款", enterprise_id=other.id)
    done = make_ticket(guides.agent, subject="担保贷款已经办好", enterprise_id=enterprise.id)
    service.cancel(session, guides.supervisor, done, "duplicate")
    session.commit()
    staff_login(client, guides.agent)
    asked = {"enterprise_id": str(enterprise.id), "text": "企业想办理担保贷款"}
    found = client.get("/search/similar", query_string=asked).get_json()["tickets"]
    assert [t["number"] for t in found] == [loan.number]
    assert found[0]["status"] and found[0]["url"] == f"/tickets/{loan.number}"
    by_code = {"uscc": enterprise.uscc, "text": "展销会"}
    found = client.get("/search/similar", query_string=by_code).get_json()["tickets"]
    assert [t["subject"] for t in found] == ["想参加年货节展销会"]
    for odd in ({"enterprise_id": "x" * 50, "text": "担保"}, {"text": ""}, {"enterprise_id": "1"}):
        assert client.get("/search/similar", query_string=odd).get_json() == {"tickets": []}
    assert "similar-tickets.js" in client.get("/tickets/new").get_data(as_text=True)


def test_similar_tickets_are_staff_only(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    staff_login(client, guides.provider)
    assert client.get("/search/similar", query_string={"text": "担保"}).status_code == 403
