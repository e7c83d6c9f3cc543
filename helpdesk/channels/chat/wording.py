"""What a chat refusal says to the person in front of it, in the page's language.

An ack keeps `message` (English, for integrations and logs) and adds `text`, which the widget
and the agent desk show: a visitor typing a wrong phone number reads Chinese, not
"'abc' has letters"."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from helpdesk.errors import DomainError
from helpdesk.web.errors import Rules, localized

# (field the chat service names, a phrase in its English message or "", the localized message);
# the first match wins, then the page-wide rules (phone, category, body) in web.errors
_CHAT_RULES: Rules = [
    ("name", "required", _l("Please give your name.")),
    ("name", "", _l("The name is too long.")),
    ("phone", "required", _l("Please give a phone number.")),
    ("question", "required", _l("Write your question.")),
    ("question", "", _l("The question is too long.")),
    ("body", "at most", _l("The message is too long.")),
    ("score", "ended", _l("Rate the chat once it has ended.")),
    ("score", "", _l("Choose a score from 1 to 5.")),
    ("conversation", "ended", _l("The chat has ended.")),
    ("token", "", _l("This chat was not found; please start a new one.")),
    ("conversation_id", "already taken", _l("Another agent has already taken this chat.")),
    ("conversation_id", "", _l("This chat was not found.")),
    ("limit", "", _l("You hold as many chats as you may; end one first.")),
    ("to", "choose", _l("Choose an agent or a group.")),
    ("to", "", _l("Chats go to active centre staff.")),
    ("role", "", _l("Staff answer chats at the desk; open the chat logged out to try it.")),
    ("closed", "", _l("The chat is closed now; please leave a message.")),
    ("nobody", "", _l("Nobody can answer now; please leave a message.")),
    ("messages", "", _l("Too many messages; wait a minute and try again.")),
    ("connections", "", _l("Too many connections; wait a minute and try again.")),
    ("starts", "", _l("Too many chats started; wait a minute and try again.")),
    ("attachment", "", _l("The file was not found; send it again.")),
]


def refusal_text(exc: DomainError) -> str:
    return localized(exc, _CHAT_RULES)
