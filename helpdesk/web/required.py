"""A required field that says which one is missing: 请填写企业名称, not the generic
该字段是必填字段 that left a long form's reader hunting for the empty box."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from wtforms.validators import DataRequired, StopValidation


class FilledIn(DataRequired):
    def __call__(self, form: Any, field: Any) -> None:
        if field.data and (not isinstance(field.data, str) or field.data.strip()):
            return
        field.errors[:] = []
        raise StopValidation(_("Please fill in %(field)s", field=field.label.text))
