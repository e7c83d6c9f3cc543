"""The search results page (/search): hits with snippets, facets to narrow them, both orders."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.auth import permissions
from helpdesk.directory.models import Enterprise
from helpdesk.errors import InvalidInput
from helpdesk.search import by_phone, inputs, queries
from helpdesk.search.facets import approximate_count, facet_groups
from helpdesk.search.similar import similar_open
from helpdesk.web import db_session, install, local_time
from helpdesk.web.labels import label

blueprint = Blueprint("search", __name__)
install(blueprint)


def search_url(args: dict[str, Any], **changes: Any) -> str:
    """This search with some arguments changed (None drops one); a new filter starts at page 1."""
    kept = {k: v for k, v in args.items() if k not in ("page", "lang") and v}
    for name, value in changes.items():
        if value is None:
            kept.pop(name, None)
        else:
            kept[name] = value
    return url_for("search.results", **kept)


@blueprint.route("/search/similar")
@login_required
def similar() -> ResponseReturnValue:
    """Possible duplicates for the new-ticket form: the enterprise's open tickets with words
    in common with the subject and description typed so far."""
    user = current_user._get_current_object()
    if not permissions.can_open_staff_pages(user):
        abort(403)
    raw = request.args.get("enterprise_id", "")
    enterprise_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    uscc = request.args.get("uscc", "").strip().upper()[:18]
    session = db_session()
    if enterprise_id is None and len(uscc) == 18:
        enterprise_id = session.scalars(
            select(Enterprise.id).where(Enterprise.uscc == uscc)
        ).first()
    text = request.args.get("text", "")[:2000]
    found = similar_open(session, user, enterprise_id, text) if enterprise_id else []
    return jsonify(
        {
            "tickets": [
                {
                    "number": s.ticket.number,
                    "subject": s.ticket.subject,
                    "status": label("status", s.ticket.status),
                    "created": local_time(s.ticket.created_at),
                    "url": url_for("tickets.detail", number=s.ticket.number),
                }
                for s in found
            ]
        }
    )


@blueprint.route("/search")
@login_required
def results() -> ResponseReturnValue:
    args = request.args.to_dict()
    text = " ".join(args.get("q", "").split())[: inputs.QUERY_LIMIT * 2]
    found, error, status = None, None, 200
    try:
        asked = inputs.parse(args)
        found = queries.search(db_session(), current_user._get_current_object(), asked)
    except InvalidInput as exc:
        # No query yet is a page to type one into, not an error.
        error, status = (None, 200) if not text and exc.field == "q" else (exc.message, 400)
        asked = None
    pages = None
    if found is not None and asked is not None:
        last = min(inputs.MAX_PAGE, max(1, -(-found.total // inputs.PAGE_SIZE)))
        pages = {
            "previous": search_url(args, page=asked.page - 1) if asked.page > 1 else None,
            "next": search_url(args, page=asked.page + 1) if asked.page < last else None,
            "number": asked.page,
            "last": last,
        }
    groups = facet_groups(db_session(), found, args) if found is not None else []
    user = current_user._get_current_object()
    phone = by_phone.phone_in(text) if by_phone.may_look_up(user) else None
    return render_template(
        "search/results.html",
        phone=phone,
        phone_hits=by_phone.tickets_of(db_session(), phone) if phone else ([], False),
        q=text,
        args=args,
        found=found,
        groups=groups,
        pages=pages,
        search_error=error,
        search_url=search_url,
        portal=permissions.uses_portal(current_user),
        order=args.get("order") or "relevance",
        count_label=lambda n: approximate_count(n) if found and found.approximate else str(n),
    ), status
