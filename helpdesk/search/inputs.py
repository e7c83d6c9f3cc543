"""A search as asked (page or API): the words checked, the filters and order validated.

Every refusal is an InvalidInput naming its field, with a message a person can act on:
nothing typed, one character, more than QUERY_LIMIT characters, or only punctuation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

from helpdesk.errors import InvalidInput
from helpdesk.ids import required_row_id
from helpdesk.search.segment import normalise, query_words
from helpdesk.tickets.models import Channel, Status, TicketType

QUERY_LIMIT = 100
PAGE_SIZE = 20
MAX_PAGE = 50  # deeper than 1,000 hits nobody reads; narrow with a facet instead
PERIODS = {"today": 1, "week": 7, "month": 30, "year": 365}  # days (today: since midnight)
ORDERS = ("relevance", "date")
CHOICES: dict[str, list[str]] = {
    "type": [t.value for t in TicketType],
    "status": [s.value for s in Status],
    "channel": [c.value for c in Channel],
    "period": list(PERIODS),
}
FILTERS = (
    "type",
    "status",
    "channel",
    "platform",
    "category",
    "district",
    "organisation",
    "period",
)


@dataclass
class SearchRequest:
    text: str
    words: list[str]
    filters: dict[str, Any] = field(default_factory=dict)
    order: str = "relevance"
    page: int = 1

    @property
    def limit(self) -> int:
        return PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.page - 1) * PAGE_SIZE


def check_words(raw: str | None) -> tuple[str, list[str]]:
    text = " ".join((raw or "").split())
    if not text:
        raise InvalidInput(_("Type what you are looking for."), field="q")
    if len(text) > QUERY_LIMIT:
        raise InvalidInput(
            _("Search for at most %(limit)d characters.", limit=QUERY_LIMIT), field="q"
        )
    if len(normalise(text).replace(" ", "")) < 2:
        raise InvalidInput(_("Type at least two characters."), field="q")
    words = query_words(text)
    if not words:
        raise InvalidInput(_("Type words or numbers: punctuation alone finds nothing."), field="q")
    return text, words


def _filter(name: str, raw: str) -> Any:
    if name == "organisation":
        return required_row_id(raw, name, _("Choose an organisation from the list."))
    if name in CHOICES:
        if raw not in CHOICES[name]:
            raise InvalidInput(_("%(value)s is not a choice here.", value=raw[:40]), field=name)
        if name == "type":
            return TicketType(raw)
        if name == "status":
            return Status(raw)
        if name == "channel":
            return Channel(raw)
        return raw
    if len(raw) > 64:
        raise InvalidInput(_("%(value)s is not a choice here.", value=raw[:40]), field=name)
    return raw


def parse(args: Mapping[str, Any]) -> SearchRequest:
    """From query-string arguments (q, the FILTERS, order, page)."""
    text, words = check_words(args.get("q"))
    filters = {}
    for name in FILTERS:
        raw = args.get(name)
        if raw not in (None, ""):
            filters[name] = _filter(name, str(raw))
    order = str(args.get("order") or "relevance")
    if order not in ORDERS:
        raise InvalidInput(_("%(value)s is not a choice here.", value=order[:40]), field="order")
    raw_page = str(args.get("page") or "1")
    if not raw_page.isascii() or not raw_page.isdigit() or not 1 <= int(raw_page) <= MAX_PAGE:
        raise InvalidInput(
            _("The page must be a number from 1 to %(last)d.", last=MAX_PAGE), field="page"
        )
    return SearchRequest(text, words, filters, order, int(raw_page))
