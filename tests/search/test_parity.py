"""Backend parity: the same data in a SQLite database and a PostgreSQL one, the same searches
on both, and the same answers: the same tickets in the same order (relevance, then the
newest), the same totals and facet counts, the same enterprises and guides.

Needs a PostgreSQL server (HELPDESK_TEST_DATABASE_URL, as .ci/run sets); skipped without one.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from helpdesk import schema
from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Enterprise, Organisation, OrgKind
from helpdesk.directory.reference import ensure_reference_data
from helpdesk.scratch_database import scratch_database
from helpdesk.search import backends, index, inputs, queries
from helpdesk.search.models import DocumentKind
from helpdesk.tickets.models import Channel, Priority, Status, Ticket, TicketType

SUBJECTS = [
    ("申请融资担保贷款", "企业需要流动资金，询问融资担保流程。担保费率多少？"),
    ("融资担保公司收费咨询", "担保 担保 担保：收费标准"),
    ("商标注册被驳回怎么办", "商标注册申请被驳回，想请律师帮忙。"),
    ("电子商务培训报名", "网店运营培训，直播带货课程，融资也想了解。"),
    ("投诉担保费用过高", "担保公司收费过高，要求退还部分担保费。"),
    ("展销会展位补贴", "年货节展销会展位费补贴怎么申请。"),
    ("融资担保贷款进度查询", "上周提交的融资担保贷款申请，进度如何。"),
    ("合同纠纷法律咨询", "对方拖欠货款，合同约定违约金，想咨询律师。"),
]
SEARCHES: list[dict[str, str]] = [
    {"q": "担保"},
    {"q": "融资 担保"},
    {"q": "融资担保贷款"},
    {"q": "商标"},
    {"q": "培训"},
    {"q": "担保", "order": "date"},
    {"q": "担保", "status": "closed"},
    {"q": "担保", "platform": "finance"},
    {"q": "担保", "page": "2"},
    {"q": "征信"},  # internal notes: staff only
    {"q": "杭州 商贸"},  # enterprises
    {"q": "Ａ１ ＢＣ"},  # full-width, nothing matches
]


def _fill(url: str) -> None:
    """The same rows, in the same order, so ids agree too."""
    schema.upgrade(url)
    engine = create_engine(url)
    with Session(engine) as session:
        ensure_reference_data(session)
        orgs = [
            Organisation(slug=f"org-{i}", name=f"机构{i}", kind=OrgKind.PROVIDER, capacity=99)
            for i in range(2)
        ]
        session.add_all(orgs)
        session.flush()
        session.add_all(
            [
                User(login="sup", name="王敏", password_hash="x", role=Role.SUPERVISOR),
                User(
                    login="prov",
                    name="陈静",
                    password_hash="x",
                    role=Role.PROVIDER,
                    organisation_id=orgs[0].id,
                ),
            ]
        )
        for n, name in enumerate(["杭州湖滨商贸有限公司", "杭州西溪商贸有限公司", "宁波物流"]):
            enterprise = Enterprise(name=name, uscc=f"91330100MA2{n:07d}", district_code="330106")
            session.add(enterprise)
            session.flush()
            index.enterprise_changed(session, enterprise)
        start = datetime(2026, 3, 1, 9, tzinfo=UTC)
        statuses = [Status.CLOSED, Status.ASSIGNED, Status.RESOLVED]
        for i in range(48):
            subject, description = SUBJECTS[i % len(SUBJECTS)]
            # Every third ticket shares its creation time with the one before: ties on date.
            created = start + timedelta(hours=i - (i % 3 == 2))
            ticket = Ticket(
                number=f"HZ-P-{i:04d}",
                type=TicketType.COMPLAINT if "投诉" in subject else TicketType.REQUEST,
                channel=[Channel.PHONE, Channel.PORTAL, Channel.CHAT][i % 3],
                category_code=["finance/guarantee", "manage/legal", "market/exhibition"][i % 3],
                district_code=["330106", "330110"][i % 2],
                subject=subject,
                description=description,
                priority=Priority.NORMAL,
                status=statuses[i % 3],
                is_open=statuses[i % 3] is Status.ASSIGNED,
                assigned_org_id=orgs[i % 2].id,
                version=1,
                created_at=created,
                updated_at=created,
            )
            session.add(ticket)
            session.flush()
            index.ticket_created(session, ticket)
            if i % 5 == 0:
                index.comment_added(session, ticket, "经查该企业征信异常，担保需复核。", True)
            if i % 7 == 0:
                index.comment_added(session, ticket, "已转交担保公司，融资担保办理中。", False)
        from helpdesk.kb.demo import seed_articles

        users = {u.login: u for u in session.scalars(select(User))}
        writer = User(login="agent", name="李娜", password_hash="x", role=Role.AGENT)
        session.add(writer)
        session.flush()
        seed_articles(session, writer, users["sup"])
        session.commit()
    engine.dispose()


def _answers(url: str) -> list[Any]:
    engine = create_engine(url)
    found: list[Any] = []
    with Session(engine) as session:
        for login in ("sup", "prov"):
            user = session.scalars(select(User).where(User.login == login)).one()
            for args in SEARCHES:
                results = queries.search(session, user, inputs.parse(args))
                found.append(
                    {
                        "who": login,
                        "search": args,
                        "tickets": [hit.ticket.number for hit in results.tickets],
                        "total": results.total,
                        "approximate": results.approximate,
                        "facets": results.facets,
                        "enterprises": [hit.enterprise.name for hit in results.enterprises],
                        "articles": [hit.version.title for hit in results.articles],
                    }
                )
    engine.dispose()
    return found


@pytest.fixture
def postgres_url() -> Iterator[str]:
    server = os.environ.get("HELPDESK_TEST_DATABASE_URL")
    if not server:
        pytest.skip("backend parity needs a PostgreSQL server (HELPDESK_TEST_DATABASE_URL)")
    with scratch_database(server) as url:
        yield url


def test_both_backends_give_the_same_hits_in_the_same_order(
    tmp_path: Path, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'parity.sqlite3'}"
    _fill(sqlite_url)
    _fill(postgres_url)
    on_sqlite, on_postgres = _answers(sqlite_url), _answers(postgres_url)
    for lite, post in zip(on_sqlite, on_postgres, strict=True):
        assert lite == post, (lite["who"], lite["search"])
    # The comparison is not of empty lists: relevance orders, ties go to the newest.
    first = on_sqlite[0]
    assert first["total"] > 20 and len(first["tickets"]) == inputs.PAGE_SIZE
    assert first["tickets"][0] == "HZ-P-0041"  # 担保 five times, and the newest such
    both = on_sqlite[1]["tickets"]
    assert both.index("HZ-P-0046") < both.index("HZ-P-0038")  # same text: the newer first
    assert any(a["articles"] for a in on_sqlite) and any(a["enterprises"] for a in on_sqlite)
    # Above the cap (queries.CAP, 10,000 at scale; 10 here): the same newest matches read,
    # so the same approximate totals, counts and pages on both.
    monkeypatch.setattr(queries, "CAP", 10)
    capped_lite, capped_post = _answers(sqlite_url), _answers(postgres_url)
    for lite, post in zip(capped_lite, capped_post, strict=True):
        assert lite == post, ("capped", lite["who"], lite["search"])
    assert capped_lite[0]["approximate"] and capped_lite[0]["total"] == 10
    # Many words among few of the newest documents (backends.RECENT, 65,000 at scale): read
    # by walking those that hold them often, through the full-text index otherwise, then
    # the older ones; the same answers either way.
    monkeypatch.setattr(backends, "RECENT", 12)
    monkeypatch.setattr(backends, "PROBE", 6)
    with Session(create_engine(postgres_url)) as session:
        _newest, share = backends._newest_and_share(
            session, DocumentKind.TICKET, ["融资", "担保"], True, False
        )
        assert share * 12 * 4 >= 11  # walked
    walked_lite, walked_post = _answers(sqlite_url), _answers(postgres_url)
    for lite, post in zip(walked_lite, walked_post, strict=True):
        assert lite == post, ("walked", lite["who"], lite["search"])
    assert walked_lite == capped_lite
