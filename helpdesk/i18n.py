"""Translation catalogues: `python -m helpdesk.i18n extract|update|compile|check`.

Msgids are English; zh_CN is the platform's first language. `update` extracts from the code
and templates and merges new msgids into every catalogue; `compile` writes the .mo files that
are committed; `check` fails when a committed .mo does not match its .po.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = Path(__file__).resolve().parent / "translations"
POT = TRANSLATIONS / "messages.pot"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}


def _method_map() -> tuple[list[tuple[str, str]], dict[str, dict[str, str]]]:
    from babel.messages.frontend import parse_mapping_cfg

    with open(ROOT / "babel.cfg", encoding="utf-8") as cfg:
        return parse_mapping_cfg(cfg)


def extract(write: bool = True) -> Catalog:
    """Every msgid in the code and templates; written to messages.pot unless `write` is off."""
    method_map, options_map = _method_map()
    catalog = Catalog(project="helpdesk", charset="utf-8")
    for filename, lineno, message, comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    if write:
        with open(POT, "wb") as out:
            write_po(out, catalog, width=100, omit_header=False, sort_output=True)
    return catalog


def po_files() -> list[Path]:
    return sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"))


def update() -> None:
    template = extract()
    for po in po_files():
        with open(po, "rb") as f:
            catalog = read_po(f, locale=po.parent.parent.name)
        catalog.update(template, no_fuzzy_matching=True)
        with open(po, "wb") as out:
            write_po(out, catalog, width=100, sort_output=True, ignore_obsolete=True)
        missing = [m.id for m in catalog if m.id and not m.string]
        if missing:
            print(f"{po}: {len(missing)} untranslated", file=sys.stderr)


def compiled(po: Path) -> bytes:
    """The .mo bytes a .po compiles to, in memory (deterministic: sorted, no fuzzy entries)."""
    with open(po, "rb") as f:
        catalog = read_po(f, locale=po.parent.parent.name)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    return buffer.getvalue()


def compile_all() -> None:
    for po in po_files():
        po.with_suffix(".mo").write_bytes(compiled(po))
        print(f"compiled {po.with_suffix('.mo').relative_to(ROOT)}")


def stale() -> list[Path]:
    """Committed .mo files that differ from what their .po compiles to."""
    out = []
    for po in po_files():
        mo = po.with_suffix(".mo")
        if not mo.exists() or mo.read_bytes() != compiled(po):
            out.append(mo)
    return out


def main(argv: list[str]) -> int:
    command = argv[0] if argv else ""
    if command == "extract":
        extract()
    elif command == "update":
        update()
    elif command == "compile":
        compile_all()
    elif command == "check":
        bad = stale()
        for mo in bad:
            print(f"{mo} is stale: run python -m helpdesk.i18n compile", file=sys.stderr)
        return 1 if bad else 0
    else:
        print("usage: python -m helpdesk.i18n extract|update|compile|check", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
