"""/admin/webhooks: subscribe a URL to ticket events (the signing secret shown once), rotate
the secret, remove; the delivery log with each answer, and redelivery by hand. Administrators
only; each change is in the operations log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select
from wtforms import StringField
from wtforms.validators import Length

from helpdesk.integrations.forms import ButtonForm
from helpdesk.people.forms import Checkboxes
from helpdesk.people.views import admin_required
from helpdesk.web import db_session
from helpdesk.web.page_form import PageForm
from helpdesk.webhooks import jobs, service
from helpdesk.webhooks.models import Webhook, WebhookDelivery

blueprint = Blueprint("webhooks", __name__)
LOG_SIZE = 50


class WebhookForm(PageForm):
    url = StringField(_l("Address (URL)"), validators=[Length(max=500)])
    events = Checkboxes(_l("Events"), validate_choice=False)


def _form() -> WebhookForm:
    form = WebhookForm()
    form.events.choices = [(k, str(v)) for k, v in service.EVENTS.items()]
    return form


def _page(
    form: WebhookForm, status: int = 200, shown: tuple[Webhook, str] | None = None
) -> ResponseReturnValue:
    session = db_session()
    hooks = session.scalars(select(Webhook).order_by(Webhook.active.desc(), Webhook.id)).all()
    log = session.scalars(
        select(WebhookDelivery).order_by(WebhookDelivery.id.desc()).limit(LOG_SIZE)
    ).all()
    return render_template(
        "webhooks/list.html", form=form, hooks=hooks, log=log, shown=shown,
        button=ButtonForm(prefix="btn"), events=service.EVENTS,
    ), status  # fmt: skip


@blueprint.get("/admin/webhooks")
@admin_required
def webhooks_list() -> ResponseReturnValue:
    form = _form()
    form.process(formdata=None)
    form.events.data = ["ticket.created", "ticket.resolved"]
    return _page(form)


@blueprint.post("/admin/webhooks")
@admin_required
def webhook_subscribe() -> ResponseReturnValue:
    form = _form()
    if not form.validate_on_submit():
        return _page(form, 422)
    session = db_session()
    try:
        shown = service.subscribe(
            session, current_user._get_current_object(), form.url.data or "",
            list(form.events.data or []),
        )  # fmt: skip
    except service.WebhookErrors as exc:
        session.rollback()
        for name, message in exc.errors.items():
            getattr(form, name).errors = [*list(getattr(form, name).errors), message]
        return _page(form, 422)
    session.commit()
    fresh = _form()
    fresh.process(formdata=None)
    return _page(fresh, 200, shown)


def _hook_or_404(webhook_id: int) -> Webhook:
    hook = db_session().get(Webhook, webhook_id)
    if hook is None:
        abort(404)
    return hook


@blueprint.post("/admin/webhooks/<id:webhook_id>/rotate")
@admin_required
def webhook_rotate(webhook_id: int) -> ResponseReturnValue:
    if not ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    hook = _hook_or_404(webhook_id)
    secret = service.rotate_secret(db_session(), current_user._get_current_object(), hook)
    db_session().commit()
    fresh = _form()
    fresh.process(formdata=None)
    return _page(fresh, 200, (hook, secret))


@blueprint.post("/admin/webhooks/<id:webhook_id>/remove")
@admin_required
def webhook_remove(webhook_id: int) -> ResponseReturnValue:
    if not ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    hook = _hook_or_404(webhook_id)
    service.remove(db_session(), current_user._get_current_object(), hook)
    db_session().commit()
    flash(_("Nothing more is sent to %(url)s.", url=hook.url), "success")
    return redirect(url_for("webhooks.webhooks_list"))


@blueprint.post("/admin/webhooks/deliveries/<id:delivery_id>/redeliver")
@admin_required
def delivery_redeliver(delivery_id: int) -> ResponseReturnValue:
    if not ButtonForm(prefix="btn").validate_on_submit():
        abort(400)
    session = db_session()
    delivery = session.get(WebhookDelivery, delivery_id)
    if delivery is None:
        abort(404)
    service.redeliver(session, current_user._get_current_object(), delivery)
    session.commit()
    jobs.send_now_or_queue(delivery.id)
    flash(_("Delivery %(id)d is sent again; its answer shows in the log.", id=delivery_id),
          "success")  # fmt: skip
    return redirect(url_for("webhooks.webhooks_list"))
