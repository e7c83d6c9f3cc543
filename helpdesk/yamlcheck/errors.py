"""The error type every YAML file check reports, and its lazily translated message."""

from __future__ import annotations

import sys
from functools import cache, total_ordering
from typing import Any

from helpdesk.i18n import TRANSLATIONS

FIRST_LANGUAGE = "zh"  # outside a request (CLI, logs, tests): the platform's first language


@cache
def _catalogue() -> Any:
    from babel.support import Translations

    return Translations.load(str(TRANSLATIONS), [FIRST_LANGUAGE])


def translate(msgid: str, values: dict[str, Any] | None = None) -> str:
    """`msgid` in the page's language inside a request, else in Chinese."""
    # flask is looked up, not imported: the pure cores (routing engine...) must not load it
    flask = sys.modules.get("flask")
    if flask is not None and flask.has_request_context():
        from flask_babel import gettext

        text = gettext(msgid)  # a catalogue look-up only; values are filled in below
    else:
        text = _catalogue().gettext(msgid)
    return text % values if values else text


class Msg:
    """A message kept as msgid + values and translated each time it is shown."""

    __slots__ = ("msgid", "values")

    def __init__(self, msgid: str, values: dict[str, Any]) -> None:
        self.msgid, self.values = msgid, values

    def __str__(self) -> str:
        return translate(self.msgid, self.values)

    def __repr__(self) -> str:
        return f"Msg({self.msgid!r}, {self.values!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.msgid, self.values) == (other.msgid, other.values)

    def __hash__(self) -> int:
        return hash((self.msgid, tuple(sorted(self.values.items()))))


def _(msgid: str, **values: Any) -> Msg:
    """Marks a msgid for extraction (babel's `_` keyword) and keeps it untranslated."""
    return Msg(msgid, {k: _shown(v) for k, v in values.items()})


def _shown(value: Any) -> Any:
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return "、".join(str(v) for v in items) if items else "—"
    return value


# how an error is written: 中文 "policies.yaml 第 14 行，ladder[0].at：……"
_FRAMES = {
    (True, True): _("%(file)s, line %(line)s, %(field)s: %(text)s"),
    (True, False): _("%(file)s, line %(line)s: %(text)s"),
    (False, True): _("%(file)s, %(field)s: %(text)s"),
    (False, False): _("%(file)s: %(text)s"),
}


def count(errors: list[DocError]) -> str:
    """The closing line of a check that failed: "2 errors"."""
    return translate(_COUNT.msgid, {"n": len(errors)})


_COUNT = _("%(n)s error(s)")


def _plain(text: Msg | str) -> str:
    """Untranslated, for sorting the same way in every language."""
    if isinstance(text, Msg):
        return text.msgid % {k: _plain(v) for k, v in text.values.items()}
    return str(text)


@total_ordering
class DocError(ValueError):
    """One problem in one file: where (file, 1-based line, 0 when unknown; the field's path)
    and what (a Msg, or plain text)."""

    def __init__(self, file: str, line: int | None, field: Msg | str, message: Msg | str) -> None:
        self.file, self.line, self.field, self.message = file, line or 0, field, message
        super().__init__(file, self.line, field)

    @property
    def text(self) -> str:
        """The message alone, translated."""
        return str(self.message)

    def __str__(self) -> str:
        return self.place(self.text)

    def place(self, text: str) -> str:
        """`text` prefixed with where it is: file, line, field."""
        values = {"file": self.file, "line": self.line, "field": str(self.field), "text": text}
        frame = _FRAMES[(bool(self.line), bool(self.field))]
        return translate(frame.msgid, values)

    def _key(self) -> tuple[str, int, str, str]:
        return (self.file, self.line, _plain(self.field), _plain(self.message))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DocError):
            return NotImplemented
        return (self._key(), self.message) == (other._key(), other.message)

    def __lt__(self, other: DocError) -> bool:
        return self._key() < other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"DocError({self.file!r}, {self.line}, {self.field!r}, {self.message!r})"


class DocErrors(Exception):
    """A file (or folder) that cannot be used; carries every error found, sorted."""

    def __init__(self, errors: list[DocError]) -> None:
        self.errors = sorted(errors)
        super().__init__("\n".join(str(e) for e in self.errors))

    def __str__(self) -> str:  # translated when shown, not when raised
        return "\n".join(str(e) for e in self.errors)
