"""The audit key and the checkpoint file, both outside the database.

The key comes from HELPDESK_AUDIT_KEY (hex or any text), else from ``<instance>/audit.key``,
created on first use (0600). Checkpoints go to ``<instance>/audit/checkpoints.log`` (or
HELPDESK_AUDIT_CHECKPOINTS): one JSON line per sealing run with the chain head's sequence number
and hash, HMAC-signed with the key, appended under an exclusive lock and fsync'ed. Someone who
can rewrite the database but not this file and key cannot cut off the chain's tail, or rewrite
and re-hash it, without `helpdesk audit verify` noticing.
"""

from __future__ import annotations

import fcntl
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from helpdesk.audit.chain import TICKETS, Checkpoint, canonical
from helpdesk.settings import EnvSettings, settings


@dataclass(frozen=True)
class AuditFiles:
    key: bytes
    checkpoints: Path

    @classmethod
    def for_instance(cls, instance_path: Path, env: dict[str, str] | None = None) -> AuditFiles:
        given = settings(env)
        return cls(_key(instance_path, given.audit_key), _checkpoint_path(instance_path, given))


def _key(instance_path: Path, given: str | None) -> bytes:
    if given:
        return given.encode("utf-8")
    path = instance_path / "audit.key"
    try:
        return path.read_text().strip().encode("utf-8")
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as out:
        out.write(key)
    return key.encode("utf-8")


def _checkpoint_path(instance_path: Path, given: EnvSettings) -> Path:
    return given.audit_checkpoints or instance_path / "audit" / "checkpoints.log"


def _mac(key: bytes, body: dict[str, object]) -> str:
    return hmac.new(key, canonical(body).encode("utf-8"), hashlib.sha256).hexdigest()


def signed(
    files: AuditFiles,
    seq: int,
    head_hash: str,
    at: str,
    chain: str | None = None,
    chain_id: str | None = None,
) -> dict[str, object]:
    """A checkpoint with its signature: `chain` names a chain other than the ticket events'
    (lines without it are theirs); `chain_id` the chain's identity (its first record's hash)."""
    body: dict[str, object] = {"seq": seq, "hash": head_hash, "at": at}
    if chain:
        body["chain"] = chain
    if chain_id:
        body["chain_id"] = chain_id
    return {**body, "mac": _mac(files.key, body)}


def append(
    files: AuditFiles,
    seq: int,
    head_hash: str,
    at: str,
    chain: str | None = None,
    chain_id: str | None = None,
) -> dict[str, object]:
    """Append one signed line; the signed checkpoint (helpdesk.audit.twin keeps its copy)."""
    item = signed(files, seq, head_hash, at, chain, chain_id)
    line = canonical(item) + "\n"
    files.checkpoints.parent.mkdir(parents=True, exist_ok=True)
    with open(files.checkpoints, "a", encoding="utf-8") as out:
        fcntl.flock(out, fcntl.LOCK_EX)
        try:
            out.write(line)
            out.flush()
            os.fsync(out.fileno())
        finally:
            fcntl.flock(out, fcntl.LOCK_UN)
    return item


def check(files: AuditFiles, item: dict[str, object]) -> Checkpoint | None:
    """The checkpoint when its signature holds; ValueError/KeyError/TypeError if unreadable."""
    body: dict[str, object] = {
        "seq": int(item["seq"]),  # type: ignore[call-overload]
        "hash": str(item["hash"]),
        "at": str(item["at"]),
    }
    for optional in ("chain", "chain_id"):
        if item.get(optional) is not None:
            body[optional] = str(item[optional])
    if not hmac.compare_digest(_mac(files.key, body), str(item["mac"])):
        return None
    return Checkpoint(
        body["seq"],  # type: ignore[arg-type]
        body["hash"],  # type: ignore[arg-type]
        body["at"],  # type: ignore[arg-type]
        body.get("chain", TICKETS),  # type: ignore[arg-type]
        body.get("chain_id"),  # type: ignore[arg-type]
    )


def read(files: AuditFiles) -> tuple[list[Checkpoint], list[str]]:
    """Checkpoints whose signature holds, and a message for each line that does not."""
    good: list[Checkpoint] = []
    bad: list[str] = []
    try:
        lines = files.checkpoints.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return good, bad
    for number, line in enumerate(lines, 1):
        try:
            found = check(files, json.loads(line))
        except (ValueError, KeyError, TypeError):
            bad.append(f"checkpoint line {number} is unreadable")
            continue
        if found is None:
            bad.append(f"checkpoint line {number} has a bad signature (forged, or another key)")
            continue
        good.append(found)
    return good, bad
