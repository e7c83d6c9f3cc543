"""Login and logout forms; both carry a CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from helpdesk.web.page_form import PageForm


class LoginForm(PageForm):
    login = StringField(_l("Login"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    next = HiddenField()


class LogoutForm(PageForm):
    """No fields: the CSRF token alone, so another site cannot log a user out."""
