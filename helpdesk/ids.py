"""Row ids from the outside world: positive and within 64 bits, or refused before any query.

SQLite (INTEGER) and PostgreSQL (bigint) store ids in a signed 64-bit integer; a larger number
from a form, a query string, a path or a PBX event used to reach the driver and fail there with
an OverflowError, a 500 instead of a 4xx naming the field.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

MAX_ROW_ID = 2**63 - 1


def row_id(text: object) -> int | None:
    """The id written in `text` (digits only), or None when it is not one a row can have."""
    raw = str(text).strip()
    if not raw.isdigit() or len(raw) > len(str(MAX_ROW_ID)):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ROW_ID else None


class RowIdConverter(IntegerConverter):
    """`<id:name>` in a route: 1 to 18 digits, always a possible row id. Anything else does not
    match the rule at all, so the next rule (the API's JSON 404 for unknown paths) answers."""

    regex = r"[1-9][0-9]{0,17}"
