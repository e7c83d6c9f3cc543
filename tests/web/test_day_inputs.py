"""Days and months are typed as YYYY-MM-DD / YYYY-MM text, never <input type=date|month>, which
Chromium draws in the browser's own language (the walk of 2026-12-04: mm/dd/yyyy on the
tickets filter and statistics, "December 2026" on the monthly report, on Chinese pages)."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from flask.testing import FlaskClient

from helpdesk.auth.models import Role, User
from helpdesk.directory.models import Organisation, OrgKind
from web.helpers import login, page


@pytest.mark.parametrize(
    ("path", "names"),
    [
        ("/tickets?created_from=2026-12-01", ["created_from", "created_to"]),
        ("/stats?from=2026-12-01&to=2026-12-05", ["from", "to"]),
        ("/reports/monthly?month=2026-11", ["month"]),
    ],
)
def test_days_are_text_inputs_with_their_format(
    client: FlaskClient,
    make_org: Callable[..., Organisation],
    make_user: Callable[..., User],
    path: str,
    names: list[str],
) -> None:
    centre = make_org(OrgKind.SERVICE_CENTRE, slug="centre", name="服务中心")
    login(client, make_user(Role.SUPERVISOR, centre, name="王敏"))
    html = page(client, path)
    assert 'type="date"' not in html and 'type="month"' not in html
    for name in names:
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html)
        assert tag, name
        assert 'type="text"' in tag.group(0) and "pattern=" in tag.group(0), tag.group(0)
        assert re.search(r'placeholder="年-月(-日)?"', tag.group(0)), tag.group(0)
    first = re.search(rf'<input[^>]*name="{names[0]}"[^>]*>', html)
    assert first and re.search(r'value="2026-1[12](-01)?"', first.group(0)), first.group(0)
