"""/admin/ivr/<file>/simulate: a call through the EDITED text of an IVR script, before it is
published. The admin's keys and the time of day drive the same interpreter calls use; the
answer is the path, the prompts, where the call ends (queue, message, ticket category) and
the draft's menu drawn, or the validator's problems line by line. Nothing is saved.

Its own blueprint, template (phone/ivr_draft.html) and script so the edit page
(ivr_admin.py, phone/ivr_script.html) only includes it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.channels.phone.ivr import checks, interpreter, published
from helpdesk.channels.phone.ivr.actions import Gather, Say
from helpdesk.channels.phone.ivr.interpreter import Step
from helpdesk.channels.phone.ivr.loader import Script
from helpdesk.channels.phone.ivr.schema import ScriptError
from helpdesk.channels.phone.ivr.state import Facts
from helpdesk.channels.phone.ivr_admin import MAX_TEXT, NODE_KIND, boxes, edge_words, parsed
from helpdesk.extensions import db
from helpdesk.people.views import admin_required
from helpdesk.web.labels import label

blueprint = Blueprint("ivr_draft", __name__)

MAX_PRESSES = 40  # more key presses than any menu needs: the rest are ignored, and said so
WHEN = {
    "open": _l("During working hours"),
    "closed": _l("Outside working hours"),
    "holiday": _l("On a public holiday"),
}
SILENCE = "-"


@dataclass
class Turn:
    """What the caller hears, then what they do (None: the call did not wait for keys)."""

    heard: list[str] = field(default_factory=list)
    pressed: str | None = None
    waited: bool = False


@dataclass
class Simulation:
    turns: list[Turn]
    path: list[tuple[str, str, str | None]]  # (node id, what kind in words, key pressed)
    visited: set[str]
    end: str  # where the call ends, in words
    ticket: str | None  # the ticket it would make, in words; None: no ticket
    unused: list[str]  # keys typed after the call no longer listened
    done: bool  # False: the call still waits for keys


def presses(raw: str) -> list[str | None]:
    """ "1, 2 -" or "1 2": one entry per prompt; '-' is a prompt left unanswered."""
    found = [p for p in re.split(r"[\s,，、]+", raw.strip()) if p][:MAX_PRESSES]
    return [None if p == SILENCE else p for p in found]


def _heard(step: Step) -> list[str]:
    heard: list[str] = []
    for action in step.actions:
        if isinstance(action, Say):
            heard.append(action.text)
        elif isinstance(action, Gather):
            heard.extend(s.text for s in action.prompts)
    return heard


def _end(script: Script, step: Step) -> str:
    state = step.state
    outcome = state.outcome
    kind = outcome.get("kind")
    if not state.done:
        node = script.nodes.get(state.node)
        what = str(NODE_KIND.get(node.kind, node.kind)) if node else state.node
        return _("The call waits for a key at %(node)s (%(what)s): type more keys.",
                 node=state.node, what=what)  # fmt: skip
    if kind == "queue":
        return _(
            "Into the agents' queue %(queue)s.",
            queue=label("phone_queue", outcome.get("queue", "")),
        )
    if kind == "transfer":
        return _("Transferred to %(target)s.", target=outcome.get("target", ""))
    if kind == "message":
        return _("The caller leaves a message; an agent calls back.")
    if kind == "hangup":
        return _("The call is ended by the script.")
    if kind == "failed":
        return _("Too many wrong keys: the call ends.")
    return _("The script stops with an error: %(why)s", why=outcome.get("error", kind))


def _ticket(state_fields: dict[str, str], makes: bool) -> str | None:
    if not makes:
        return None
    from helpdesk.routing.words import names

    category = state_fields.get("category") or "info"
    # the type as the voice adapter chooses it (service._type_for)
    kind = state_fields.get("type") or (
        "complaint" if category.split("/")[0] == "complaint" else "request"
    )
    words = _("Category %(category)s, type %(type)s", category=names().category(category),
              type=label("type", kind))  # fmt: skip
    district = state_fields.get("district")
    if district:
        words += _(", district %(district)s", district=names().value("district", district))
    return words


def simulate(script: Script, when: str, keys: list[str | None]) -> Simulation:
    # A holiday is outside working hours on the business calendar: the script sees the same.
    facts = Facts(caller="+8657187001234", business_hours=when == "open")
    steps = interpreter.run_through(script, facts, keys)
    turns = []
    for index, step in enumerate(steps):
        turn = Turn(heard=_heard(step), waited=step.waiting)
        if step.waiting and index + 1 < len(steps):
            turn.pressed = keys[index] if keys[index] is not None else SILENCE
        turns.append(turn)
    state = steps[-1].state
    path = []
    for entry in state.path:
        node = script.nodes.get(entry["node"])
        kind = str(NODE_KIND.get(node.kind, node.kind)) if node else ""
        path.append((entry["node"], kind, entry.get("input")))
    unused = [k if k is not None else SILENCE for k in keys[len(steps) - 1 :]]
    return Simulation(
        turns=turns,
        path=path,
        visited={p[0] for p in path} | {state.node},
        end=_end(script, steps[-1]),
        ticket=_ticket(state.fields, state.done and bool(state.outcome.get("ticket"))),
        unused=unused,
        done=state.done,
    )


@blueprint.post("/admin/ivr/<script_file>/simulate")
@admin_required
def draft(script_file: str) -> ResponseReturnValue:
    _number, files = published.current_files(db.session())
    if script_file not in files:
        abort(404)
    text = (request.form.get("text") or "").replace("\r\n", "\n")
    when = request.form.get("when") or "open"
    if when not in WHEN:
        when = "open"
    keys = presses(request.form.get("keys") or "")
    if "\x00" in text or len(text) > MAX_TEXT:
        errors = [ScriptError(script_file, None, "file", _("too long or contains a NUL character"))]
    else:
        errors = published.check({script_file: text})
    script = parsed(script_file, text)
    # Problems that still let the script load (a missing English prompt) do not stop the
    # simulation: the admin sees both. A script that does not load shows its problems only.
    result, stuck = None, False
    if script is not None:
        try:
            result = simulate(script, when, keys)
        except (KeyError, interpreter.StepError):  # a key leads to a node that is not there
            stuck = True
    lines = text.split("\n")
    fetched = request.headers.get("X-Requested-With") == "fetch"  # the page's script
    return render_template(
        "phone/ivr_draft.html" if fetched else "phone/ivr_draft_page.html",
        name=script_file,
        when=WHEN[when],
        holiday=when == "holiday",
        errors=[
            (e, lines[e.line - 1] if e.line and e.line <= len(lines) else None) for e in errors
        ],
        sim=result,
        stuck=stuck,
        boxes=boxes(script) if script is not None else [],
        mermaid=checks.mermaid(script) if script is not None else "",
        edge_words=edge_words,
        node_kind=lambda kind: str(NODE_KIND.get(kind, kind)),
    ), (200 if not errors else 422)
