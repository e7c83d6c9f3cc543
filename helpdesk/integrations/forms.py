"""The integration pages' forms; the services check every value again."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import SelectField, StringField
from wtforms.validators import Length

from helpdesk.web.labels import TOKEN_SCOPE
from helpdesk.web.page_form import PageForm


class TokenForm(PageForm):
    name = StringField(_l("Name (what uses it)"), validators=[Length(max=60)])
    login = StringField(_l("Acts as (login)"), validators=[Length(max=64)])
    scope = SelectField(_l("Scope"), choices=list(TOKEN_SCOPE.items()), validate_choice=False)
    expires = StringField(_l("Expires (date, empty for never)"), validators=[Length(max=10)])


class BlockForm(PageForm):
    number = StringField(_l("Phone number"), validators=[Length(max=40)])
    note = StringField(_l("Reason"), validators=[Length(max=200)])


class ButtonForm(PageForm):
    """Revoke, rotate, unblock: the CSRF token (and the number, for unblock)."""

    number = StringField(validators=[Length(max=40)])
