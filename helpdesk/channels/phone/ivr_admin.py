"""/admin/ivr: the IVR scripts in force, their problems (as `helpdesk ivr check`), each menu
drawn on the page as linked boxes (the `ivr graph` structure, rendered server-side: no
script library to vendor), the edit → check → publish cycle, versions, diffs and rollback
(helpdesk.yamldocs, shared with the routing rules). Supervisors read; administrators edit;
the browser simulator is /phone/simulator."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from helpdesk.auth import permissions
from helpdesk.channels.phone.ivr import published
from helpdesk.channels.phone.ivr.loader import Script, build
from helpdesk.channels.phone.ivr.schema import ScriptError, ScriptErrors, read_yaml
from helpdesk.channels.phone.ivr.words import edge_label
from helpdesk.extensions import db
from helpdesk.people.views import admin_required
from helpdesk.yamldocs import views as yamldocs_views

blueprint = Blueprint("ivr_admin", __name__)

MAX_TEXT = 500_000
NODE_KIND = {
    "say": _l("Announcement"),
    "menu": _l("Menu (press a key)"),
    "gather": _l("Enter digits"),
    "set": _l("Note a choice"),
    "business_hours": _l("Working hours?"),
    "caller_lookup": _l("Who is calling?"),
    "queue": _l("Into the agents' queue"),
    "transfer": _l("Transfer the call"),
    "message": _l("Leave a message"),
    "hangup": _l("Hang up"),
}


@dataclass(frozen=True)
class Box:
    """One node of the menu as the page draws it."""

    id: str
    kind: str
    prompt: str
    edges: tuple[tuple[str, str], ...]  # (what the caller does, the next node)
    start: bool


DOCUMENT = yamldocs_views.Document(
    kind=published.KIND,
    page="ivr_admin.scripts",
    version_page="ivr_admin.version",
    rollback="ivr_admin.rollback",
    title=lambda n: _("IVR scripts version %(n)s", n=n),
    back_label=lambda: _("Back to the IVR scripts"),
    shipped=published.configured_folder,
    restore=published.rollback,
    failure=published.PublishError,
    forget=published.forget,
)


def _viewer() -> None:
    if not permissions.can_supervise(current_user):
        abort(403)


def parsed(name: str, text: str) -> Script | None:
    try:
        script, _problems = build(read_yaml(text, name), name)
    except ScriptErrors:
        return None
    return script


def boxes(script: Script) -> list[Box]:
    """Nodes from the start, breadth first (what a caller meets first comes first)."""
    order: list[str] = []
    todo = [script.start]
    while todo:
        nid = todo.pop(0)
        if nid in order or nid not in script.nodes:
            continue
        order.append(nid)
        todo.extend(script.nodes[nid].targets().values())
    order += [nid for nid in script.nodes if nid not in order]
    found = []
    for nid in order:
        node = script.nodes[nid]
        prompts = node.prompts()
        text = prompts["prompt"].for_language("zh") if "prompt" in prompts else ""
        found.append(Box(nid, node.kind, text, tuple(node.targets().items()), nid == script.start))
    return found


def edge_words(label: str) -> str:
    """A menu edge in words, in the page's language."""
    return str(edge_label(label))


@blueprint.get("/admin/ivr")
@login_required
def scripts() -> ResponseReturnValue:
    _viewer()
    session = db.session()
    _in_force, files = published.current_files(session)
    problems = published.check(files)
    listed = []
    for name in sorted(files):
        script = parsed(name, files[name])
        listed.append((name, script, [p for p in problems if p.file == name]))
    return render_template(
        "phone/ivr_admin.html",
        listed=listed,
        **yamldocs_views.listing(session, DOCUMENT),
    )


def _script_page(name: str, text: str, base: int | None, status: int = 200, **extra: object):
    script = parsed(name, text)
    errors: list[ScriptError] = list(extra.pop("errors", None) or [])  # type: ignore[call-overload]
    return render_template(
        "phone/ivr_script.html",
        name=name,
        text=text,
        base=base,
        script=script,
        boxes=boxes(script) if script else [],
        edge_words=edge_words,
        node_kind=lambda kind: str(NODE_KIND.get(kind, kind)),
        errors=errors,
        marked={e.line for e in errors},
        lines=text.split("\n"),
        may_edit=permissions.can_publish_configuration(current_user),
        **extra,
    ), status


@blueprint.get("/admin/ivr/<script_file>")
@login_required
def script_page(script_file: str) -> ResponseReturnValue:
    _viewer()
    number, files = published.current_files(db.session())
    if script_file not in files:
        abort(404)
    text = files[script_file]
    return _script_page(script_file, text, number, errors=published.check({script_file: text}))


@blueprint.post("/admin/ivr/<script_file>")
@admin_required
def script_post(script_file: str) -> ResponseReturnValue:
    session = db.session()
    _in_force, files = published.current_files(session)
    if script_file not in files:
        abort(404)
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    base = _int(request.form.get("base"))
    if "\x00" in text or len(text) > MAX_TEXT:
        problem = _("The text is too long or contains a NUL character; nothing was published.")
        return _script_page(script_file, text, base, 422, problems=[problem])
    errors = published.check({**files, script_file: text})
    if errors:
        return _script_page(script_file, text, base, 422, errors=errors)
    if request.form.get("action") != "publish":
        return _script_page(script_file, text, base, checked=True)
    return yamldocs_views.publish(
        DOCUMENT,
        lambda: published.publish(session, current_user._get_current_object(), script_file,
                                  text, base=base),
        lambda message, status: _script_page(script_file, text, base, status,
                                             problems=[message]),
        lambda n: _("IVR scripts version %(n)d published; calls follow within seconds.", n=n),
    )  # fmt: skip


def _int(raw: str | None) -> int | None:
    try:
        return int((raw or "").strip())
    except ValueError:
        return None


@blueprint.get("/admin/ivr/versions/<id:number>")
@login_required
def version(number: int) -> ResponseReturnValue:
    _viewer()
    return yamldocs_views.version_page(DOCUMENT, number)


@blueprint.post("/admin/ivr/versions/<id:number>/rollback")
@admin_required
def rollback(number: int) -> ResponseReturnValue:
    return yamldocs_views.rollback(DOCUMENT, number)
