"""The calendar page's forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import Length

from helpdesk.web.page_form import PageForm


class CalendarDayForm(PageForm):
    first = StringField(_l("Date (or first day)"))
    last = StringField(_l("Last day (for a run of holidays)"))
    kind = SelectField(
        _l("Kind of day"),
        choices=[("holiday", _l("Holiday")), ("workday", _l("Make-up working day"))],
        validate_choice=False,
    )
    name = StringField(_l("Name of the day"), validators=[Length(max=40)])
    version = HiddenField()


class RemoveDayForm(PageForm):
    day = HiddenField()


class PolicyForm(PageForm):
    """The SLA policy form's fixed part; its targets and steps are named by their place in the
    file (helpdesk.sla.policy_edit) and read from the request."""

    version = HiddenField()
