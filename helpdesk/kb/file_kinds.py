"""Which files a guide takes, grouped by the kinds people know them by: the upload check and
the form's hint read the same table, so the hint can say "PDF、Word、Excel 文档或图片" instead
of a list of suffixes and still never promise a file the check refuses."""

from __future__ import annotations

from babel.lists import format_list
from flask import has_request_context
from flask_babel import get_locale, gettext
from flask_babel import lazy_gettext as _l

# Documents people fill in or read, and pictures; never HTML or anything a browser or the
# desktop would run (and every file is served as a download with nosniff anyway).
KINDS = (
    (_l("PDF documents"), (".pdf",)),
    (_l("Word documents"), (".doc", ".docx", ".wps")),
    (_l("Excel sheets"), (".xls", ".xlsx", ".et", ".csv")),
    (_l("PowerPoint slides"), (".ppt", ".pptx")),
    (_l("ZIP archives"), (".zip",)),
    (_l("text files"), (".txt",)),
    (_l("pictures"), (".png", ".jpg", ".jpeg")),  # last: Chinese joins it with 或, no space
)
SUFFIXES = frozenset(suffix for _kind, suffixes in KINDS for suffix in suffixes)
MB = 1024 * 1024


def kinds_in_words() -> str:
    """Every kind, "PDF 文档、Word 文档……或 ZIP 压缩包" in Chinese."""
    locale = (get_locale() if has_request_context() else None) or "en"
    return format_list([str(kind) for kind, _suffixes in KINDS], style="or", locale=locale)


def size_in_words(limit: int) -> str:
    """1048576 as "1 MB", 512000 as "500 KB"."""
    if limit % MB == 0:
        return f"{limit // MB} MB"
    return f"{limit // 1024} KB"


def hint(limit: int) -> str:
    """The form's line under the file field."""
    kinds, size = kinds_in_words(), size_in_words(limit)
    return gettext("%(kinds)s, at most %(size)s.", kinds=kinds, size=size)
