"""A day typed as YYYY-MM-DD whatever the browser's language (a filter's 创建日期从, the statistics'
period): <input type=date> is drawn in the browser's own locale (mm/dd/yyyy on an English
Chromium, on a Chinese page), so a text input with the format as its pattern, as
templates/_forms.html's date_input does for hand-written forms. The server reads the same text."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import DateField
from wtforms.widgets import TextInput


def day_field(label: Any, **kwargs: Any) -> DateField:
    render_kw = {
        "class": "date",
        "inputmode": "numeric",
        "maxlength": "10",
        "autocomplete": "off",
        "pattern": r"\d{4}-\d{2}-\d{2}",
        "placeholder": _l("YYYY-MM-DD"),
        "title": _l("A date such as 2025-04-01"),
    }
    return DateField(label, widget=TextInput(), render_kw=render_kw, **kwargs)
