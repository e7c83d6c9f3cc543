"""Knowledge-base pages: browse (/kb, and the portal's 服务导航 /portal/guide), read an article,
write and review (staff), and the small JSON endpoints the forms use while people type:
suggestions for enterprises, deflection counts, and the agents' article picker."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from helpdesk.auth import permissions
from helpdesk.auth.models import User
from helpdesk.directory.models import ServiceCategory
from helpdesk.errors import DomainError, InvalidInput, NotFound
from helpdesk.extensions import csrf, db
from helpdesk.kb import deflection, file_kinds, queries, service
from helpdesk.kb.forms import ArticleForm
from helpdesk.kb.markdown import excerpt, render
from helpdesk.kb.models import Article, ArticleVersion, Audience, DeflectionEvent
from helpdesk.portal import files
from helpdesk.portal.limiter import limiter
from helpdesk.search.segment import query_words
from helpdesk.web import db_session, install, localized_name

blueprint = Blueprint("kb", __name__)
install(blueprint)

SURFACES = ("portal", "chat")


@blueprint.errorhandler(404)
@blueprint.errorhandler(NotFound)
def _missing(exc: Exception) -> ResponseReturnValue:
    """A draft, an internal guide or no article at all: told alike, in the reader's frame."""
    return render_template("kb/missing.html", portal=_portal_style()), 404


@blueprint.errorhandler(403)
def _refused(exc: Exception) -> ResponseReturnValue:
    return render_template("kb/missing.html", portal=_portal_style(), refused=True), 403


def _user() -> Any:
    return current_user._get_current_object()


def _is_editor() -> bool:
    return permissions.can_edit_articles(_user())


def _portal_style() -> bool:
    """Enterprises and visitors read the guides inside the portal's frame."""
    return permissions.reads_in_portal_frame(current_user)


def _catalogue() -> list[tuple[ServiceCategory, list[ServiceCategory]]]:
    everything = list(
        db_session().scalars(
            select(ServiceCategory).order_by(ServiceCategory.position, ServiceCategory.code)
        )
    )
    tops = [c for c in everything if c.parent_code is None and c.code != "complaint"]
    return [(top, [c for c in everything if c.parent_code == top.code]) for top in tops]


def _browse(portal: bool) -> ResponseReturnValue:
    session, user = db_session(), _user()
    platform = request.args.get("platform", "")[:64] or None
    category = request.args.get("category", "")[:64] or None
    q = " ".join(request.args.get("q", "").split())[:100]
    catalogue = _catalogue()
    found: list[ArticleVersion]
    if q:
        hits, _total = queries.search(session, user, query_words(q), limit=50)
        found = [hit.version for hit in hits]
    else:
        found = queries.browse(session, user, platform, category)
    names = {c.code: localized_name(c) for top, subs in catalogue for c in (top, *subs)}
    counts = queries.counts_by_category(session, user)
    totals = {top.code: sum(counts[c.code] for c in (top, *subs)) for top, subs in catalogue}
    return render_template(
        "kb/index.html",
        portal=portal,
        catalogue=catalogue,
        counts=counts,
        totals=totals,
        articles=found,
        names=names,
        platform=platform,
        category=category,
        q=q,
        excerpt=excerpt,
        drafts=queries.unpublished(session) if _is_editor() else [],
        deflection=queries.deflection_counts(session)
        if current_user.is_authenticated and permissions.can_supervise(user)
        else None,
    )


@blueprint.route("/kb")
def index() -> ResponseReturnValue:
    return _browse(portal=_portal_style())


@blueprint.route("/portal/guide")
def guide() -> ResponseReturnValue:
    return _browse(portal=True)


