"""The base of every page form: NUL characters are refused on the field that carries them.

PostgreSQL cannot store NUL in text (a 500 there) and SQLite stored it silently; no one types
one, so a form that has one is refused with that field's message, like any other bad value.
"""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm

NUL_MESSAGE = _l("This field contains a NUL character, which cannot be stored.")


def has_nul(field: Any) -> bool:
    return any(isinstance(raw, str) and "\x00" in raw for raw in field.raw_data or ())


class PageForm(FlaskForm):
    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if has_nul(field):
                field.errors = [*field.errors, NUL_MESSAGE]
                valid = False
        return valid
