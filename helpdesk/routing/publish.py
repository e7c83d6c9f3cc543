"""Routing rules published from the browser or `helpdesk rules publish`: the YAML files stay
the format, and every published version is a row (helpdesk.yamldocs) with who and when. The
newest version is what the engine loads: each process looks up its number at most once a
second, writes that version's files to a folder of its own and hands the folder to the hot
reload that already watches rule folders (loader.RuleSource). With nothing published yet the
configured folder is in force; the first publish stores it as version 1.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from helpdesk.routing import loader
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.schema import RuleError, RuleLoadError
from helpdesk.yamlcheck.errors import _
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

KIND = "rules"
CHECK_EVERY = 0.5  # seconds between look-ups of the newest version (one indexed row)
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.ya?ml$")


class PublishError(Exception):
    """Nothing was published: the rules have errors, or the file name is not usable."""

    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("\n".join(str(e) for e in errors))
        self.errors = errors


def _root() -> Path:
    return Path(tempfile.gettempdir()) / f"helpdesk-published-rules-{os.getpid()}"


def write_version(number: int, digest: str, files: dict[str, str]) -> Path:
    """The version's files in a folder named by number and digest (written once, never changed,
    so the hot reload's fingerprint of it never moves)."""
    folder = _root() / f"v{number}-{digest[:12]}"
    if not folder.is_dir():
        _root().mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=_root()))
        for name, text in files.items():
            (staging / name).write_text(text, encoding="utf-8")
        try:
            staging.rename(folder)  # atomic: a folder is complete or absent
        except OSError:  # another thread wrote it first
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    return folder


def published_folder(session: Session) -> tuple[Path, str] | None:
    """The folder of the newest published version and its label; None with nothing published.
    Looked up at most once a second per process."""
    now = time.monotonic()
    seen = loader.published.get(KIND)
    if seen is None or now - seen[0] >= CHECK_EVERY:
        head = versions.head(session, KIND)
        folder = None
        if head is not None:
            folder = _root() / f"v{head.number}-{head.digest[:12]}"
            if not folder.is_dir():
                row = versions.get(session, KIND, head.number)
                folder = write_version(head.number, head.digest, row.files if row else {})
        loader.published[KIND] = seen = (now, folder)
    if seen[1] is None:
        return None
    return seen[1], seen[1].name.split("-", 1)[0]


def active_source(session: Session) -> loader.RuleSource:
    """The RuleSource in force: the newest published version, else the configured folder."""
    found = published_folder(session)
    if found is None:
        return loader.source()
    folder, label = found
    return loader.source(folder, label=label)


def current_files(session: Session) -> tuple[int | None, dict[str, str]]:
    """The files in force and their version number (None: the folder, not yet published)."""
    row = versions.latest(session, KIND)
    if row is not None:
        return row.number, dict(row.files)
    return None, versions.read_folder(loader.rules_folder())


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
    number, files = current_files(session)
    if base is not None and number is not None and base != number:
        raise versions.StaleEdit(number)
    edited = with_edit(files, name, text)
    check(edited, organisations)
    if number is None:
        versions.seed(session, KIND, loader.rules_folder())
    row = versions.publish(session, actor, KIND, edited, name, base=base if number else None)
    forget()
    return row


def rollback(
    session: Session, actor: Any, number: int, organisations: frozenset[str]
) -> DocumentVersion:
    """Publish version `number` again (its files must still pass today's checks). With nothing
    published yet, version 1 is the folder in force: it is stored, and stays in force."""
    if number == 1 and versions.head(session, KIND) is None:
        check(versions.read_folder(loader.rules_folder()), organisations)
        return versions.seed(session, KIND, loader.rules_folder())
    old = versions.get(session, KIND, number)
    if old is None:
        raise LookupError(number)
    check(dict(old.files), organisations)
    row = versions.publish(session, actor, KIND, dict(old.files), "", restored_from=number)
    forget()
    return row


def files_version(session: Session, number: int) -> DocumentVersion | None:
    """A stored version; with nothing published, version 1 is the folder in force (a row not
    added to the session: no time, no author)."""
    row = versions.get(session, KIND, number)
    if row is None and number == 1 and versions.head(session, KIND) is None:
        files = versions.read_folder(loader.rules_folder())
        row = DocumentVersion(
            kind=KIND, number=1, files=files, digest=versions.digest_of(files),
            changed="", published_by=versions.SEEDED_BY,
        )  # fmt: skip
    return row


def forget() -> None:
    """Look the newest version up again at the next routing decision (this process)."""
    loader.published.pop(KIND, None)
