"""IVR scripts published from /admin/ivr: versions of the scripts folder kept as rows
(helpdesk.yamldocs, shared with the routing rules). The newest version is what calls run: the
loader asks `folder_in_force` for its folder inside an app context (every webhook, AGI call and
page has one); its number is read with the other reference data (helpdesk.reference_version, at
most one SELECT every 0.5 s). The loader's own cache follows a new folder at once. Nothing
published: the configured folder."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from flask import has_app_context
from sqlalchemy.orm import Session

from helpdesk.channels.phone.ivr.schema import ScriptError
from helpdesk.settings import settings
from helpdesk.yamlcheck.errors import _
from helpdesk.yamldocs import published
from helpdesk.yamldocs.models import DocumentVersion

KIND = "ivr"
_FILE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*\.ya?ml$")


class PublishError(Exception):
    def __init__(self, errors: list[ScriptError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def configured_folder() -> Path:
    from helpdesk.channels.phone.ivr import loader

    return settings().ivr_scripts or loader.DEFAULT_FOLDER


def folder_in_force() -> Path | None:
    """The newest published version's folder; None with nothing published or no app."""
    if not has_app_context():
        return None
    from helpdesk.extensions import db

    return published.in_force(db.session(), KIND, lambda row: published.write_folder(KIND, row))


def forget() -> None:
    published.reread()


def current_files(session: Session) -> tuple[int | None, dict[str, str]]:
    return published.files_in_force(session, KIND, configured_folder())


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


def _checked(files: dict[str, str]) -> None:
    problems = check(files)
    if problems:
        raise PublishError(problems)


def publish(
    session: Session, actor: Any, name: str, text: str, base: int | None = None
) -> DocumentVersion:
    return published.publish_edit(
        session, actor, KIND, configured_folder(), name, text, _checked, base=base
    )


def rollback(session: Session, actor: Any, number: int) -> DocumentVersion:
    return published.rollback(session, actor, KIND, configured_folder(), number, _checked)


def files_version(session: Session, number: int) -> DocumentVersion | None:
    return published.stored_or_shipped(session, KIND, number, configured_folder())
