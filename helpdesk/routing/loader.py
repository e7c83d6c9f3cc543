"""Loading a rule folder, and hot reload in every process without a restart.

Each process holds one RuleSource. At most once a second it looks at the folder's fingerprint
(file names, sizes, modification times); when that changed it reads, checks and compiles the
folder. A folder with any error never becomes active: the last good rule set stays, and the
error is logged and kept for the admin page. Organisation slugs are checked against the
directory the caller passes (the DB edge does), again only when the folder or the set of
organisations changed.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from helpdesk.routing.checks import organisation_errors, semantic_errors
from helpdesk.routing.engine import RuleSet
from helpdesk.routing.rules import load_folder
from helpdesk.routing.schema import Reference, RuleError, RuleLoadError, rule_files
from helpdesk.settings import settings

log = logging.getLogger(__name__)

DEFAULT_FOLDER = Path(__file__).resolve().parent.parent.parent / "routing_rules"
CHECK_EVERY = 1.0  # seconds between fingerprint checks in one process


def compile_folder(
    folder: Path,
    ref: Reference | None = None,
    organisations: frozenset[str] | None = None,
    version: str | None = None,
) -> RuleSet:
    """Read, check and compile a folder; RuleLoadError listing every problem. `version`: the
    label traces record (default: the folder's fingerprint)."""
    ref = ref or Reference.hangzhou()
    rules = load_folder(folder, ref)
    ruleset = RuleSet.compile(
        rules,
        version=version or fingerprint(folder)[:12],
        loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
        files=tuple(p.name for p in rule_files(folder)),
    )
    errors = semantic_errors(ruleset)
    if organisations is not None:
        errors += organisation_errors(ruleset, organisations, ref.districts)
    if errors:
        raise RuleLoadError(errors)
    return ruleset


def fingerprint(folder: Path) -> str:
    digest = hashlib.sha256()
    try:
        for path in rule_files(folder):
            stat = path.stat()
            digest.update(f"{path.name}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    except OSError:
        digest.update(b"unreadable")
    return digest.hexdigest()


@dataclass(frozen=True)
class LoadStatus:
    """The last reload attempt, for the admin page and `rules check`."""

    ok: bool
    at: str
    errors: tuple[RuleError, ...] = ()


class RuleSource:
    def __init__(
        self,
        folder: Path,
        ref: Reference | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        label: str | None = None,
    ) -> None:
        self.folder = Path(folder)
        self.label = label  # a published version's name, e.g. "v3", instead of the fingerprint
        self.ref = ref or Reference.hangzhou()
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._checked_at: float | None = None
        self._seen: tuple[str, frozenset[str] | None] | None = None
        self.active: RuleSet | None = None
        self.status: LoadStatus | None = None
        self.last_error: LoadStatus | None = None

    def current(self, organisations: frozenset[str] | None = None) -> RuleSet | None:
        """The active rule set, reloading first when the folder (or directory) changed."""
        now = self._monotonic()
        if self._checked_at is not None and now - self._checked_at < CHECK_EVERY:
            return self.active
        with self._lock:
            self._checked_at = now
            seen = (fingerprint(self.folder), organisations)
            if seen != self._seen:
                self._seen = seen
                self._reload(organisations)
        return self.active

    def reload(self, organisations: frozenset[str] | None = None) -> RuleSet | None:
        """Reload now, whatever the fingerprint says (CLI, tests)."""
        with self._lock:
            self._checked_at = self._monotonic()
            self._seen = (fingerprint(self.folder), organisations)
            self._reload(organisations)
        return self.active

    def _reload(self, organisations: frozenset[str] | None) -> None:
        at = datetime.now(UTC).isoformat(timespec="seconds")
        try:
            ruleset = compile_folder(self.folder, self.ref, organisations, self.label)
        except RuleLoadError as exc:
            self.status = self.last_error = LoadStatus(False, at, tuple(exc.errors))
            kept = f"kept rules {self.active.version}" if self.active else "no rules active"
            log.error("routing rules in %s not loaded (%s):\n%s", self.folder, kept, exc)
            return
        if self.active is None or ruleset.version != self.active.version:
            log.info(
                "routing rules %s loaded from %s: %d rules",
                ruleset.version,
                self.folder,
                len(ruleset.rules),
            )
        self.active = ruleset
        self.status = LoadStatus(True, at)


_sources: dict[Path, RuleSource] = {}
_override: Path | None = None
_guard = threading.Lock()


def rules_folder() -> Path:
    """HELPDESK_RULES_DIR, else the repository's routing_rules/ (tests may `use` another)."""
    if _override is not None:
        return _override
    return _resolved(settings().rules_dir or DEFAULT_FOLDER)


_resolved_at: dict[Path, tuple[float, Path]] = {}


def _resolved(folder: Path) -> Path:
    """`folder.resolve()`, done again at most once every CHECK_EVERY, as the folder's
    fingerprint is looked at: every new ticket asks for its rules, and resolving (a system call
    per part of the path, 16 us) cost more than the rest of finding them. So a symbolic link
    pointed at another folder is followed within CHECK_EVERY, as an edited file is."""
    now = time.monotonic()
    seen = _resolved_at.get(folder)
    if seen is None or now - seen[0] >= CHECK_EVERY:
        seen = _resolved_at[folder] = (now, folder.resolve())
    return seen[1]


def source(folder: Path | None = None, label: str | None = None) -> RuleSource:
    """This process's RuleSource for a folder (the configured one by default)."""
    path = _resolved(Path(folder)) if folder else rules_folder()
    with _guard:
        found = _sources.get(path)
        if found is None:
            found = _sources[path] = RuleSource(path, label=label)
        return found


def use(folder: Path | None) -> None:
    """Point this process at another rule folder (None: back to the configured one) and forget
    every loaded source."""
    global _override
    with _guard:
        _override = Path(folder).resolve() if folder else None
        _sources.clear()
