"""The Organisations pages' forms. Choices come from the database (filled by the view); the
service checks every value again, so a forged one is refused with a field message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import Length

from helpdesk.people.forms import Checkboxes
from helpdesk.web.labels import ORG_KIND, ORG_STATUS, PROVIDER_TYPE
from helpdesk.web.page_form import PageForm


class OrgForm(PageForm):
    name = StringField(_l("Organisation name"), validators=[Length(max=120)])
    slug = StringField(_l("Code (letters, digits, dashes)"), validators=[Length(max=64)])
    kind = SelectField(_l("Kind"), choices=list(ORG_KIND.items()))
    provider_type = SelectField(
        _l("Provider type"), choices=[("", _l("None")), *PROVIDER_TYPE.items()]
    )
    capacity = StringField(_l("Capacity (open tickets at once)"))
    working_hours = StringField(_l("Working hours"))
    contact_name = StringField(_l("Contact person"))
    phone = StringField(_l("Contact phone"))
    districts = Checkboxes(_l("Districts served"), validate_choice=False)
    categories = Checkboxes(_l("Service categories"), validate_choice=False)
    version = HiddenField()


class StatusForm(PageForm):
    """Suspend or reinstate: the reason and the version the page showed."""

    reason = TextAreaField(_l("Reason"), validators=[Length(max=200)])
    version = HiddenField()


class RerouteForm(PageForm):
    number = HiddenField()  # one ticket; empty: every open ticket listed


class OrgFilter(Form):
    q = StringField(_l("Name or code"))
    kind = SelectField(_l("Kind"), choices=[("", _l("Any")), *ORG_KIND.items()])
    status = SelectField(_l("State"), choices=[("", _l("Any")), *ORG_STATUS.items()])
