"""The committed catalogues: compiled, complete, and Chinese labels for the domain words."""

from __future__ import annotations

from babel.messages.pofile import read_po

from helpdesk import i18n
from helpdesk.web.labels import TABLES


def test_committed_mo_matches_its_po() -> None:
    assert i18n.po_files(), "no catalogue found"
    for po in i18n.po_files():
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run python -m helpdesk.i18n compile"
        assert mo.read_bytes() == i18n.compiled(po), (
            f"{mo} does not match {po.name}: run python -m helpdesk.i18n compile"
        )


def test_every_message_in_the_code_is_translated() -> None:
    wanted = {m.id for m in i18n.extract(write=False) if m.id}
    for po in i18n.po_files():
        with open(po, "rb") as f:
            catalog = read_po(f)
        have = {m.id for m in catalog if m.id and m.string and not m.fuzzy}
        missing = sorted(str(m) for m in wanted - have)
        assert not missing, f"{po}: untranslated; run python -m helpdesk.i18n update: {missing}"


def test_glossary_words(app) -> None:  # type: ignore[no-untyped-def]
    from flask_babel import force_locale

    with app.test_request_context(), force_locale("zh_CN"):
        zh = {kind: {k: str(v) for k, v in table.items()} for kind, table in TABLES.items()}
    assert zh["action"]["accept"] == "受理"
    assert zh["action"]["resolve"] == "办结"
    assert zh["action"]["decline"] == "退单"
    assert zh["action"]["transfer"] == "转派"
    assert zh["action"]["assign"] == "派单"
    assert zh["type"] == {
        "request": "需求",
        "inquiry": "咨询",
        "complaint": "投诉",
        "suggestion": "建议",
    }
    assert zh["role"]["agent"] == "坐席" and zh["role"]["supervisor"] == "班长"
    assert all(label != key for table in zh.values() for key, label in table.items())
