"""SLA policies edited in the console: the YAML stays the format, every save is a published
version (helpdesk.yamldocs, kind "sla") with who and when, and the newest version is what new
tickets are planned with. Each process looks the newest number up at most once a second (as
the routing rules do), so a save reaches every web process and worker within seconds.

A ticket remembers the version it was planned with (TicketSla.policy_version): an edit changes
new tickets only; existing tickets keep their due times and escalation stages.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.sla.policies import DataFileError, Policies, parse
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

KIND = "sla"
FILE = "policies.yaml"
CHECK_EVERY = 1.0  # seconds: how stale another process's save can be here

# The tests move this clock (never sleep) to cross CHECK_EVERY.
monotonic: Callable[[], float] = time.monotonic

_lock = threading.Lock()
_heads: dict[str, tuple[float, int | None]] = {}  # database -> (looked at, newest number)
_parsed: dict[tuple[str, int], Policies] = {}  # (database, number) -> its policies


def _key(session: Session) -> str:
    return str(session.get_bind().engine.url)


def newest(session: Session) -> int | None:
    """The newest saved version's number (None: nothing saved, the file is in force)."""
    key, now = _key(session), monotonic()
    seen = _heads.get(key)
    if seen is None or now - seen[0] >= CHECK_EVERY:
        head = versions.head(session, KIND)
        seen = _heads[key] = (now, head.number if head else None)
    return seen[1]


def version_policies(session: Session, number: int, day_lengths: Any) -> Policies | None:
    """The policies of a saved version (parsed once per process); None if it does not exist
    or no longer parses (then the caller falls back to the file)."""
    key = (_key(session), number)
    found = _parsed.get(key)
    if found is None:
        row = versions.get(session, KIND, number)
        if row is None or FILE not in row.files:
            return None
        try:
            found = parse(row.files[FILE], FILE, day_lengths)
        except DataFileError:
            return None
        with _lock:
            _parsed[key] = found
    return found


def current_text(session: Session, folder_file: Any) -> tuple[int | None, str]:
    """The text in force and its version number (None: the file, nothing saved yet)."""
    row = versions.latest(session, KIND)
    if row is not None and FILE in row.files:
        return row.number, row.files[FILE]
    return None, folder_file.read_text(encoding="utf-8")


def save(
    session: Session,
    actor: Any,
    text: str,
    folder: Any,
    before: dict[str, str],
    after: dict[str, str],
    base: int | None,
) -> DocumentVersion:
    """The next version with this text (checked by the caller); the first save stores the
    shipped file as version 1 first. versions.StaleEdit when another admin saved since `base`;
    the caller commits."""
    if versions.head(session, KIND) is None:
        versions.seed(session, KIND, folder)
        base = 1 if base is None else base
    row = versions.publish(
        session, actor, KIND, {FILE: text}, FILE, base=base, details=(before, after)
    )
    forget()
    return row


def listing(session: Session) -> list[DocumentVersion]:
    return versions.listing(session, KIND)


def forget() -> None:
    """This process's own save: look the newest number up again at the next ticket."""
    _heads.clear()


def reset() -> None:
    """Forget every version read (tests empty the database between runs)."""
    _heads.clear()
    with _lock:
        _parsed.clear()
