"""Checkpoints in two places that check each other (issue 16 item 9): the signed file outside
the database, and the same signed lines in `audit_checkpoint`.

Each checkpoint carries its chain's identity (the hash of the chain's first record), so that a
checkpoint of another database is told apart from a truncation of this one. `verify` then
fails when a non-empty chain has no checkpoint at all (the file deleted, the table emptied)
unless told to go without.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from helpdesk.audit.chain import TICKETS, Checkpoint
from helpdesk.audit.checkpoints import AuditFiles, append, check
from helpdesk.audit.models import AuditCheckpoint


def save(
    session: Session,
    files: AuditFiles,
    seq: int,
    head_hash: str,
    at: str,
    chain: str,
    chain_id: str,
) -> None:
    """Write the checkpoint to the file, then its copy to the database; the caller commits."""
    item = append(files, seq, head_hash, at, None if chain == TICKETS else chain, chain_id)
    session.add(
        AuditCheckpoint(
            chain=chain, seq=seq, hash=head_hash, at=at, chain_id=chain_id, mac=str(item["mac"])
        )
    )


def stored(session: Session, files: AuditFiles) -> tuple[list[Checkpoint], list[str]]:
    """The database's checkpoints whose signature holds, and a message for each that does not."""
    good: list[Checkpoint] = []
    bad: list[str] = []
    for row in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id)):
        item: dict[str, object] = {"seq": row.seq, "hash": row.hash, "at": row.at,
                                   "chain_id": row.chain_id, "mac": row.mac}  # fmt: skip
        if row.chain != TICKETS:
            item["chain"] = row.chain
        found = check(files, item)
        if found is None:
            bad.append(f"checkpoint {row.id} in the database has a bad signature (forged)")
        else:
            good.append(found)
    return good, bad


@dataclass
class Sorted:
    """One chain's checkpoints after comparing the two places."""

    usable: list[Checkpoint] = field(default_factory=list)  # this chain's, from either place
    problems: list[str] = field(default_factory=list)
    other_chain: int = 0  # signed checkpoints of another chain identity (another database)


def _key(c: Checkpoint) -> tuple[int, str, str]:
    return (c.seq, c.hash, c.at)


def sort_out(
    name: str,
    chain_id: str | None,
    records: int,
    in_file: list[Checkpoint],
    in_database: list[Checkpoint],
    required: bool = True,
) -> Sorted:
    """Compare chain `name`'s checkpoints in the file and the database. `chain_id` is this
    database's identity of the chain (None when it is empty), `records` its length."""
    out = Sorted()
    label = "operations log" if name != TICKETS else "ticket chain"
    file_mine = [c for c in in_file if c.chain == name]
    db_mine = [c for c in in_database if c.chain == name]
    # lines from before identities were kept count as this chain's, as they always did
    ours = [c for c in file_mine + db_mine if c.chain_id is None or c.chain_id == chain_id]
    out.other_chain = len(file_mine) + len(db_mine) - len(ours)
    if chain_id is None and out.other_chain:
        out.problems.append(
            f"{label}: the chain is empty, yet {out.other_chain} signed checkpoint(s) name a chain:"
            " truncated to nothing, or the checkpoint file belongs to another database"
        )
    file_keys = {_key(c) for c in file_mine if c.chain_id is not None and c.chain_id == chain_id}
    db_keys = {_key(c) for c in db_mine if c.chain_id == chain_id}
    for seq, _hash, at in sorted(file_keys - db_keys):
        out.problems.append(
            f"{label}: checkpoint seq {seq} of {at} is in the checkpoint file but not in the "
            "database (deleted there)"
        )
    for seq, _hash, at in sorted(db_keys - file_keys):
        out.problems.append(
            f"{label}: checkpoint seq {seq} of {at} is in the database but not in the checkpoint "
            "file (the file was cut, replaced or deleted)"
        )
    seen: set[tuple[int, str, str]] = set()
    for c in ours:
        if _key(c) not in seen:
            seen.add(_key(c))
            out.usable.append(c)
    if required and records and not out.usable:
        out.problems.append(
            f"{label}: {records} sealed records but no checkpoint in the file or the database "
            "(both deleted?); `audit verify --no-checkpoints` checks without them"
        )
    return out
