"""Ticket page forms: the filters, the agent's new-ticket form, one small form per action.

Choices that come from the database (catalogue, districts, organisations, enterprises) are
filled by the view; the service checks every code again, so a forged value is still refused.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Form,
    HiddenField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional

from helpdesk.tickets.service import (
    COMMENT_LIMIT,
    DESCRIPTION_LIMIT,
    REASON_LIMIT,
    SUBJECT_LIMIT,
)
from helpdesk.web.day_field import day_field
from helpdesk.web.labels import choices
from helpdesk.web.page_form import PageForm

ANY = ("", _l("Any"))


class FilterForm(Form):
    """The list's filters: a GET form that changes nothing, so it needs no CSRF token."""

    status = SelectField(_l("Status"), validate_choice=False)
    category = SelectField(_l("Service platform"), validate_choice=False)
    district = SelectField(_l("District"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    priority = SelectField(_l("Priority"), validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), validate_choice=False)
    created_from = day_field(_l("Created from"), validators=[Optional()])
    created_to = day_field(_l("Created to"), validators=[Optional()])
    industry = SelectField(_l("Industry"), validate_choice=False)

    def fill(
        self,
        categories: list[tuple[str, str]],
        districts: list[tuple[str, str]],
        organisations: list[tuple[str, str]] | None,
        industries: list[tuple[str, str]] | None = None,
    ) -> None:
        self.status.choices = [ANY, *choices("status")]
        self.category.choices = [ANY, *categories]
        self.district.choices = [ANY, *districts]
        self.channel.choices = [ANY, *choices("channel")]
        self.priority.choices = [ANY, *choices("priority")]
        if industries is None:
            del self.industry
        else:
            self.industry.choices = [ANY, *industries]
        if organisations is None:
            del self.organisation_id
        else:
            self.organisation_id.choices = [ANY, *organisations]


class NewTicketForm(PageForm):
    """What an agent fills while the caller is on the line."""

    caller_phone = StringField(_l("Caller phone"), validators=[DataRequired(), Length(max=30)])
    caller_name = StringField(_l("Caller name"), validators=[Optional(), Length(max=60)])
    update_contact = BooleanField(_l("A known number: update the stored name instead of adding"))
    enterprise_id = SelectField(_l("Enterprise"), validate_choice=False)
    uscc = StringField(_l("or unified social credit code"), validators=[Optional(), Length(max=30)])
    category = SelectField(_l("Service"), validators=[DataRequired()], validate_choice=False)
    district = SelectField(_l("District"), validate_choice=False)
    type = SelectField(_l("Type"), choices=lambda: choices("type"), default="request")
    channel = SelectField(_l("Channel"), choices=lambda: choices("channel"), default="phone")
    priority = SelectField(_l("Priority"), choices=lambda: choices("priority"), default="normal")
    subject = StringField(_l("Subject"), validators=[DataRequired(), Length(max=SUBJECT_LIMIT)])
    description = TextAreaField(
        _l("Description"), validators=[Optional(), Length(max=DESCRIPTION_LIMIT)]
    )
    organisation_id = SelectField(_l("Send to organisation"), validate_choice=False)
    # The call this ticket is made from (the screen pop's 新建工单): linked once created.
    call_id = HiddenField(validators=[Optional(), Length(max=250)])


def _reason(label: object = None) -> TextAreaField:
    return TextAreaField(
        label or _l("Reason"), validators=[DataRequired(), Length(max=REASON_LIMIT)]
    )


class PlainActionForm(PageForm):
    """accept, start, resume, close: a button and the CSRF token."""


class AssignForm(PageForm):
    organisation_id = SelectField(
        _l("Organisation"), validate_choice=False, validators=[DataRequired()]
    )


class ReasonForm(PageForm):
    """pend, decline, reopen."""

    reason = _reason()


class ResolveForm(PageForm):
    summary = TextAreaField(
        _l("What was done"), validators=[DataRequired(), Length(max=COMMENT_LIMIT)]
    )


class TransferForm(PageForm):
    organisation_id = SelectField(
        _l("Organisation"), validate_choice=False, validators=[DataRequired()]
    )
    reason = _reason()


class CancelForm(PageForm):
    reason = SelectField(_l("Reason"), choices=lambda: choices("cancel_reason"))


class MergeForm(PageForm):
    into = StringField(
        _l("Ticket number to merge into"), validators=[DataRequired(), Length(max=20)]
    )


class CommentForm(PageForm):
    body = TextAreaField(_l("Message"), validators=[DataRequired(), Length(max=COMMENT_LIMIT)])
    internal = BooleanField(_l("Internal note (not shown to the enterprise)"))


ACTION_FORMS: dict[str, type[PageForm]] = {
    "assign": AssignForm,
    "accept": PlainActionForm,
    "start": PlainActionForm,
    "pend": ReasonForm,
    "resume": PlainActionForm,
    "resolve": ResolveForm,
    "close": PlainActionForm,
    "reopen": ReasonForm,
    "decline": ReasonForm,
    "transfer": TransferForm,
    "cancel": CancelForm,
    "merge": MergeForm,
}
