"""Attachments of guides: staff attach files through the article page (each change a new
version, reviewed like an edit), readers see them listed with names and sizes, enterprises
download a public guide's files and never an internal guide's."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import ApiToken, User
from helpdesk.auth.passwords import new_token
from helpdesk.kb import queries, service
from helpdesk.kb.models import Article, ArticleStatus

from .conftest import Guides

PDF = b"%PDF-1.4 \xe8\xb4\xb7\xe6\xac\xbe" + b"0" * 3000  # 3 KB


def _attach(client: FlaskClient, article: Article, name: str, data: bytes = PDF) -> tuple[int, str]:
    reply = client.post(
        f"/kb/{article.id}/files",
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    return reply.status_code, reply.get_data(as_text=True)


def _publish(session: Session, guides: Guides, article: Article) -> None:
    service.submit(session, guides.agent, article)
    service.publish(session, guides.supervisor, article)
    session.commit()


def _links(page: str) -> list[str]:
    return re.findall(r'href="(/kb/files/[^"]+)"', page)


def test_attaching_a_file_is_a_new_version_readers_see_once_published(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
    portal_login: Callable[[FlaskClient, User], None],
) -> None:
    staff_login(client, guides.agent)
    status, page = _attach(client, guides.public, "担保贷款申请表.pdf")
    assert status == 200 and "新版本" in page and "担保贷款申请表.pdf" in page
    # The message names the step by the button's own words (提交审核), not another (送审).
    assert "准备好后请提交审核" in page and "提交审核</button>" in page
    session.expire_all()
    assert guides.public.latest_version == 2 and guides.public.status is ArticleStatus.DRAFT
    newest = service.latest(session, guides.public)
    assert [f.filename for f in newest.files] == ["担保贷款申请表.pdf"]
    assert queries.versions(session, guides.public.id)[1].files == []  # version 1 unchanged

    # Readers keep version 1 (no file) until the new one is published.
    reader = client.application.test_client()
    portal_login(reader, guides.ent_user)
    assert "担保贷款申请表.pdf" not in reader.get(f"/kb/{guides.public.id}").get_data(as_text=True)

    _publish(session, guides, guides.public)
    page = reader.get(f"/kb/{guides.public.id}").get_data(as_text=True)
    assert "附件" in page and "担保贷款申请表.pdf" in page and "2.9 KB" in page
    [link] = _links(page)
    download = reader.get(link)
    assert download.status_code == 200 and download.data == PDF
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment;" in download.headers["Content-Disposition"]
    # A visitor without a login reads public guides, their files too.
    assert client.application.test_client().get(link).data == PDF


def test_an_internal_guides_files_are_not_for_enterprises(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
    portal_login: Callable[[FlaskClient, User], None],
) -> None:
    staff_login(client, guides.agent)
    assert _attach(client, guides.internal, "派单细则.docx")[0] == 200
    _publish(session, guides, guides.internal)
    page = client.get(f"/kb/{guides.internal.id}").get_data(as_text=True)
    [link] = _links(page)[:1]
    assert client.get(link).status_code == 200  # staff download it

    enterprise = client.application.test_client()
    portal_login(enterprise, guides.ent_user)
    assert enterprise.get(link).status_code == 404
    assert client.application.test_client().get(link).status_code == 404  # nor visitors
    provider = client.application.test_client()
    staff_login(provider, guides.provider)
    assert provider.get(link).status_code == 200  # providers read internal guides


def test_a_drafts_file_is_not_downloadable_by_readers(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    staff_login(client, guides.agent)
    _attach(client, guides.draft, "补贴测算表.xlsx")
    [stored] = service.latest(session, guides.draft).files
    assert client.application.test_client().get(f"/kb/files/{stored.key}").status_code == 404
    assert client.get(f"/kb/files/{stored.key}").status_code == 200


def test_removing_a_file_is_a_new_version_and_history_keeps_it(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    staff_login(client, guides.agent)
    _attach(client, guides.public, "申请表.pdf")
    _attach(client, guides.public, "材料清单.txt", "营业执照复印件".encode())
    session.expire_all()
    first, _second = service.latest(session, guides.public).files
    reply = client.post(f"/kb/{guides.public.id}/files/{first.key}/remove", follow_redirects=True)
    assert reply.status_code == 200 and "已移除" in reply.get_data(as_text=True)
    session.expire_all()
    assert guides.public.latest_version == 4
    assert [f.filename for f in service.latest(session, guides.public).files] == ["材料清单.txt"]
    assert [f.filename for f in service.version_of(session, guides.public.id, 3).files] == [
        "申请表.pdf",
        "材料清单.txt",
    ]
    # An edit of the text keeps the files.
    service.save(
        session,
        guides.agent,
        guides.public,
        service.ArticleText(title="融资担保贷款指南", body="新的正文", category="finance"),
    )
    session.commit()
    assert [f.filename for f in service.latest(session, guides.public).files] == ["材料清单.txt"]


def test_bad_files_are_refused_in_chinese(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    staff_login(client, guides.agent)
    # the form says which files it takes in words, from the table the check reads
    form = client.get(f"/kb/{guides.public.id}").get_data(as_text=True)
    kinds = "PDF 文档、Word 文档、Excel 表格、PowerPoint 演示文稿、ZIP 压缩包、文本文件或图片"
    assert kinds in form
    assert "不超过 1 MB" in form and "docx" not in form
    status, page = _attach(client, guides.public, "页面.html", b"<script>alert(1)</script>")
    assert status == 200 and "请附加 PDF 文档、Word 文档" in page and "docx" not in page
    status, page = _attach(client, guides.public, "空文件.pdf", b"")
    assert "文件是空的" in page
    status, page = _attach(client, guides.public, "太大.pdf", b"0" * (service.FILE_LIMIT + 1))
    assert "文件超过 1024 KB" in page
    session.expire_all()
    assert guides.public.latest_version == 1  # nothing refused made a version
    # Readers may not attach.
    reader = client.application.test_client()
    staff_login(reader, guides.provider)
    assert _attach(reader, guides.public, "申请表.pdf")[0] == 403


def test_a_file_over_the_request_limit_is_told_in_chinese_with_the_way_back(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    """A 5 MB scan met werkzeug's English "Request Entity Too Large" and no way back."""
    staff_login(client, guides.agent)
    form = f"http://localhost/kb/{guides.public.id}"
    reply = client.post(
        f"/kb/{guides.public.id}/files",
        data={"file": (io.BytesIO(b"0" * 5 * 1024 * 1024), "扫描件.pdf")},
        content_type="multipart/form-data",
        headers={"Referer": form},
    )
    page = reply.get_data(as_text=True)
    assert reply.status_code == 413
    assert "文件太大" in page and "超过 2 MB，没有保存任何内容" in page
    assert f'href="{form}"' in page and "Request Entity" not in page
    session.expire_all()
    assert guides.public.latest_version == 1


def test_the_api_lists_a_published_guides_files(
    session: Session, guides: Guides, client: FlaskClient
) -> None:
    service.attach(
        session, guides.agent, guides.public, service.Upload("申请表.pdf", "application/pdf", PDF)
    )
    _publish(session, guides, guides.public)
    raw, digest = new_token()
    session.add(ApiToken(user_id=guides.ent_user.id, name="t", token_hash=digest, revoked=False))
    session.commit()
    reply = client.get(
        f"/api/v1/articles/{guides.public.id}", headers={"Authorization": f"Bearer {raw}"}
    )
    [described] = reply.get_json()["files"]
    assert described["name"] == "申请表.pdf" and described["size"] == len(PDF)
    assert client.get(described["url"]).data == PDF
