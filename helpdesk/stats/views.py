"""The statistics dashboard (统计分析) and its exports, for supervisors and administrators.

Bad filters answer 400 with the message beside the field, never a 500; a period with nothing
in it shows zeros and says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from flask import Blueprint, Response, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.errors import InvalidInput
from helpdesk.stats import exports, panels, queries
from helpdesk.stats.forms import StatsFilterForm
from helpdesk.stats.queries import StatsFilter
from helpdesk.web import choices, db_session

blueprint = Blueprint("stats", __name__)
FORMATS = {
    "csv": "text/csv",  # Flask adds "; charset=utf-8" (twice, when it was here already)
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@blueprint.before_request
@login_required
def _supervisors_only() -> ResponseReturnValue | None:
    if not permissions.can_see_statistics(current_user._get_current_object()):
        abort(403)
    return None


@blueprint.errorhandler(403)
def _forbidden(_error: Exception) -> ResponseReturnValue:
    title, message = _("Not allowed"), _("Only supervisors and administrators see statistics.")
    return render_template("error.html", title=title, message=message), 403


def _form() -> StatsFilterForm:
    s = db_session()
    form = StatsFilterForm(request.args)
    form.fill(choices.platforms(s), choices.districts(s), choices.organisations(s))
    return form


def _filters(form: StatsFilterForm) -> StatsFilter | None:
    """The filters, or None after putting the reason beside the field that caused it."""
    try:
        filters = StatsFilter.from_args(db_session(), request.args)
    except InvalidInput as exc:
        field: Any = form.field_named(exc.field)
        if field is not None:
            field.errors = [exc.message]
        else:
            form.form_errors.append(exc.message)
        return None
    form.first.data, form.last.data = filters.period.first, filters.period.last
    return filters


@blueprint.get("/stats")
def dashboard() -> ResponseReturnValue:
    form = _form()
    filters = _filters(form)
    if filters is None:
        error = _("Please correct the filters.")
        return render_template("stats/dashboard.html", form=form, error=error, total=None), 400
    s = db_session()
    built = [panels.build(s, filters, name) for name in queries.DIMENSIONS]
    charts = [
        {
            "name": p.name,
            "labels": [r.label for r in p.rows],
            "enterprises": [r.enterprises for r in p.rows],
            "tickets": [r.tickets for r in p.rows],
            "urls": [r.url for r in p.rows],
        }
        for p in built
    ]
    words = {"enterprises": _("Enterprises served"), "tickets": _("Number of tickets")}
    return render_template(
        "stats/dashboard.html",
        form=form,
        filters=filters,
        total=queries.total(s, filters),
        total_url=panels.drill_url(filters),
        panels=built,
        charts={"panels": charts, "words": words},
        export_args={k: v for k, v in request.args.items() if k != "lang" and v},
    )


@blueprint.get("/stats/export/<name>.<fmt>")
def export(name: str, fmt: str) -> ResponseReturnValue:
    if name not in queries.DIMENSIONS or fmt not in FORMATS:
        abort(404)
    form = _form()
    filters = _filters(form)
    if filters is None:
        error = _("Please correct the filters.")
        return render_template("stats/dashboard.html", form=form, error=error, total=None), 400
    s = db_session()
    panel = panels.build(s, filters, name)
    total = queries.total(s, filters) if name != "industry" else None
    header = [panel.heading, _("Enterprises served"), _("Number of tickets")]
    # A period row's first cell is its date (a date cell in xlsx); the others' is their name.
    rows: list[list[Any]] = [
        [r.key if name == "period" else r.label, r.enterprises, r.tickets] for r in panel.rows
    ]
    if total is not None:  # distinct: not the sum of the rows above
        rows.append([_("Total (each enterprise once)"), total.enterprises, total.tickets])
    period = filters.period
    filename = f"stats-{name}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{filename}"'}
    body: Iterator[str] | Iterator[bytes]
    if fmt == "csv":
        # rows are built already: no request context to keep open (stream_with_context left
        # "Popped wrong request context" when a client never read the body)
        body = exports.csv_lines(header, rows, month=panel.by_month)
    else:
        sheet = exports.xlsx_file(panel.title, header, rows, month=panel.by_month)
        body = exports.chunks(sheet)
    return Response(body, mimetype=FORMATS[fmt], headers=headers)
