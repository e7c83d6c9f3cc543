"""The pages every published YAML document has (/admin/rules, /admin/ivr, /admin/sla): the
versions list, one version with its diff against another, the rollback, and the message an
editor gets when someone published meanwhile. Each blueprint describes its document once
(`Document`) and routes to these; templates/yamldocs/macros.html draws the list and the diff.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from helpdesk.auth import permissions
from helpdesk.extensions import db
from helpdesk.yamldocs import diff, published
from helpdesk.yamldocs import service as versions
from helpdesk.yamldocs.models import DocumentVersion


@dataclass(frozen=True)
class Document:
    kind: str  # DocumentVersion.kind
    page: str  # endpoint of the document's own page
    version_page: str  # endpoint taking `number`
    rollback: str  # endpoint taking `number` (POST)
    title: Callable[[int], str]  # "Rules version 3", in the reader's language
    back_label: Callable[[], str]
    shipped: Callable[[], Path]  # the folder in force before the first publish
    # publish version `number` again: LookupError when there is none; `failure` when its files
    # no longer pass the checks (with `.errors`, each printable)
    restore: Callable[[Session, Any, int], DocumentVersion]
    failure: type[Exception]
    forget: Callable[[], None]  # this process published: follow at once
    # one file (the SLA policies): its name is not shown, an edit reads as these words
    edited: Callable[[], str] | None = None


def _int(raw: str | None) -> int | None:
    try:
        return int((raw or "").strip())
    except ValueError:
        return None


def listing(session: Session, doc: Document) -> dict[str, Any]:
    """What templates/yamldocs/macros.html `versions_list` needs, for the document's page."""
    head = versions.head(session, doc.kind)
    return {
        "versions": versions.listing(session, doc.kind),
        "in_force": head.number if head else None,
        "version_page": doc.version_page,
        "edited": doc.edited() if doc.edited else None,
    }


def version_page(doc: Document, number: int) -> ResponseReturnValue:
    """One version: who and when, its diff against `?against=` (default the one before)."""
    session = db.session()
    row = published.stored_or_shipped(session, doc.kind, number, doc.shipped())
    if row is None:
        abort(404)
    against = versions.get(session, doc.kind, _int(request.args.get("against")) or number - 1)
    head = versions.head(session, doc.kind)
    return render_template(
        "yamldocs/version.html",
        title=doc.title(row.number),
        back_url=url_for(doc.page),
        back_label=doc.back_label(),
        rollback_url=url_for(doc.rollback, number=row.number),
        row=row,
        against=against,
        changes=diff.diff_files(dict(against.files) if against else {}, dict(row.files)),
        in_force=head.number if head else None,
        others=versions.listing(session, doc.kind),
        may_edit=permissions.can_publish_configuration(current_user),
        edited=doc.edited() if doc.edited else None,
    )


def rollback(doc: Document, number: int) -> ResponseReturnValue:
    """Version `number` in force again as the next version (an audited event); a version
    whose files no longer pass today's checks is refused with the reasons, nothing written."""
    session = db.session()
    try:
        row = doc.restore(session, current_user._get_current_object(), number)
    except LookupError:
        abort(404)
    except doc.failure as exc:
        session.rollback()
        reasons = getattr(exc, "errors", None) or [exc]
        flash(_("Version %(n)d no longer passes the checks: %(why)s", n=number,
                why="; ".join(str(e) for e in reasons[:3])), "error")  # fmt: skip
        return redirect(url_for(doc.version_page, number=number))
    session.commit()
    doc.forget()
    flash(_("Version %(old)d is in force again, as version %(n)d.", old=number, n=row.number),
          "success")  # fmt: skip
    return redirect(url_for(doc.version_page, number=row.number))


def stale_message(latest: int) -> str:
    return _(
        "Version %(n)d was published while you edited: nothing was published. "
        "Open the file again to edit the version in force.",
        n=latest,
    )


def publish(
    doc: Document,
    run: Callable[[], DocumentVersion],
    refused: Callable[[str, int], ResponseReturnValue],
    done: Callable[[int], str],
) -> ResponseReturnValue:
    """Publish the checked edit (`run`), commit, follow at once, and show the new version.
    Nothing written, the editor shown again with `refused(message, status)`: someone else
    published since the editor opened it (409), or the text is the one in force (422)."""
    session = db.session()
    try:
        row = run()
    except versions.StaleEdit as exc:
        session.rollback()
        return refused(stale_message(exc.latest), 409)
    except versions.Unchanged:
        session.rollback()
        return refused(_("Nothing was changed, so there is nothing to publish."), 422)
    session.commit()
    doc.forget()
    flash(done(row.number), "success")
    return redirect(url_for(doc.version_page, number=row.number))
