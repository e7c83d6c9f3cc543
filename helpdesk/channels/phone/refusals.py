"""Why the phone console refused a transfer, in the page's language: the service's English
("no agent '9999' to transfer to") stays for the API and the logs."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.errors import DomainError
from helpdesk.web.errors import Rules, localized

# (field the phone service names, a phrase in its English message or "", the localized message)
_RULES: Rules = [
    ("target", "required", _l("Enter where the call goes.")),
    ("target", "no agent", _l("No agent has this extension or name.")),
    ("target", "workstation", _l("No workstation or organisation has this name or code.")),
    ("target", "phone number", _l("Not a valid phone number.")),
    ("reason", "at most", _l("The text is too long.")),
    ("reason", "", _l("A reason is required.")),
    ("mode", "consultation", _l("Finish or cancel the consultation first.")),
    ("mode", "", _l("Choose how to transfer.")),
    ("kind", "", _l("Choose where to transfer to.")),
    ("call_id", "no consultation", _l("No consultation is going on for this call.")),
    ("call_id", "", _l("The call has ended.")),
]


def refusal_text(exc: DomainError) -> str:
    return localized(exc, _RULES)