@blueprint.route("/kb/<id:article_id>")
def article(article_id: int) -> ResponseReturnValue:
    session, user = db_session(), _user()
    came_from = request.args.get("from")
    editing: Article | None = None
    published: ArticleVersion | None = None
    try:
        published = queries.for_reader(session, user, article_id)
    except NotFound:
        if not _is_editor():
            abort(404)
    if _is_editor():
        editing = queries.for_editor(session, user, article_id)
    if came_from in SURFACES and published is not None:
        event, surface = deflection.parse(DeflectionEvent.OPENED.value, came_from)
        deflection.record(session, event, surface, [article_id])
        db.session.commit()
    shown = published
    newest = service.latest(session, editing) if editing else None
    title = published.title if published else editing.title if editing else ""
    body = published.body if published else editing.body if editing else ""
    return render_template(
        "kb/article.html",
        portal=_portal_style(),
        version=shown,
        article=editing,
        title=title,
        html=render(body),
        category=(published or editing).category,  # type: ignore[union-attr]
        versions=queries.versions(session, article_id) if editing else [],
        newest=newest,
        sent_back=queries.sent_back_reason(session, editing) if editing else None,
        file_hint=file_kinds.hint(service.FILE_LIMIT),
        can_publish=current_user.is_authenticated and permissions.can_publish_articles(user),
    )


def _category_choices() -> list[tuple[str, str]]:
    found = [("", _("Choose…"))]
    for top, subs in _catalogue():
        found.append((top.code, localized_name(top)))
        found.extend((c.code, f"{localized_name(top)} · {localized_name(c)}") for c in subs)
    return found


def _editor_only() -> User:
    if not current_user.is_authenticated:
        abort(401)
    if not _is_editor():
        abort(403)
    return _user()


def _editor(article: Article | None) -> ResponseReturnValue:
    user = _editor_only()
    form = ArticleForm(obj=article)
    form.category.choices = _category_choices()
    if request.method == "GET" and article is not None:
        form.category.data, form.audience.data = article.category_code, article.audience.value
    if request.method == "POST":
        if not form.validate_on_submit():
            return render_template("kb/edit.html", form=form, article=article), 400
        text = service.ArticleText(
            title=form.title.data or "",
            body=form.body.data or "",
            category=form.category.data or "",
            audience=form.audience.data or "",
        )
        try:
            if article is None:
                article = service.create(db_session(), user, text)
            else:
                service.save(db_session(), user, article, text)
            article_id = article.id
            db.session.commit()
        except DomainError as exc:
            db.session.rollback()
            message = exc.message
            for name, text in getattr(exc, "errors", {exc.field or "": exc.message}).items():
                target = getattr(form, name, None)
                if target is not None and hasattr(target, "errors"):
                    target.errors = [*target.errors, text]
                    message = _("Please correct the form below.")
            return render_template("kb/edit.html", form=form, article=article, error=message), 422
        flash(_("Saved as a draft. Send it for review when it is ready."), "success")
        return redirect(url_for("kb.article", article_id=article_id))
    return render_template("kb/edit.html", form=form, article=article)


@blueprint.route("/kb/new", methods=["GET", "POST"])
@login_required
def new() -> ResponseReturnValue:
    return _editor(None)


@blueprint.route("/kb/<id:article_id>/edit", methods=["GET", "POST"])
@login_required
def edit(article_id: int) -> ResponseReturnValue:
    _editor_only()
    return _editor(queries.for_editor(db_session(), _user(), article_id))


def _step(article_id: int, allowed: bool, step: Any, done: str) -> ResponseReturnValue:
    if not allowed:
        abort(403)
    session = db_session()
    article = queries.for_editor(session, _user(), article_id)
    try:
        step(session, _user(), article)
        db.session.commit()
        flash(done, "success")
    except DomainError as exc:
        db.session.rollback()
        flash(exc.message, "error")
    return redirect(url_for("kb.article", article_id=article_id))


@blueprint.route("/kb/<id:article_id>/submit", methods=["POST"])
@login_required
def submit(article_id: int) -> ResponseReturnValue:
    return _step(article_id, _is_editor(), service.submit, _("Sent for review."))


@blueprint.route("/kb/<id:article_id>/publish", methods=["POST"])
@login_required
def publish(article_id: int) -> ResponseReturnValue:
    allowed = permissions.can_publish_articles(_user())
    return _step(article_id, allowed, service.publish, _("Published."))


