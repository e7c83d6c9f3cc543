"""A script's exits in words ("key 1" is 按 1), for the editor's boxes and the validator's
messages alike. Pure: the message is translated when shown (Chinese outside a request)."""

from __future__ import annotations

from helpdesk.yamlcheck.errors import Msg, _

_EXITS = {
    "next": _("then"),
    "timeout": _("no key pressed"),
    "invalid": _("wrong key"),
    "open": _("during working hours"),
    "closed": _("outside working hours"),
    "known": _("a known caller"),
    "unknown": _("an unknown caller"),
    "default": _("otherwise"),
    "done": _("after the digits"),
    "failed": _("if it fails"),
    "on_fail": _("after repeated wrong keys"),
}


def edge_label(label: str) -> Msg | str:
    """A node's exit by its meaning: "key 1" is pressing 1; other exits by name."""
    if label.startswith("key "):
        return _("press %(key)s", key=label.removeprefix("key "))
    return _EXITS.get(label, label)
