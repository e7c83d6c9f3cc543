"""The dashboard's filters: a GET form that changes nothing, so it needs no CSRF token."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import Form, SelectField
from wtforms.validators import Optional

from helpdesk.web.day_field import day_field
from helpdesk.web.labels import choices

ANY = ("", _l("Any"))


class StatsFilterForm(Form):
    # Named from/to in the URL; `from` is a Python keyword, so the fields are renamed.
    first = day_field(_l("From"), validators=[Optional()], name="from")
    last = day_field(_l("To"), validators=[Optional()], name="to")
    district = SelectField(_l("District"), validate_choice=False)
    platform = SelectField(_l("Service platform"), validate_choice=False)
    channel = SelectField(_l("Channel"), validate_choice=False)
    organisation_id = SelectField(_l("Organisation"), validate_choice=False)

    def fill(
        self,
        platforms: list[tuple[str, str]],
        districts: list[tuple[str, str]],
        organisations: list[tuple[str, str]],
    ) -> None:
        self.district.choices = [ANY, *districts]
        self.platform.choices = [ANY, *platforms]
        self.channel.choices = [ANY, *choices("channel")]
        self.organisation_id.choices = [ANY, *organisations]

    def field_named(self, name: str | None) -> object | None:
        """The field a query-string argument feeds (`from` feeds `first`)."""
        for f in self:
            if f.name == name:
                return f
        return None
