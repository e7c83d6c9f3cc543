"""Sending a guide back: the reviewer says why, and the writer reads it on the guide's page
and in their notifications, until the guide goes back for review."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from helpdesk.auth.models import User
from helpdesk.kb import service
from helpdesk.kb.models import ArticleStatus

from .conftest import Guides


def test_a_guide_is_sent_back_with_a_reason_the_writer_reads(
    session: Session,
    guides: Guides,
    client: FlaskClient,
    staff_login: Callable[[FlaskClient, User], None],
) -> None:
    service.submit(session, guides.agent, guides.draft)
    session.commit()
    page = f"/kb/{guides.draft.id}"
    staff_login(client, guides.supervisor)
    assert "退回原因" in client.get(page).get_data(as_text=True)

    # No reason: refused in Chinese, the guide still waits for review.
    told = client.post(f"{page}/send-back", data={"reason": "  "}, follow_redirects=True)
    assert "请写明退回原因" in told.get_data(as_text=True)
    session.refresh(guides.draft)
    assert guides.draft.status is ArticleStatus.REVIEW

    reason = "补贴比例请核对 2026 年新政策"
    client.post(f"{page}/send-back", data={"reason": reason})
    session.refresh(guides.draft)
    assert guides.draft.status is ArticleStatus.DRAFT

    staff_login(client, guides.agent)
    shown = client.get(page).get_data(as_text=True)
    assert reason in shown and "王敏" in shown
    alerts = client.get("/notifications").get_data(as_text=True)
    assert reason in alerts and "您编写的服务指南被退回" in alerts
    assert guides.draft.title in alerts

    # Sent for review again: the old reason is no longer shown as the current one.
    client.post(f"{page}/submit")
    assert reason not in client.get(page).get_data(as_text=True)
