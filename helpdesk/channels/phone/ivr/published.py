"""IVR scripts published from /admin/ivr: versions of the scripts folder kept as rows
(helpdesk.yamldocs, shared with the routing rules). The newest version is what calls run: the
loader asks `folder_in_force` for its folder, looked up at most once a second per process
inside an app context (every webhook, AGI call and page has one); the loader's own cache
follows a new folder at once. Nothing published: the configured folder."""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from helpdesk.channels.phone.ivr.schema import ScriptError
from helpdesk.yamlcheck.errors import _
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

KIND = "ivr"
CHECK_EVERY = 1.0
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.ya?ml$")
_seen: dict[str, tuple[float, Path | None]] = {}


class PublishError(Exception):
    def __init__(self, errors: list[ScriptError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def configured_folder() -> Path:
    from helpdesk.channels.phone.ivr import loader

    return Path(os.environ.get("HELPDESK_IVR_SCRIPTS") or loader.DEFAULT_FOLDER)


def _root() -> Path:
    return Path(tempfile.gettempdir()) / f"helpdesk-published-ivr-{os.getpid()}"


def _write(number: int, digest: str, files: dict[str, str]) -> Path:
    folder = _root() / f"v{number}-{digest[:12]}"
    if not folder.is_dir():
        _root().mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=_root()))
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        try:
            staging.rename(folder)  # a folder is complete or absent
        except OSError:
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    return folder


def folder_in_force() -> Path | None:
    """The newest published version's folder; None with nothing published or no app."""
    if not has_app_context():
        return None
    now = time.monotonic()
    seen = _seen.get(KIND)
    if seen is None or now - seen[0] >= CHECK_EVERY:
        from helpdesk.extensions import db

        session = db.session()
        head = versions.head(session, KIND)
        folder = None
        if head is not None:
            row = versions.get(session, KIND, head.number)
            folder = _write(head.number, head.digest, dict(row.files) if row else {})
        _seen[KIND] = seen = (now, folder)
    return seen[1]


def forget() -> None:
    _seen.clear()


def current_files(session: Session) -> tuple[int | None, dict[str, str]]:
    row = versions.latest(session, KIND)
    if row is not None:
        return row.number, dict(row.files)
    return None, versions.read_folder(configured_folder())


def check(files: dict[str, str]) -> list[ScriptError]:
    """Every problem `helpdesk ivr check` finds, per file; file names as given."""
    from helpdesk.channels.phone.ivr import checks

    problems: list[ScriptError] = []
    categories, districts = checks.reference_codes()
    with tempfile.TemporaryDirectory(prefix="helpdesk-ivr-check-") as tmp:
        for name, text in files.items():
            if not _FILE_NAME.match(name):
                problems.append(ScriptError(name, None, "file", _("lower-case name ending .yaml")))
                continue
            path = Path(tmp) / name
            path.write_text(text, encoding="utf-8")
            for p in checks.check_file(path, categories, districts):
                problems.append(ScriptError(name, p.line, p.field, p.message))
    return problems


def publish(
    session: Session, actor: Any, name: str, text: str, base: int | None = None
) -> DocumentVersion:
    number, files = current_files(session)
    if base is not None and number is not None and base != number:
        raise versions.StaleEdit(number)
    edited = {**files, name: text.replace("\r\n", "\n")}
    problems = check(edited)
    if problems:
        raise PublishError(problems)
    if number is None:
        versions.seed(session, KIND, configured_folder())
    row = versions.publish(session, actor, KIND, edited, name, base=base if number else None)
    forget()
    return row


def rollback(session: Session, actor: Any, number: int) -> DocumentVersion:
    if number == 1 and versions.head(session, KIND) is None:
        return versions.seed(session, KIND, configured_folder())
    old = versions.get(session, KIND, number)
    if old is None:
        raise LookupError(number)
    problems = check(dict(old.files))
    if problems:
        raise PublishError(problems)
    row = versions.publish(session, actor, KIND, dict(old.files), "", restored_from=number)
    forget()
    return row
