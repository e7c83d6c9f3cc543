"""The People pages' forms. Choices from the database are filled by the view; the service
checks every value again, so a forged one is still refused with a field message."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    Form,
    HiddenField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import Length

from helpdesk.web.labels import LANGUAGE as LANGUAGE_LABELS
from helpdesk.web.labels import ROLE as ROLE_LABELS
from helpdesk.web.page_form import PageForm


class Checkboxes(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PersonForm(PageForm):
    login = StringField(_l("Login"), validators=[Length(max=64)])
    name = StringField(_l("Name"), validators=[Length(max=60)])
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()))
    organisation = SelectField(_l("Organisation"), validate_choice=False)
    enterprise = StringField(_l("Enterprise (unified social credit code)"))
    # The service catalogue by name; the view fills it. Several may be chosen.
    skills = SelectMultipleField(_l("Skills (services they know)"), validate_choice=False)
    extension = StringField(_l("Extension"))
    languages = Checkboxes(
        _l("Languages"), choices=list(LANGUAGE_LABELS.items()), validate_choice=False
    )
    password = PasswordField(_l("Initial password"))
    version = HiddenField()


class PasswordResetForm(PageForm):
    password = PasswordField(_l("New password"))


class ButtonForm(PageForm):
    """Disable, enable, end sessions: the CSRF token and the version the page showed."""

    version = HiddenField()


class OwnPasswordForm(PageForm):
    current = PasswordField(_l("Current password"))
    password = PasswordField(_l("New password"))
    confirm = PasswordField(_l("New password again"))


class PeopleFilter(Form):
    q = StringField(_l("Login or name"))
    role = SelectField(_l("Role"), choices=[("", _l("Any")), *list(ROLE_LABELS.items())])
    state = SelectField(
        _l("State"),
        choices=[("", _l("Any")), ("active", _l("Active")), ("disabled", _l("Disabled"))],
    )


class ChangesFilter(Form):
    kind = SelectField(_l("Change"), validate_choice=False)
    actor = StringField(_l("By (login)"))
    target = StringField(_l("Record (login or code)"))
    since = StringField(_l("From (date)"))
    until = StringField(_l("To (date)"))
