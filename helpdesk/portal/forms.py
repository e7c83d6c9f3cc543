"""Portal forms. Choices are filled by the views; the services check every value again."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from wtforms import PasswordField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from helpdesk.directory.validation import normalise_phone, validate_uscc
from helpdesk.errors import DomainError
from helpdesk.portal.division import division
from helpdesk.portal.service import PASSWORD_MIN, check_login
from helpdesk.tickets.service import COMMENT_LIMIT, DESCRIPTION_LIMIT, REASON_LIMIT, SUBJECT_LIMIT
from helpdesk.web import labels
from helpdesk.web.errors import localized
from helpdesk.web.page_form import PageForm
from helpdesk.web.required import FilledIn


class RegisterForm(PageForm):
    name = StringField(_l("Enterprise name"), validators=[FilledIn(), Length(max=120)])
    uscc = StringField(_l("Unified social credit code"), validators=[FilledIn(), Length(max=18)])
    # left empty ("from the credit code"), it is read from the code: see validate_district
    district = SelectField(_l("District"))
    contact_name = StringField(_l("Contact person"), validators=[FilledIn(), Length(max=60)])
    phone = StringField(_l("Contact phone"), validators=[FilledIn(), Length(max=30)])
    login = StringField(_l("Login name"), validators=[FilledIn(), Length(max=64)])
    password = PasswordField(
        _l("Password"),
        validators=[
            FilledIn(),
            Length(min=PASSWORD_MIN, message=_l("The password needs at least %(min)d characters.")),
            Length(max=200),
        ],
    )

    # Checked with the required fields, so one round names every mistake (letters in the phone
    # were once reported only after the rest had been filled in).
    def validate_uscc(self, field: StringField) -> None:
        _check(lambda: validate_uscc(field.data or "", "uscc"))

    def validate_district(self, field: SelectField) -> None:
        if field.data:
            return
        found = division(self.uscc.data)
        if found and found in {code for code, _name in field.choices or ()}:
            field.data = found
        else:
            raise ValidationError(_("Please choose the district"))

    def validate_phone(self, field: StringField) -> None:
        _check(lambda: normalise_phone(field.data or "", "phone"))

    def validate_login(self, field: StringField) -> None:
        _check(lambda: check_login(field.data or ""))


def _check(parse: Callable[[], object]) -> None:
    try:
        parse()
    except DomainError as exc:
        raise ValidationError(localized(exc)) from exc


class LoginForm(PageForm):
    login = StringField(_l("Login name"), validators=[DataRequired(), Length(max=64)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class NeedForm(PageForm):
    category = SelectField(_l("Service"), validators=[Optional()], validate_choice=False)
    subject = StringField(
        _l("Your need in one line"), validators=[DataRequired(), Length(max=SUBJECT_LIMIT)]
    )
    description = TextAreaField(
        _l("More about it (optional)"), validators=[Optional(), Length(max=DESCRIPTION_LIMIT)]
    )


class ReplyForm(PageForm):
    body = TextAreaField(_l("Your reply"), validators=[Optional(), Length(max=COMMENT_LIMIT)])
    file = FileField(_l("Attach a file"))


class ReasonForm(PageForm):
    reason = TextAreaField(_l("Why?"), validators=[DataRequired(), Length(max=REASON_LIMIT)])


class RateForm(PageForm):
    score = RadioField(
        _l("Your rating"),
        choices=list(labels.SCORE.items()),
        validators=[DataRequired()],
    )
    comment = TextAreaField(
        _l("Anything to add about the service? (optional)"),
        validators=[Optional(), Length(max=1000)],
    )


class ComplaintForm(PageForm):
    description = TextAreaField(
        _l("What went wrong?"), validators=[DataRequired(), Length(max=DESCRIPTION_LIMIT)]
    )


class ConfirmForm(PageForm):
    """A button only (close: the enterprise confirms the resolution)."""
