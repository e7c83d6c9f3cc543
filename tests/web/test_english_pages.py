"""English second, but whole: every page each role may open on the demo, read after choosing
English once (`?lang=en` on the first page only), has no Chinese in its own words.

What people typed or configured stays as it was written: ticket subjects, names of enterprises
and organisations, knowledge-base articles, the routing rules' and SLA policies' descriptions,
the IVR's prompts. Everything else (labels, glosses, the marks between words) is the page's.
An element marked `lang="zh-CN"` (the language switch's 中文, the Chinese-name field) is
Chinese on purpose. The Chinese counterpart is test_chinese_pages.py, whose pages this walks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import String, Text, select

from helpdesk.extensions import db
from helpdesk.kb.markdown import plain_text
from helpdesk.routing.loader import DEFAULT_FOLDER
from web.test_chinese_pages import (
    VisibleText,
    _client,
    _pages,
    demo_pages,  # noqa: F401 (fixture)
)
from web.test_role_table import ANONYMOUS, LOGINS

IVR_FOLDER = Path(__file__).resolve().parents[2] / "ivr_scripts"
# A run of Chinese: ideographs and the full-width marks that go with them (（）：，、。；「」).
CHINESE_RUN = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]+")
IDEOGRAPH = re.compile(r"[\u4e00-\u9fff]")
VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "wbr"}


class EnglishReader(VisibleText):
    """The visible text, less what is marked as Chinese on purpose (`lang="zh…"`)."""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if (dict(attrs).get("lang") or "").lower().startswith("zh"):
            if tag not in VOID:  # its text is skipped like a `translate="no"` element's
                super().handle_starttag(tag, [*attrs, ("translate", "no")])
            return  # an input's placeholder in Chinese: read by nobody here
        super().handle_starttag(tag, attrs)


def chinese_left(html: str, data: list[str]) -> set[str]:
    """Chinese on the page that is not the demo's data.

    A run made only of data text (a name, a subject, a paragraph of an article) is data; a run
    of marks alone ("（" before an English word) or one where the page's own marks meet data
    ("杭州银行（") is the page's."""
    reader = EnglishReader()
    reader.feed(html)
    text = " ".join(reader.parts)
    found = set()
    for match in CHINESE_RUN.finditer(text):
        run = match.group()
        if IDEOGRAPH.search(run) and any(run in d for d in data):
            continue
        # marks alone belong to data written around them ("节电 20%–35%。"), whole as written
        start, end = match.start(), match.end()
        while start > 0 and not text[start - 1].isspace():
            start -= 1
        while end < len(text) and not text[end].isspace():
            end += 1
        if IDEOGRAPH.search(run) or not any(text[start:end] in d for d in data):
            found.add(run)
    return found


def test_the_reader_spares_data_and_chinese_on_purpose() -> None:
    html = (
        '<p>Ticket 申请担保贷款 <span lang="zh-CN">中文</span> 坐席</p>'
        '<p>李娜（Agent）</p><input lang="zh-CN" placeholder="股权众筹">'
        '<input placeholder="国庆节">'
    )
    data = ["申请担保贷款", "李娜", "可节电 20%–35%。"]
    assert chinese_left(html + "<p>节电 20%–35%。</p>", data) == {"坐席", "李娜（", "）", "国庆节"}


def _data(app: Flask) -> list[str]:
    """Every Chinese text of the demo's rows and of the configuration files pages show."""
    texts: set[str] = set()
    with app.app_context():
        for table in db.metadata.sorted_tables:
            columns = [c for c in table.columns if isinstance(c.type, String | Text)]
            if columns:
                for row in db.session.execute(select(*columns)):
                    texts.update(v for v in row if isinstance(v, str))
        db.session.remove()
    for folder in (DEFAULT_FOLDER, DEFAULT_FOLDER / "sla", IVR_FOLDER):
        for path in folder.glob("*.yaml"):
            texts.update(_strings(yaml.safe_load(path.read_text(encoding="utf-8"))))
    texts.update([plain_text(t) for t in texts])  # an article as its list shows it
    return [t for t in texts if IDEOGRAPH.search(t)]


def _strings(value: object) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def _english_client(app: Flask, role: str) -> FlaskClient:
    client = _client(app, role)
    client.get("/portal/login?lang=en")  # chosen once; no other URL carries it
    return client


def test_every_page_reads_in_english_once_chosen(
    app: Flask,
    demo_pages: dict[str, list[str]],  # noqa: F811
) -> None:
    data = _data(app)
    found: list[str] = []
    for role in (*LOGINS, ANONYMOUS):
        client = _english_client(app, role)
        for url, roles in _pages(demo_pages):
            if role not in roles:
                continue
            response = client.get(url)
            if response.status_code != 200 or "html" not in (response.mimetype or ""):
                continue
            html = response.get_data(as_text=True)
            assert '<html lang="en"' in html, f"{role} {url} forgot the language chosen"
            left = chinese_left(html, data)
            if left:
                found.append(f"{role} {url}: {sorted(left)}")
    assert found == [], "Chinese on English pages:\n" + "\n".join(found)


SWITCH = re.compile(r'<a href="([^"]+)" hreflang="zh-CN"')


@pytest.mark.parametrize("path", ["/portal/register", "/portal/login"])
def test_the_language_switch_after_a_refused_form_stays_on_that_form(
    app: Flask,
    demo_pages: dict[str, list[str]],  # noqa: F811
    path: str,
) -> None:
    """An enterprise whose registration or portal login was refused, switching to 中文, was
    sent to the home page, which sends a visitor to the staff login: now to the same form."""
    client = _english_client(app, ANONYMOUS)
    response = client.post(path, data={"login": "ent1", "password": "wrong"})
    assert response.status_code in (400, 401, 422)
    switch = SWITCH.search(response.get_data(as_text=True))
    assert switch is not None and switch.group(1) == f"{path}?lang=zh_CN"
