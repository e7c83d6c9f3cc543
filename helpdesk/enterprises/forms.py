"""The Enterprises pages' forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, RadioField, SelectField, StringField
from wtforms.validators import Length

from helpdesk.web.labels import ENTERPRISE_SIZE
from helpdesk.web.page_form import PageForm


class EnterpriseForm(PageForm):
    name = StringField(_l("Enterprise name"), validators=[Length(max=120)])
    uscc = StringField(_l("Unified social credit code"), validators=[Length(max=18)])
    district = SelectField(_l("District"), validate_choice=False)
    industry = StringField(_l("Industry"), validators=[Length(max=60)])
    size = SelectField(
        _l("Size"), choices=[("", _l("Unknown")), *ENTERPRISE_SIZE.items()], validate_choice=False
    )
    address = StringField(_l("Address"), validators=[Length(max=200)])
    version = HiddenField()


class MergeForm(PageForm):
    """Merge another record of the same enterprise with the one on the page."""

    # required: an empty code is marked beside the field (static/forms.js) before the page
    # asks whether to merge
    other = StringField(
        _l("Credit code of the other record"),
        validators=[Length(max=18)],
        render_kw={"required": True},
    )
    keep = RadioField(
        _l("Which record to keep"),
        choices=[("this", _l("Keep this record")), ("other", _l("Keep the other record"))],
        default="this",
        validate_choice=False,
    )
    version = HiddenField()
