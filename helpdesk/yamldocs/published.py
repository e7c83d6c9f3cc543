"""What the routing rules, the IVR scripts and the SLA policies share once published.

Which version is in force: the newest number of every document is read with the other
reference data (helpdesk.reference_version: one SELECT at most every CHECK_EVERY, 0.5 s, per
database and process), so a publish in one process reaches every other within CHECK_EVERY, and
the process that published sees it at once (`reread`). What a version is made into (a folder
of files for a loader, parsed policies) is built once per process and database: rows are only
inserted, so a number always names the same files.

Publish and roll back: the document's own check (a callable raising its error with every
problem) runs before anything is written; with nothing published yet, the shipped folder is
stored as version 1 first.
"""

from __future__ import annotations

import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from helpdesk import reference_version
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion

T = TypeVar("T")
Check = Callable[[dict[str, str]], object]  # raises the document's error, nothing written

_lock = threading.Lock()
_built: dict[tuple[Any, str, int], Any] = {}  # (engine, kind, number) -> what it was made into
_built_generation = [-1]


def newest(session: Session, kind: str) -> int | None:
    """The newest published number (None: nothing published, the shipped files are in force),
    as another process published it at most reference_version.CHECK_EVERY ago."""
    numbers = reference_version.current(session)["documents"]
    return numbers[reference_version.DOCUMENT_KINDS.index(kind)] or None


def built(
    session: Session, kind: str, number: int, build: Callable[[DocumentVersion], T]
) -> T | None:
    """`build(row)` of version `number`, made once per process and database; None when there
    is no such version."""
    key = (reference_version.database(session), kind, number)
    with _lock:
        if _built_generation[0] != reference_version.generation():
            _built.clear()  # the database may have been emptied: numbers name other rows
            _built_generation[0] = reference_version.generation()
        if key in _built:
            return _built[key]
    row = versions.get(session, kind, number)
    found = build(row) if row is not None else None
    with _lock:
        _built[key] = found
    return found


def in_force(session: Session, kind: str, build: Callable[[DocumentVersion], T]) -> T | None:
    """`build` of the newest published version; None with nothing published."""
    number = newest(session, kind)
    return None if number is None else built(session, kind, number, build)


def reread() -> None:
    """This process published: look the newest numbers up again at the next look."""
    reference_version.reread()


def reset() -> None:
    """Forget every version built (the tests empty the database between runs)."""
    with _lock:
        _built.clear()
    reference_version.reread()


def write_folder(kind: str, row: DocumentVersion) -> Path:
    """The version's files in a folder of this process named by number and digest (written
    once and never changed, so a loader's fingerprint of it never moves)."""
    root = Path(tempfile.gettempdir()) / f"helpdesk-published-{kind}-{os.getpid()}"
    folder = root / f"v{row.number}-{row.digest[:12]}"
    if not folder.is_dir():
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=root))
        for name, text in row.files.items():
            (staging / name).write_text(text, encoding="utf-8")
        try:
            staging.rename(folder)  # atomic: a folder is complete or absent
        except OSError:  # another thread wrote it first
            for path in staging.iterdir():
                path.unlink()
            staging.rmdir()
    return folder


def files_in_force(session: Session, kind: str, shipped: Path) -> tuple[int | None, dict[str, str]]:
    """The files in force and their number (None: the shipped folder, nothing published)."""
    row = versions.latest(session, kind)
    if row is not None:
        return row.number, dict(row.files)
    return None, versions.read_folder(shipped)


def stored_or_shipped(
    session: Session, kind: str, number: int, shipped: Path
) -> DocumentVersion | None:
    """A stored version; with nothing published, version 1 is the shipped folder (a row not
    added to the session: no time, no author)."""
    row = versions.get(session, kind, number)
    if row is None and number == 1 and versions.head(session, kind) is None:
        files = versions.read_folder(shipped)
        row = DocumentVersion(
            kind=kind, number=1, files=files, digest=versions.digest_of(files),
            changed="", published_by=versions.SEEDED_BY,
        )  # fmt: skip
    return row


def publish_edit(
    session: Session,
    actor: Any,
    kind: str,
    shipped: Path,
    name: str,
    text: str,
    check: Check,
    base: int | None = None,
) -> DocumentVersion:
    """One file's new text as the next version, after `check` of all the files; the caller
    commits. versions.StaleEdit when another admin published since `base`; versions.Unchanged
    when the text is the one in force (a version that changes nothing only adds noise)."""
    number, files = files_in_force(session, kind, shipped)
    if base is not None and number is not None and base != number:
        raise versions.StaleEdit(number)
    edited = {**files, name: text.replace("\r\n", "\n")}
    if edited == files:
        raise versions.Unchanged
    check(edited)
    if number is None:
        versions.seed(session, kind, shipped)
    row = versions.publish(session, actor, kind, edited, name, base=base if number else None)
    reread()
    return row


def rollback(
    session: Session, actor: Any, kind: str, shipped: Path, number: int, check: Check
) -> DocumentVersion:
    """Publish version `number` again as the next version (its files must pass today's
    checks); LookupError when there is none. With nothing published yet, version 1 is the
    shipped folder: it is stored, and stays in force."""
    if number == 1 and versions.head(session, kind) is None:
        check(versions.read_folder(shipped))
        return versions.seed(session, kind, shipped)
    old = versions.get(session, kind, number)
    if old is None:
        raise LookupError(number)
    check(dict(old.files))
    row = versions.publish(session, actor, kind, dict(old.files), "", restored_from=number)
    reread()
    return row