@blueprint.route("/kb/<id:article_id>/send-back", methods=["POST"])
@login_required
def send_back(article_id: int) -> ResponseReturnValue:
    allowed = permissions.can_publish_articles(_user())
    reason = request.form.get("reason", "")[:2000]

    def step(session: Any, user: User, article: Article) -> None:
        service.send_back(session, user, article, reason)

    return _step(article_id, allowed, step, _("Sent back to the writer as a draft."))


@blueprint.route("/kb/<id:article_id>/files", methods=["POST"])
@login_required
def attach(article_id: int) -> ResponseReturnValue:
    """A file added to the guide: a new version, to be reviewed and published like an edit."""
    upload = request.files.get("file")
    data = upload.stream.read(service.FILE_LIMIT + 1) if upload else b""

    def step(session: Any, user: User, article: Article) -> None:
        service.attach(
            session,
            user,
            article,
            service.Upload(
                filename=(upload.filename or "") if upload else "",
                content_type=upload.mimetype if upload else "",
                data=data,
            ),
        )

    done = _("File attached: a new version. Send it for review when it is ready.")
    return _step(article_id, _is_editor(), step, done)


@blueprint.route("/kb/<id:article_id>/files/<file_key>/remove", methods=["POST"])
@login_required
def detach(article_id: int, file_key: str) -> ResponseReturnValue:
    def step(session: Any, user: User, article: Article) -> None:
        service.detach(session, user, article, file_key[:43])

    done = _("File removed: a new version. Send it for review when it is ready.")
    return _step(article_id, _is_editor(), step, done)


@blueprint.route("/kb/files/<file_key>")
def download(file_key: str) -> ResponseReturnValue:
    """A guide's file: anyone who may read the published guide; editors any version's."""
    return files.download(queries.file_for(db_session(), _user(), file_key))


@blueprint.route("/kb/suggest")
def suggest() -> ResponseReturnValue:
    """Articles for what an enterprise is typing (the portal's need form, the pre-chat form)."""
    text = request.args.get("text", "")[:2000]
    surface = request.args.get("from", "portal")
    if surface not in SURFACES:
        surface = "portal"
    found = queries.suggest(db_session(), _user(), text) if text.strip() else []
    return jsonify(
        {
            "articles": [
                {
                    "id": v.article_id,
                    "title": v.title,
                    "excerpt": excerpt(v.body, 70),
                    "url": url_for("kb.article", article_id=v.article_id) + f"?from={surface}",
                }
                for v in found
            ]
        }
    )


@blueprint.route("/kb/deflection", methods=["POST"])
@csrf.exempt  # a counter, sent by sendBeacon as a page is left; a forged post only adds a count
@limiter.limit("120/minute")
def count_deflection() -> ResponseReturnValue:
    """{event, surface, articles}: as a form (sendBeacon) or JSON; unknown ids are ignored."""
    sent = request.get_json(silent=True) if request.is_json else request.form
    data: Any = sent if hasattr(sent, "get") else {}
    try:
        event, surface = deflection.parse(str(data.get("event", "")), str(data.get("surface", "")))
        raw = data.get("articles", "")
        pieces = raw if isinstance(raw, list) else str(raw).split(",")
        ids = [int(p) for p in pieces if str(p).strip().isdigit() and len(str(p).strip()) < 10]
    except InvalidInput:
        return jsonify({"error": _("Unknown event.")}), 422
    counted = deflection.record(db_session(), event, surface, ids)
    db.session.commit()
    return jsonify({"counted": counted})


@blueprint.route("/kb/pick")
@login_required
def pick() -> ResponseReturnValue:
    """The agents' picker: articles (internal ones too) to link or quote in a reply."""
    if not permissions.can_use_desk(_user()):
        abort(403)
    words = query_words(" ".join(request.args.get("q", "").split())[:100])
    session = db_session()
    if words:
        versions = queries.suggest(session, _user(), " ".join(words))
    else:
        versions = queries.browse(session, _user())[:8]
    return jsonify(
        {
            "articles": [
                {
                    "id": v.article_id,
                    "title": v.title,
                    "internal": v.audience is Audience.INTERNAL,
                    "excerpt": excerpt(v.body, 200),
                    "url": url_for("kb.article", article_id=v.article_id, _external=True),
                }
                for v in versions
            ]
        }
    )
