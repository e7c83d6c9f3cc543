"""The article editor's form. WTForms only carries the values and the CSRF token: the service
(service.check) decides what is valid, so the page, the API and the demo share its messages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectField, StringField, TextAreaField

from helpdesk.kb.models import Audience
from helpdesk.web.page_form import PageForm


class ArticleForm(PageForm):
    title = StringField(_l("Title"))
    category = SelectField(_l("Service platform and category"), validate_choice=False)
    audience = RadioField(
        _l("Who may read it"),
        choices=[
            (Audience.PUBLIC.value, _l("Public: enterprises and visitors")),
            (Audience.INTERNAL.value, _l("Internal: staff and service providers only")),
        ],
        default=Audience.PUBLIC.value,
        validate_choice=False,
    )
    body = TextAreaField(_l("Text (Markdown: # heading, - list, **bold**, [link](https://…))"))
