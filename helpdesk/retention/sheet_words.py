"""The words of the archive's tickets.xlsx, the part of the zip meant for people: channels,
districts and statuses in Chinese, like the sheet's header, whatever the page's language
(tickets.json keeps the codes, which verification replays)."""

from __future__ import annotations

from typing import Any

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.directory.models import Region
from helpdesk.web.labels import CHANNEL, STATUS

Words = dict[str, dict[str, str]]  # column → code → words


def sheet_words(session: Session) -> Words:
    """Read once per archive, while the request or CLI command is there to translate: the
    download's body is written after the request has ended."""
    with force_locale("zh_CN"):
        channels = {code: str(text) for code, text in CHANNEL.items()}
        statuses = {code: str(text) for code, text in STATUS.items()}
    rows = session.execute(select(Region.code, Region.name_zh))
    districts = {code: name for code, name in rows}
    return {"channel": channels, "district_code": districts, "status": statuses}


def in_words(words: Words, column: str, code: Any) -> Any:
    """The code's words, or the code itself when it has none (an empty cell for none)."""
    return words[column].get(code, code) if code is not None else None
