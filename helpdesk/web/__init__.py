"""Helpers the pages share: localized names, local times, masked phones, the language switch."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, current_app, request, url_for
from flask.blueprints import BlueprintSetupState
from flask_babel import get_locale, refresh
from flask_login import current_user
from werkzeug.exceptions import HTTPException

from helpdesk import clock
from helpdesk.auth.models import Role
from helpdesk.directory.phone_format import dial_digits, national
from helpdesk.directory.validation import mask_phone
from helpdesk.extensions import db_session as db_session  # re-exported for page code
from helpdesk.web.labels import label
from helpdesk.web.punctuation import marks

LANGUAGE_NAMES = (("zh_CN", "中文"), ("en", "English"))


def is_chinese() -> bool:
    locale = get_locale()
    return locale is not None and locale.language == "zh"


def localized_name(obj: Any) -> str:
    """A region's or category's name in the page's language."""
    if obj is None:
        return ""
    return str(obj.name_zh if is_chinese() else obj.name_en)


def platform_name(category: Any) -> str:
    """The service platform a sub-service belongs to, in the page's language."""
    from helpdesk.directory.models import ServiceCategory
    from helpdesk.extensions import db

    parent = db.session.get(ServiceCategory, category.parent_code) if category else None
    return localized_name(parent)


def reference_name(table: str, code: str) -> str:
    """A district's or service category's name for its code (the operations log keeps codes);
    a category shows its platform first. The code itself when it is unknown."""
    from helpdesk.directory.models import Region, ServiceCategory
    from helpdesk.extensions import db

    if table == "region":
        return localized_name(db.session.get(Region, code)) or code
    found = db.session.get(ServiceCategory, code)
    if found is None:
        return code
    platform = platform_name(found) if found.parent_code else ""
    return f"{platform} · {localized_name(found)}" if platform else localized_name(found)


def regions_served(codes: list[str]) -> str:
    """Districts an organisation serves, in words: 全市 when it serves every district (with or
    without the city entry itself) rather than fourteen names in a row."""
    from flask_babel import gettext as _

    from helpdesk.directory.reference import CITY, REGIONS

    every_district = {code for code, _zh, _en in REGIONS if code != CITY}
    if every_district <= set(codes):
        return _("Whole city")
    return marks().join(reference_name("region", code) for code in codes)


def local_time(value: datetime | None) -> str:
    """Hangzhou wall-clock time, minutes precision: what staff compare with their phones."""
    if value is None:
        return ""
    return value.astimezone(clock.HANGZHOU).strftime("%Y-%m-%d %H:%M")


def iso_local(text: str | None) -> str:
    """An ISO timestamp kept as text (a rule set's load time, a reload status) in local time."""
    if not text:
        return ""
    try:
        return local_time(datetime.fromisoformat(text))
    except ValueError:
        return text


def file_size(size: int) -> str:
    """Bytes as people read them: 812 B, 3.4 KB, 1.2 MB (a small file is not "0.0 KB")."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def shown_phone(e164: str | None) -> str:
    """Provider staff see a masked number; platform staff and the enterprise see all of it."""
    if not e164:
        return ""
    user = current_user
    if getattr(user, "role", None) is Role.PROVIDER:
        return mask_phone(e164)
    return national(e164)


def dial_link(e164: str | None) -> str:
    """The tel: link click-to-dial opens: the national digits, trunk 0 included."""
    return f"tel:{dial_digits(e164)}" if e164 else ""


def lang_url(code: str) -> str:
    """The current page in another language: after a POST its form page again when the same
    address answers a GET (a refused registration stays on 企业注册, not the staff login that
    the home sends a visitor to), else the home page."""
    if request.method != "GET" and not _answers_get(request.path):
        return url_for("tickets.index", lang=code)
    args = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    args.append(("lang", code))
    return f"{request.path}?{urlencode(args)}"


def _answers_get(path: str) -> bool:
    adapter = current_app.url_map.bind("")
    try:
        adapter.match(path, method="GET")
    except HTTPException:  # 405: a POST-only action; 404 cannot happen for the current path
        return False
    return True


def unread_notifications() -> int:
    from helpdesk.notifications.views import unread

    return unread()


def _context() -> dict[str, Any]:
    from helpdesk.channels.phone import words as phone_words
    from helpdesk.routing import words as routing_words
    from helpdesk.sla.service import policy_title

    return {
        "routing_words": routing_words,
        "phone_words": phone_words,
        "sla_policy_name": policy_title,
        "iso_local": iso_local,
        "unread_notifications": unread_notifications,
        "label": label,
        "localized_name": localized_name,
        "platform_name": platform_name,
        "reference_name": reference_name,
        "regions_served": regions_served,
        "lang_url": lang_url,
        "shown_phone": shown_phone,
        "dial_link": dial_link,
        "language_names": LANGUAGE_NAMES,
        "current_language": "zh_CN" if is_chinese() else "en",
        "punct": marks(),
        "Role": Role,
    }


def _refresh_each_request(state: BlueprintSetupState) -> None:
    """`refresh` before every request of the app, once however many blueprints install it
    (five did, so it ran five times per request, API calls included)."""
    hooks = state.app.before_request_funcs.setdefault(None, [])
    if refresh not in hooks:
        hooks.append(refresh)


def install(blueprint: Blueprint) -> None:
    """Make the helpers available to every template of the app, through a page blueprint."""
    # The locale is chosen per request; Flask-Babel caches it on `g`, which outlives a request
    # when an app context is already pushed (tests, CLI), so forget it as each request starts.
    blueprint.record(_refresh_each_request)
    blueprint.app_context_processor(_context)
    blueprint.add_app_template_filter(local_time, "local_time")
    blueprint.add_app_template_filter(localized_name, "localized")
    blueprint.add_app_template_filter(file_size, "file_size")
