"""Highlighted snippets: the query's words marked in the text a person may read.

Done here rather than by the backends (FTS5 snippet(), ts_headline) so both give the same
snippet, and so words the index found in an internal note are never shown to someone who
may not read it: the caller passes only the texts that person may see.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape

from helpdesk.search.segment import normalise

WIDTH = 120  # characters of a snippet around its first match


def _pattern(words: Iterable[str]) -> re.Pattern[str] | None:
    longest_first = sorted({w for w in words if w}, key=len, reverse=True)
    if not longest_first:
        return None
    return re.compile("|".join(re.escape(w) for w in longest_first))


def _comparable(text: str) -> str:
    """Lower-cased, NFKC text of the same length as `text`, so positions carry over."""
    folded = normalise(text)
    return folded if len(folded) == len(text) else text.lower()


def mark(text: str, words: Iterable[str]) -> Markup:
    """The whole text, escaped, with each query word in <mark>."""
    pattern = _pattern(words)
    if pattern is None or not text:
        return escape(text)
    comparable, out, at = _comparable(text), [], 0
    for found in pattern.finditer(comparable):
        out.append(escape(text[at : found.start()]))
        out.append(Markup("<mark>%s</mark>") % text[found.start() : found.end()])
        at = found.end()
    out.append(escape(text[at:]))
    return Markup("").join(out)


def snippet(texts: Iterable[str], words: Iterable[str]) -> Markup | None:
    """A window of the first text that holds a query word, marked; None when none does."""
    wanted = list(words)
    pattern = _pattern(wanted)
    if pattern is None:
        return None
    for text in texts:
        if not text:
            continue
        found = pattern.search(_comparable(text))
        if found is None:
            continue
        start = max(0, found.start() - WIDTH // 3)
        end = min(len(text), start + WIDTH)
        piece = " ".join(text[start:end].split())
        marked = mark(piece, wanted)
        before = Markup("…") if start > 0 else Markup("")
        after = Markup("…") if end < len(text) else Markup("")
        return before + marked + after
    return None
