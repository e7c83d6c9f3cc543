"""The knowledge base: safe Markdown, versions with who and when, review before publishing,
what each person may read and find, bad input told by field, deflection counted."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.kb import queries, service
from helpdesk.kb.markdown import excerpt, plain_text, render
from helpdesk.kb.models import Article, ArticleStatus, ArticleVersion, Deflection
from helpdesk.search.segment import query_words

from .conftest import Guides


def test_markdown_keeps_the_marks_and_never_the_html() -> None:
    html = str(
        render(
            "## 办理流程\n1. 提交需求\n2. 等待联系\n\n**注意** <script>alert(1)</script>\n"
            "[官网](https://example.cn) [坏链接](javascript:alert(1)) "
            '<img src=x onerror="alert(1)">'
        )
    )
    assert "<h3>办理流程</h3>" in html
    assert "<ol><li>提交需求</li><li>等待联系</li></ol>" in html
    assert "<strong>注意</strong>" in html
    assert '<a href="https://example.cn"' in html
    assert "<script" not in html and "&lt;script&gt;" in html
    assert "<img" not in html and "javascript:" not in html.replace("&lt;", "")


def test_an_excerpt_reads_without_the_marks_or_the_gaps_they_left() -> None:
    """Bold words in a guide's excerpt once stood apart, 实行 优惠费率 ：年化, on the search page
    and the guide lists: a mark is dropped, not turned into a space Chinese does not have."""
    source = "担保机构实行**优惠费率**：年化不超过 1%，可按 `50%` 申请*补贴*。"
    assert plain_text(source) == "担保机构实行优惠费率：年化不超过 1%，可按 50% 申请补贴。"
    assert excerpt("* 第一条：**先**登记\n* 第二条", 110) == "第一条：先登记 第二条"
    assert plain_text("Rates are **low**, see `the table`.") == "Rates are low, see the table."


def test_a_script_in_an_article_is_shown_as_text_on_its_page(
    session: Session, guides: Guides, client: FlaskClient
) -> None:
    service.save(
        session,
        guides.agent,
        guides.public,
        service.ArticleText(
            title="融资担保指南",
            body="正文<script>document.title='x'</script>",
            category="finance/guarantee",
        ),
    )
    service.submit(session, guides.agent, guides.public)
    service.publish(session, guides.supervisor, guides.public)
    session.commit()
    page = client.get(f"/kb/{guides.public.id}").get_data(as_text=True)
    assert "&lt;script&gt;document.title" in page
    assert "<script>document.title" not in page


def test_each_save_is_a_version_with_who_and_when(session: Session, guides: Guides) -> None:
    service.save(
        session,
        guides.supervisor,
        guides.public,
        service.ArticleText(title="融资担保贷款指南（修订）", body="新的正文", category="finance"),
    )
    session.commit()
    rows = queries.versions(session, guides.public.id)
    assert [v.number for v in rows] == [2, 1]
    assert rows[0].saved_by_id == guides.supervisor.id and rows[0].title.endswith("（修订）")
    assert (
        rows[1].saved_by_id == guides.agent.id and rows[1].published_by_id == guides.supervisor.id
    )
    assert rows[1].body.startswith("## 申请条件")  # the first text is kept as it was
    # Readers keep the published version while the new one waits for review.
    assert guides.public.status is ArticleStatus.DRAFT
    shown = queries.for_reader(session, guides.ent_user, guides.public.id)
    assert shown.number == 1 and shown.title == "小微企业融资担保贷款申请指南"


def test_review_before_publishing(session: Session, guides: Guides) -> None:
    import pytest

    from helpdesk.errors import Conflict, Forbidden

    with pytest.raises(Conflict):
        service.publish(session, guides.supervisor, guides.draft)  # a draft is not reviewed yet
    service.submit(session, guides.agent, guides.draft)
    with pytest.raises(Forbidden):
        service.publish(session, guides.agent, guides.draft)  # an agent does not publish
    service.publish(session, guides.supervisor, guides.draft)
    session.commit()
    assert queries.for_reader(session, guides.ent_user, guides.draft.id).number == 1


def test_a_draft_is_not_visible_to_enterprises(
    guides: Guides, client: FlaskClient, portal_login: Callable[[FlaskClient, User], None]
) -> None:
    portal_login(client, guides.ent_user)
    assert client.get(f"/kb/{guides.draft.id}").status_code == 404
    assert client.get(f"/kb/{guides.internal.id}").status_code == 404
    listing = client.get("/portal/guide").get_data(as_text=True)
    assert "融资担保贷款申请指南" in listing
    assert "征求意见稿" not in listing and "坐席受理要点" not in listing
    found = client.get("/kb/suggest", query_string={"text": "展销会补贴 坐席 担保"}).get_json()
    assert [a["id"] for a in found["articles"]] == [guides.public.id]


def test_staff_see_internal_guides_and_drafts(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    staff_login(client, guides.agent)
    listing = client.get("/kb").get_data(as_text=True)
    assert "坐席受理要点" in listing and "征求意见稿" in listing
    assert client.get(f"/kb/{guides.draft.id}").status_code == 200


def test_search_finds_articles_by_a_word_inside_a_longer_one(
    session: Session, guides: Guides
) -> None:
    hits, total = queries.search(session, guides.ent_user, query_words("融资"))
    assert total == 1 and hits[0].version.article_id == guides.public.id
    hits, total = queries.search(session, guides.provider, query_words("融资"))
    assert total == 2  # the internal guide too, for provider staff
    assert queries.search(session, guides.ent_user, query_words("征求意见稿"))[1] == 0


def test_search_page_lists_articles_scoped(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    staff_login(client, guides.provider)
    page = client.get("/search", query_string={"q": "融资"}).get_data(as_text=True)
    assert "坐席受理要点" in page and "申请指南" in page


def test_empty_and_huge_fields_are_told_in_chinese(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    staff_login(client, guides.agent)
    cases = [
        ({"title": "", "body": "正文", "category": "finance"}, "请填写文章标题"),
        ({"title": "标" * 500, "body": "正文", "category": "finance"}, "标题须为 4 至 120 个字"),
        ({"title": "融资担保指南", "body": "", "category": "finance"}, "请填写文章正文"),
        ({"title": "融资担保指南", "body": "字" * 30_000, "category": "finance"}, "正文最多"),
        ({"title": "融资担保指南", "body": "正文", "category": "no/such"}, "请从列表中选择服务"),
        (
            {"title": "融资担保指南", "body": "正文", "category": "finance", "audience": "x"},
            "请选择",
        ),
        ({"title": "融资\x00担保", "body": "正文", "category": "finance"}, "NUL"),
    ]
    for data, message in cases:
        data.setdefault("audience", "public")
        reply = client.post("/kb/new", data=data)
        assert reply.status_code in (400, 422), (data, reply.status_code)
        assert message in reply.get_data(as_text=True), (data["title"][:20], message)


def test_deflection_is_counted_and_shown_to_supervisors(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    article = str(guides.public.id)
    shown = client.post(
        "/kb/deflection", data={"event": "shown", "surface": "portal", "articles": article}
    )
    assert shown.get_json() == {"counted": 1}
    assert client.get(f"/kb/{article}?from=portal").status_code == 200  # opened
    client.post(
        "/kb/deflection", json={"event": "abandoned", "surface": "portal", "articles": [article]}
    )
    assert client.post("/kb/deflection", data={"event": "nonsense"}).status_code == 422
    events = sorted(d.event.value for d in session.scalars(select(Deflection)))
    assert events == ["abandoned", "opened", "shown"]
    staff_login(client, guides.supervisor)
    page = client.get("/kb").get_data(as_text=True)
    assert "输入时的文章推荐" in page
    row = '<tr data-surface="portal"><th>门户需求表单</th><td class="shown">1</td>'
    assert row + '<td class="opened">1</td><td class="abandoned">1</td></tr>' in page


def test_versions_are_kept_in_the_database(session: Session, guides: Guides) -> None:
    count = len(session.scalars(select(ArticleVersion)).all())
    assert count == 3
    assert session.get(Article, guides.draft.id) is not None


def test_an_empty_article_form_names_every_missing_field_at_once(
    guides: Guides, client: FlaskClient, staff_login: Callable[[FlaskClient, User], None]
) -> None:
    """Once told of the title, then the text, then the service: three submits for one form."""
    staff_login(client, guides.agent)
    reply = client.post("/kb/new", data={"title": "", "body": "", "category": "", "audience": ""})
    page = reply.get_data(as_text=True)
    assert reply.status_code == 422
    for told in ("请填写文章标题", "请填写文章正文", "请从列表中选择服务"):
        assert told in page, told
