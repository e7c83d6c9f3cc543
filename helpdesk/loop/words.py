"""Messages of the loop's services in the page's language, and in plain English (the msgid)
where no request is being answered (an RQ job, the CLI, a test calling the service)."""

from __future__ import annotations

from typing import Any

from flask import has_request_context
from flask_babel import gettext


def say(message: str, **values: Any) -> str:
    if has_request_context():
        return gettext(message, **values)
    return message % values if values else message
