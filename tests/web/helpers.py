"""Reading pages in tests."""

from __future__ import annotations

import re
from pathlib import Path
from types import ModuleType
from typing import Any

from flask.testing import FlaskClient

SHARED: ModuleType | None = None  # tests/conftest.py, set by tests/web/conftest.py


def csrf_token(html: str, prefix: str = "") -> str:
    name = f"{prefix}-csrf_token" if prefix else "csrf_token"
    found = re.search(rf'name="{re.escape(name)}"[^>]*value="([^"]+)"', html)
    assert found, f"no {name} in the page"
    return found.group(1)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:800]
    return response.get_data(as_text=True)


def login(client: FlaskClient, user: Any) -> None:
    """The suite's own `login`: through the real login form."""
    assert SHARED is not None
    SHARED.login(client, user)


def password() -> str:
    assert SHARED is not None
    return str(SHARED.PASSWORD)


def pages_fit(
    page: Any, base: str, pages: tuple[tuple[str, str], ...], shots: Path, full_page: bool
) -> None:
    """In a browser page: open each (url, name) in turn, check nothing runs past the viewport's
    width, and take a screenshot `shots` / f"{name}-{width}.png"."""
    width = page.viewport_size["width"]
    for url, name in pages:
        page.goto(f"{base}/{url}")
        scroll = page.evaluate("document.documentElement.scrollWidth")
        assert scroll <= width, f"/{url} is {scroll} px wide at {width}"
        page.screenshot(path=str(shots / f"{name}-{width}.png"), full_page=full_page)
