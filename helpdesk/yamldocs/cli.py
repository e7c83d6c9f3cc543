"""What `helpdesk rules` and `helpdesk sla` print of a document's versions: the list (who,
when, what) and the diff of two versions, as unified-diff lines."""

from __future__ import annotations

import click
from sqlalchemy.orm import Session

from helpdesk import clock
from helpdesk.yamldocs import diff
from helpdesk.yamldocs import service as versions


def print_versions(session: Session, kind: str, nothing: str) -> None:
    """Every published version, newest first; `*` marks the one in force."""
    rows = versions.listing(session, kind)
    if not rows:
        click.echo(nothing)
    for i, row in enumerate(rows):
        what = (
            f"rollback to version {row.restored_from}"
            if row.restored_from is not None
            else row.changed or "the repository's files"
        )
        mark = "*" if i == 0 else " "
        click.echo(
            f"{mark} {row.number:4}  {row.published_at.astimezone(clock.HANGZHOU):%Y-%m-%d %H:%M}"
            f"  {row.published_by:16}  {what}  {row.digest[:12]}"
        )


def print_diff(session: Session, kind: str, old: int, new: int) -> None:
    """The changes from version `old` to version `new`, file by file; exit 1 when either
    does not exist."""
    rows = [versions.get(session, kind, n) for n in (old, new)]
    missing = [n for n, row in zip((old, new), rows, strict=True) if row is None]
    if missing:
        raise click.ClickException(f"there is no {kind} version {missing[0]}")
    a, b = rows
    assert a is not None and b is not None
    changes = diff.diff_files(dict(a.files), dict(b.files))
    if not changes:
        click.echo(f"versions {old} and {new} have the same files")
    for f in changes:
        click.echo(f"--- v{old}/{f.name}\n+++ v{new}/{f.name}")
        for line in f.lines:
            mark = {"add": "+", "remove": "-", "gap": "@@"}.get(line.kind, " ")
            click.echo("@@" if line.kind == "gap" else f"{mark}{line.text}")
