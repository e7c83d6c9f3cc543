"""Routing rules published from the browser or `helpdesk rules publish`: the YAML files stay
the format, and every published version is a row (helpdesk.yamldocs) with who and when. The
newest version is what the engine loads: each process learns its number with the other
reference data (helpdesk.reference_version, at most one SELECT every 0.5 s for all of them),
writes that version's files to a folder of its own and hands the folder to the hot reload that
already watches rule folders (loader.RuleSource). With nothing published yet the
configured folder is in force; the first publish stores it as version 1.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.routing import loader
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.schema import RuleError, RuleLoadError
from helpdesk.yamlcheck.errors import _
from helpdesk.yamldocs import published
from helpdesk.yamldocs.models import DocumentVersion

KIND = "rules"
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.ya?ml$")


class PublishError(Exception):
    """Nothing was published: the rules have errors, or the file name is not usable."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def published_folder(session: Session) -> tuple[Path, str] | None:
    """The folder of the newest published version and its label; None with nothing published.
    The newest number is read with the other reference data (yamldocs.published)."""
    folder = published.in_force(session, KIND, lambda row: published.write_folder(KIND, row))
    if folder is None:
        return None
    return folder, folder.name.split("-", 1)[0]


def active_source(session: Session) -> loader.RuleSource:
    """The RuleSource in force: the newest published version, else the configured folder."""
    found = published_folder(session)
    if found is None:
        return loader.source()
    folder, label = found
    return loader.source(folder, label=label)


def current_files(session: Session) -> tuple[int | None, dict[str, str]]:
    """The files in force and their version number (None: the folder, not yet published)."""
    return published.files_in_force(session, KIND, loader.rules_folder())


def check(files: dict[str, str], organisations: frozenset[str]) -> RuleSet:
    """Compile the files as `rules check` does (file checks, semantics, organisations);
    PublishError with every problem, each naming file and line."""
    bad = [n for n in files if not _usable_name(n)]
    if bad:
        raise PublishError(
            [
                RuleError(n, 0, "", _("a file name of letters, digits, - or _ ending in .yaml"))
                for n in bad
            ]
        )
    with tempfile.TemporaryDirectory(prefix="helpdesk-rules-check-") as tmp:
        for name, text in files.items():
            (Path(tmp) / name).write_text(text, encoding="utf-8")
        try:
            return loader.compile_folder(Path(tmp), organisations=organisations)
        except RuleLoadError as exc:
            raise PublishError(list(exc.errors)) from exc


def _usable_name(name: str) -> bool:
    return bool(_FILE_NAME.match(name))


def with_edit(files: dict[str, str], name: str, text: str) -> dict[str, str]:
    return {**files, name: text.replace("\r\n", "\n")}


def publish(
    session: Session,
    actor: Any,
    name: str,
    text: str,
    organisations: frozenset[str],
    base: int | None = None,
) -> DocumentVersion:
    """Publish one file's new text as the next version, after the checks; the caller commits.
    PublishError (nothing written) on any error; versions.StaleEdit when another admin
    published since `base`."""
    return published.publish_edit(
        session, actor, KIND, loader.rules_folder(), name, text,
        lambda files: check(files, organisations), base=base,
    )  # fmt: skip


def rollback(
    session: Session, actor: Any, number: int, organisations: frozenset[str]
) -> DocumentVersion:
    """Publish version `number` again (its files must still pass today's checks). With nothing
    published yet, version 1 is the folder in force: it is stored, and stays in force."""
    return published.rollback(
        session, actor, KIND, loader.rules_folder(), number,
        lambda files: check(files, organisations),
    )  # fmt: skip


def files_version(session: Session, number: int) -> DocumentVersion | None:
    return published.stored_or_shipped(session, KIND, number, loader.rules_folder())


def forget() -> None:
    """Look the newest version up again at the next routing decision (this process)."""
    published.reread()
