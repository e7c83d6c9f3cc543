"""Reading pages in tests."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def csrf_token(html: str, prefix: str = "") -> str:
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)
