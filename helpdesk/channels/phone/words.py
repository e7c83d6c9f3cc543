"""A call's IVR path in words for pages: the keys the caller pressed and what they chose
("按2 投资融资 → 按02 融资担保 → 转人工"), not the script's node ids."""

from __future__ import annotations

import logging
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from helpdesk.channels.phone.ivr import loader
from helpdesk.channels.phone.ivr.loader import Script
from helpdesk.channels.phone.ivr.nodes import GatherNode, MenuNode
from helpdesk.web.labels import label

log = logging.getLogger(__name__)

# Where a path ends, by the end node's kind.
ENDS = {
    "queue": _l("waited for an agent"),
    "transfer": _l("transferred"),
    "message": _l("left a message"),
    "hangup": _l("call ended"),
}


def script_title(name: str) -> str:
    """A script's description in the page's language ("中文 / English" in the file)."""
    from helpdesk.web import is_chinese

    try:
        description = loader.load(name).description
    except (KeyError, ValueError):
        return name
    zh, _sep, en = description.partition(" / ")
    return (zh if is_chinese() or not en else en).strip() or name


def ivr_path(script_name: str | None, path: list[dict[str, Any]] | None) -> str:
    if not path:
        return "—"
    script = _script(script_name)
    words = [w for w in (_step(script, entry) for entry in path) if w]
    return " → ".join(words) or "—"


def _script(name: str | None) -> Script | None:
    try:
        return loader.load(name or "")
    except (KeyError, ValueError):  # renamed or broken since the call: keys only
        return None


def _step(script: Script | None, entry: dict[str, Any]) -> str:
    from helpdesk.routing.words import names

    node = script.nodes.get(entry.get("node", "")) if script else None
    pressed = entry.get("input")
    if pressed is None:
        return str(ENDS.get(node.kind, "")) if node is not None else ""
    if isinstance(node, MenuNode) and pressed in node.options:
        option = node.options[pressed]
        if option.language:
            return _(
                "pressed %(key)s: %(what)s", key=pressed, what=label("language", option.language)
            )
        for key, kind in (("category", None), ("type", "type")):
            value = option.set.get(key)
            if value:
                what = names().category(value) if kind is None else label(kind, value)
                return _("pressed %(key)s: %(what)s", key=pressed, what=what)
        return _("pressed %(key)s", key=pressed)
    if isinstance(node, GatherNode):
        return _("entered %(digits)s", digits=pressed)
    return _("pressed %(key)s", key=pressed)
