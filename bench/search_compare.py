"""Every search of bench.search_1m (and a few filter and page variants) as JSON, for both of
its users, so that two trees' answers can be compared on the same database:

    cd TREE && PYTHONPATH=TREE .venv/bin/python -m bench.search_compare DB > TREE.json
    diff main.json branch.json   # nothing: the same ids, totals, facets, snippets, order

Read only; the clock frozen (the period facet counts depend on it)."""

from __future__ import annotations

import json
import re
import sys
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from bench.search_1m import QUERIES
from helpdesk import clock
from helpdesk.auth.models import User
from helpdesk.search.inputs import parse
from helpdesk.search.queries import search

VARIANTS: list[tuple[str, str, dict[str, str]]] = [
    ("word + type", "贷款", {"type": "request"}),
    ("by date, two words", "融资 担保", {"order": "date"}),
    ("page 3, three words", "冷库 节能 补贴", {"page": "3"}),
    ("status + platform", "补贴", {"status": "closed", "platform": "finance"}),
    ("period", "贷款", {"period": "year"}),
    ("organisation", "贷款", {"organisation": "7"}),
    ("service", "补贴", {"category": "finance/guarantee"}),
    ("nothing", "zzzqqq", {}),
]


def _shown(value: Any) -> str:
    return re.sub(r" at 0x[0-9a-f]+", "", repr(value))  # no object addresses


def main() -> None:
    clock.freeze(datetime(2026, 12, 6, 1, 0, tzinfo=UTC))
    engine = create_engine(f"sqlite:///file:{sys.argv[1]}?mode=ro&uri=true")
    answers: dict[str, Any] = {}
    with Session(engine) as session:
        users = {u.login: u for u in session.scalars(select(User))}
        for login in ("bench-sup", "bench-provider"):
            for name, words, extra in QUERIES + VARIANTS:
                found = search(session, users[login], parse({"q": words, **extra}))
                answers[f"{login} {name}"] = {
                    "total": found.total,
                    "approximate": found.approximate,
                    "ids": [hit.ticket.id for hit in found.tickets],
                    "subjects": [str(hit.subject) for hit in found.tickets],
                    "snippets": [str(hit.snippet) for hit in found.tickets],
                    "facets": found.facets,
                    "enterprises": [hit.enterprise.id for hit in found.enterprises],
                    "enterprise_total": found.enterprise_total,
                    "articles": [_shown(article) for article in found.articles],
                    "article_total": found.article_total,
                }
                session.rollback()
    json.dump(answers, sys.stdout, ensure_ascii=False, indent=1, sort_keys=True)


if __name__ == "__main__":
    main()
