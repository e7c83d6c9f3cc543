"""The catalogue page's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from helpdesk.web.page_form import PageForm


class EntryForm(PageForm):
    name_zh = StringField(_l("Chinese name"), validators=[Length(max=60)])
    name_en = StringField(_l("English name"), validators=[Length(max=80)])
    position = StringField(_l("Order"))
    version = HiddenField()


class NewEntryForm(EntryForm):
    parent = SelectField(_l("Platform"), validate_choice=False)
    code = StringField(_l("Code (letters, digits, dashes)"))


class ActiveForm(PageForm):
    version = HiddenField()
