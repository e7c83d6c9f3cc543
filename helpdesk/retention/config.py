"""How long each kind of personal data is kept, from HELPDESK_* environment variables.

HELPDESK_RETENTION_CALL_RECORDS_DAYS      callers' numbers on call records (1095)
HELPDESK_RETENTION_CHAT_TRANSCRIPTS_DAYS  chat messages, visitors' names and transcripts (1095)
HELPDESK_RETENTION_ATTACHMENTS_DAYS       uploaded files' contents (1095)
HELPDESK_RETENTION_CONTACTS_DAYS          contacts' names and numbers, counted from their last
                                          ticket or call (1095)

Three years by default: the centre's 登记备案 keeps a year's records for the annual review and
two more for complaints and audits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from helpdesk.settings import settings

KEY = "helpdesk.retention"
KINDS = ("call_records", "chat_transcripts", "attachments", "contacts")


@dataclass(frozen=True)
class RetentionConfig:
    call_records_days: int = 1095
    chat_transcripts_days: int = 1095
    attachments_days: int = 1095
    contacts_days: int = 1095

    def days(self, kind: str) -> int:
        return int(getattr(self, f"{kind}_days"))


def from_env(env: dict[str, str] | None = None) -> RetentionConfig:
    given = settings(env)
    return RetentionConfig(
        **{f"{kind}_days": int(getattr(given, f"retention_{kind}_days")) for kind in KINDS}
    )


def retention_config() -> RetentionConfig:
    """The app's settings (read at the first use; tests put their own in app.extensions)."""
    config = current_app.extensions.get(KEY)
    if config is None:
        config = current_app.extensions[KEY] = from_env()
    return config
