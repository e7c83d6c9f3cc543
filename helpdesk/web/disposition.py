"""Content-Disposition for downloads whose names may be Chinese (RFC 6266 with RFC 5987).

A header must be Latin-1 on the wire: a raw 营业执照.pdf made the server refuse the response
("Non-latin1 header"). Browsers read `filename*` (UTF-8, percent-encoded); `filename` keeps an
ASCII stand-in for the few clients that do not.
"""

from __future__ import annotations

import unicodedata
from urllib.parse import quote


def _ascii_fallback(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    kept = "".join(c if c.isalnum() or c in "._- " else "_" for c in folded).strip(" ._")
    _stem, dot, suffix = name.rpartition(".")
    if not kept or kept.lstrip("_") == suffix:  # nothing of the name survived but its suffix
        return f"file.{suffix}" if dot and suffix.isascii() and suffix.isalnum() else "file"
    return kept


def attachment(name: str) -> str:
    """`attachment; filename="..."; filename*=UTF-8''...` for `name`."""
    fallback = _ascii_fallback(name)
    if fallback == name:
        return f'attachment; filename="{name}"'
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"
