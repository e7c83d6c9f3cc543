"""Markdown to HTML that is safe by construction: every character of the source is escaped
first, and only this module's own tags are added (headings, paragraphs, lists, quotes, code,
bold, italic, links to http(s), mailto or this site). Raw HTML in an article is shown as
text, never run. No dependency: the venv has neither bleach nor a Markdown library, and the
subset articles need is small.
"""

from __future__ import annotations

import re

from markupsafe import Markup, escape

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
NUMBERED = re.compile(r"^\s*\d{1,3}[.)]\s+(.*)$")
QUOTE = re.compile(r"^\s*>\s?(.*)$")
FENCE = re.compile(r"^\s*```")
RULE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")

CODE_SPAN = re.compile(r"`([^`]+)`")
LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]+)\)")
BOLD = re.compile(r"\*\*(.+?)\*\*")
ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")
SAFE_URL = re.compile(r"^(https?://|mailto:|/(?!/)|#)", re.IGNORECASE)


def _link(found: re.Match[str]) -> str:
    text, url = found.group(1), found.group(2)
    # The URL is already escaped (no quote can end the attribute); only the scheme is checked.
    if not SAFE_URL.match(url.replace("&amp;", "&")):
        return text
    outside = url.lower().startswith(("http://", "https://"))
    extra = ' rel="noopener noreferrer" target="_blank"' if outside else ""
    return f'<a href="{url}"{extra}>{text}</a>'


def inline(source: str) -> str:
    """One line's or paragraph's inline marks, on text escaped here."""
    text = str(escape(source))
    codes: list[str] = []

    def keep_code(found: re.Match[str]) -> str:
        codes.append(f"<code>{found.group(1)}</code>")
        return f"\x00{len(codes) - 1}\x00"

    text = CODE_SPAN.sub(keep_code, text)
    text = LINK.sub(_link, text)
    text = BOLD.sub(r"<strong>\1</strong>", text)
    text = ITALIC.sub(r"<em>\1</em>", text)
    return re.sub(r"\x00(\d+)\x00", lambda m: codes[int(m.group(1))], text)


def render(source: str) -> Markup:
    """The article body as HTML. Headings start at <h2>: the page's <h1> is the title."""
    out: list[str] = []
    paragraph: list[str] = []
    items: list[str] = []
    list_tag = ""
    quote: list[str] = []
    code: list[str] | None = None

    def flush() -> None:
        nonlocal list_tag
        if paragraph:
            out.append("<p>" + "<br>".join(inline(line) for line in paragraph) + "</p>")
            paragraph.clear()
        if items:
            out.append(f"<{list_tag}>" + "".join(f"<li>{i}</li>" for i in items) + f"</{list_tag}>")
            items.clear()
            list_tag = ""
        if quote:
            out.append("<blockquote>" + str(render("\n".join(quote))) + "</blockquote>")
            quote.clear()

    for raw in source.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if code is not None:
            if FENCE.match(raw):
                out.append("<pre><code>" + str(escape("\n".join(code))) + "</code></pre>")
                code = None
            else:
                code.append(raw)
            continue
        if FENCE.match(raw):
            flush()
            code = []
            continue
        if quote and not raw.strip():
            flush()
            continue
        found = QUOTE.match(raw)
        if found:
            if not quote:
                flush()
            quote.append(found.group(1))
            continue
        if not raw.strip():
            flush()
            continue
        found = HEADING.match(raw)
        if found:
            flush()
            level = min(6, len(found.group(1)) + 1)
            out.append(f"<h{level}>{inline(found.group(2))}</h{level}>")
            continue
        if RULE.match(raw):
            flush()
            out.append("<hr>")
            continue
        bullet, numbered = BULLET.match(raw), NUMBERED.match(raw)
        if bullet or numbered:
            tag = "ul" if bullet else "ol"
            if paragraph or (items and tag != list_tag):
                flush()
            list_tag = tag
            items.append(inline((bullet or numbered).group(1)))  # type: ignore[union-attr]
            continue
        if items:  # a continuation line of the last list item
            items[-1] += " " + inline(raw.strip())
            continue
        paragraph.append(raw.strip())
    if code is not None:  # an unclosed fence: keep the text as code
        out.append("<pre><code>" + str(escape("\n".join(code))) + "</code></pre>")
    flush()
    return Markup("\n".join(out))


def plain_text(source: str) -> str:
    """The words without the marks: for search, excerpts and what an agent pastes in a reply."""
    text = re.sub(r"```.*?```", " ", source, flags=re.DOTALL)
    text = LINK.sub(r"\1", text)
    text = re.sub(r"^\s*([-+*]|\d{1,3}[.)])\s+", "", text, flags=re.MULTILINE)
    # emphasis and code marks go without a trace: a space in their place split Chinese words
    # (实行 优惠费率 ：); headings, quotes and table bars part what they separated
    text = re.sub(r"[*`]+", "", text)
    text = re.sub(r"[#>_|]+", " ", text)
    return " ".join(text.split())


def excerpt(source: str, width: int = 110) -> str:
    text = plain_text(source)
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"
