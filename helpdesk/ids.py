"""Row ids from the outside world: positive and within 64 bits, or refused before any query.

SQLite (INTEGER) and PostgreSQL (bigint) store ids in a signed 64-bit integer; a larger number
from a form, a query string, a path or a PBX event used to reach the driver and fail there with
an OverflowError, a 500 instead of a 4xx naming the field.
"""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from helpdesk.errors import InvalidInput

MAX_ROW_ID = 2**63 - 1
PATH_ID_DIGITS = 18  # every number this long fits below MAX_ROW_ID
MAX_PATH_ID = 10**PATH_ID_DIGITS - 1


def row_id(text: object) -> int | None:
    """The id written in `text` (digits only), or None when it is not one a row can have.
    The length is checked first: int() of a very long digit string is slow, then refused."""
    raw = str(text).strip()
    if not raw.isdigit() or len(raw) > len(str(MAX_ROW_ID)):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_ROW_ID else None


def required_row_id(text: object, field: str, message: str) -> int:
    """row_id(), or InvalidInput naming `field` with `message`."""
    ident = row_id(text)
    if ident is None:
        raise InvalidInput(message, field=field)
    return ident


class RowIdConverter(IntegerConverter):
    """`<id:name>` in a route: 1 to PATH_ID_DIGITS digits, always a possible row id. Anything
    else does not match the rule at all, so the next rule (the API's JSON 404) answers."""

    regex = rf"[1-9][0-9]{{0,{PATH_ID_DIGITS - 1}}}"
