"""Punctuation in the page's language: Chinese pages take full-width marks (名称（代码）, 甲、乙,
原因：重复), English pages the ASCII ones with their spaces ("name (code)", "a, b", "Reason: x").

Marks written into a template once showed "Information & consulting、Market development" and
"（Agent）" to an English reader; every separator a page or a message builds comes from here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from flask_babel import get_locale


@dataclass(frozen=True)
class Marks:
    listing: str  # between items of a list: 、
    comma: str  # between clauses: ，
    semicolon: str  # between longer items: ；
    colon: str  # after a label: ：
    opening: str  # before a parenthesis' content: （
    closing: str  # after it: ）

    def join(self, items: Iterable[object]) -> str:
        return self.listing.join(str(item) for item in items)

    def paren(self, text: object) -> str:
        return f"{self.opening}{text}{self.closing}"


CHINESE = Marks(listing="、", comma="，", semicolon="；", colon="：", opening="（", closing="）")
ENGLISH = Marks(listing=", ", comma=", ", semicolon="; ", colon=": ", opening=" (", closing=")")


def marks() -> Marks:
    """The marks of the current page; Chinese outside a request (CLI, logs), as the platform."""
    locale = get_locale()
    return ENGLISH if locale is not None and locale.language == "en" else CHINESE
