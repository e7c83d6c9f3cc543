"""The routing trace in the page's language: the pure engine explains itself in English
sentences of a few fixed shapes (engine.py, conditions.py, strategies.py); pages read them back
here and say them with names instead of codes (a category's name, an organisation's, a
person's). A sentence of an unknown shape is shown as it is."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import g
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape
from sqlalchemy import select

from helpdesk.web.labels import label
from helpdesk.web.punctuation import marks

OUTCOME = {"matched": _l("matched"), "no match": _l("no match"), "not reached": _l("not reached")}
SOURCE = {"candidate": _l("candidate"), "fallback": _l("fallback"), "centre": _l("service centre")}
# an attempt's organisation as a sentence names it: "候选机构 银行A"
SOURCE_NOUN = {
    "candidate": _l("candidate organisation"),
    "fallback": _l("fallback organisation"),
    "centre": _l("service centre"),
}
WHAT = {
    "category": _l("category"),
    "district": _l("district"),
    "channel": _l("channel"),
    "ticket type": _l("ticket type"),
    "priority": _l("priority"),
    "language": _l("language"),
    "industry": _l("industry"),
    "size": _l("enterprise size"),
    "tags": _l("tags"),
}
MEMBER = {
    "queue": _l("into the organisation's queue"),
    "round_robin": _l("in turn"),
    "least_loaded": _l("least loaded first"),
    "sticky": _l("whoever served the enterprise before"),
    "skills": _l("by skills"),
}
NOTIFY = {
    "organisation": _l("the organisation"),
    "assignee": _l("the assignee"),
    "supervisors": _l("the supervisors"),
}
FIXED = {
    "the default rule: matches every ticket": _l("the default rule: matches every ticket"),
    "left out by the index": _l("left out by the index"),
    "arrived during working hours": _l("arrived during working hours"),
    "arrived after hours": _l("arrived after hours"),
    "working hours": _l("during working hours"),  # the time condition's own description
    "after hours": _l("outside working hours"),
    "the ticket has no enterprise": _l("the ticket has no enterprise"),
    "no active service centre": _l("no active service centre"),
    "chosen; the centre's queue": _l("chosen: into the service centre's queue"),
    "chosen; the service centre's queue": _l("chosen: into the service centre's queue"),
    "skipped: not in the directory": _l("skipped: not in the directory"),
    "skipped: suspended": _l("skipped: suspended"),
    "skipped: already declined this ticket": _l("skipped: already declined this ticket"),
    "into the organisation's queue": _l("into the organisation's queue"),
    "no member to take turns: into the queue": _l("no member to take turns: into the queue"),
    "no member: into the queue": _l("no member: into the queue"),
}


class Names:
    """Codes to names for one request, read once."""

    def __init__(self) -> None:
        from helpdesk.auth.models import User
        from helpdesk.directory.models import Organisation, Region, ServiceCategory
        from helpdesk.extensions import db
        from helpdesk.web import localized_name

        session = db.session
        self.categories = {c.code: c for c in session.scalars(select(ServiceCategory))}
        self.regions = {r.code: localized_name(r) for r in session.scalars(select(Region))}
        rows = session.execute(select(Organisation.slug, Organisation.name)).all()
        self.organisations = {slug: name for slug, name in rows}
        self.people = dict(session.execute(select(User.login, User.name)).tuples().all())
        self._localized = localized_name
        self._rules: dict[str, str] | None = None  # read when a page first names a rule

    def category(self, code: str) -> str:
        if code.endswith("/*"):  # a rule's pattern: the whole platform
            return _("%(name)s (all)", name=self.category(code.removesuffix("/*")))
        found = self.categories.get(code)
        if found is None:
            return code
        if found.parent_code and found.parent_code in self.categories:
            parent = self._localized(self.categories[found.parent_code])
            return f"{parent}·{self._localized(found)}"
        return str(self._localized(found))

    def value(self, what: str, value: str) -> str:
        value = value.strip()
        if value == "none":
            return _("none")
        lookups: dict[str, Callable[[str], str]] = {
            "category": self.category,
            "district": lambda v: self.regions.get(v, v),
            "channel": lambda v: label("channel", v),
            "ticket type": lambda v: label("type", v),
            "priority": lambda v: label("priority", v),
            "language": lambda v: label("language", v),
        }
        return lookups.get(what, lambda v: v)(value)

    def values(self, what: str, listed: str) -> str:
        return marks().join(self.value(what, v) for v in listed.split(", "))

    def organisation(self, slug: str | None) -> str:
        return self.organisations.get(slug or "", slug or "")

    def person(self, login: str | None) -> str:
        return self.people.get(login or "", login or "")

    def rule(self, name: str | None) -> str:
        """A rule by its description in the rules in force (its code when it has none or is
        no longer there)."""
        if self._rules is None:
            from helpdesk.extensions import db
            from helpdesk.routing.service import active_rules

            ruleset = active_rules(db.session())
            rules = ruleset.rules if ruleset else ()
            self._rules = {r.name: r.description for r in rules if r.description}
        return self._rules.get(name or "", name or "")

    def rule_html(self, name: str | None) -> Markup:
        """The description as text, or the code as code when there is no description."""
        said = self.rule(name)
        if not name or said != name:
            return escape(said or "—")
        return Markup("<code>%s</code>") % name


def names() -> Names:
    if "routing_names" not in g:
        g.routing_names = Names()
    return g.routing_names


def member(strategy: object) -> str:
    """How a rule picks the person: "轮流分配（仅班长）"."""
    kind = str(getattr(strategy, "type", ""))
    role = getattr(strategy, "role", None)
    said = str(MEMBER.get(kind, kind))
    return _("%(how)s (only %(role)s)", how=said, role=label("role", role)) if role else said


def organisations(slugs: tuple[str, ...] | list[str]) -> str:
    """Organisation slugs as names; a district template as the district's workstation."""
    n = names()
    return marks().join(
        _("the workstation of the ticket's district") if "<district>" in s else n.organisation(s)
        for s in slugs
    )


def notified(who: tuple[str, ...] | list[str]) -> str:
    return marks().join(NOTIFY.get(w, w) for w in who)


def outcome(value: str) -> str:
    return str(OUTCOME.get(value, value))


def source(value: str) -> str:
    return str(SOURCE.get(value, value))


def attempt(organisation: str | None, source_: str, outcome_: object) -> str:
    """One organisation the router tried, as one sentence: "选中候选机构 银行A，按负载最少分给
    王敏（在办 14 张）" rather than the old "银行A（候选：选中：负载最少：…）"."""
    org = names().organisation(organisation)
    who = str(SOURCE_NOUN.get(source_, source_))
    text = outcome_ if isinstance(outcome_, str) else ""
    if text.startswith("chosen; "):
        how = text.removeprefix("chosen; ")
        if how in ("the centre's queue", "the service centre's queue"):
            return _(
                "%(source)s %(org)s was chosen and the ticket waits in its queue for triage",
                source=who,
                org=org,
            )
        return _("%(source)s %(org)s was chosen and %(how)s", source=who, org=org, how=_how(how))
    if text.startswith("skipped"):
        return _("%(source)s %(org)s %(why)s", source=who, org=org, why=explain(text))
    return _("%(source)s %(org)s: %(why)s", source=who, org=org, why=explain(text))


def _how(text: str) -> str:
    """How the chosen organisation took the ticket (a member strategy's words)."""
    n = names()
    if text == "into the organisation's queue":
        return _("the ticket waits in its queue")
    if text == "no member to take turns: into the queue":
        return _("the ticket waits in its queue (no member to take turns)")
    if text == "no member: into the queue":
        return _("the ticket waits in its queue (no member to assign it to)")
    for pattern, say in _HOW:
        found = re.fullmatch(pattern, text)
        if found:
            return say(n, *found.groups())
    return explain(text)


def explain(text: object) -> str:
    """One reason of the trace, or several joined by "; ", in the page's language."""
    if not isinstance(text, str):  # a row recorded without one
        return ""
    if text in FIXED:
        return str(FIXED[text])
    if text.startswith("enterprise "):  # the enterprise condition's summary
        return _("enterprise: %(parts)s", parts=explain(text.removeprefix("enterprise ")))
    if "; " in text and not text.startswith(("chosen; ", "skipped")):
        return marks().semicolon.join(explain(part) for part in text.split("; "))
    return _sentence(text, names())


def _sentence(text: str, n: Names) -> str:
    for pattern, say in _SHAPES:
        found = re.fullmatch(pattern, text)
        if found:
            return say(n, *found.groups())
    return text


def _what(what: str) -> str:
    return str(WHAT.get(what, what))


def _listed(words: str) -> str:
    """The trace's "a, b, c" in the page's language: 甲、乙、丙 in Chinese."""
    return str(_(", ")).join(words.split(", "))


def _people(n: Names, login: str) -> str:
    return n.person(login)


_SHAPES: list[tuple[str, Callable[..., str]]] = [
    (
        r"rule (\S+) matched first",
        lambda n, rule: _("rule %(rule)s matched first", rule=rule),
    ),
    (
        r"(category|district|channel|ticket type|priority|language|industry|size) (\S+) is not "
        r"in (.+)",
        lambda n, what, value, listed: _(
            "%(what)s %(value)s is not among %(listed)s",
            what=_what(what),
            value=n.value(what, value),
            listed=n.values(what, listed),
        ),
    ),
    (
        r"(category|district|channel|ticket type|priority|language|industry|size|tags) in (.+)",
        lambda n, what, listed: _(
            "%(what)s is one of %(listed)s", what=_what(what), listed=n.values(what, listed)
        ),
    ),
    (
        r"none of the words (.+) in subject or description",
        lambda n, words: _(
            "none of the words %(words)s in subject or description", words=_listed(words)
        ),
    ),
    (
        r"text mentions any of (.+)",
        lambda n, words: _("the text mentions one of %(words)s", words=_listed(words)),
    ),
    (
        r"the enterprise has none of the tags (.+)",
        lambda n, tags: _("the enterprise has none of the tags %(tags)s", tags=_listed(tags)),
    ),
    (
        r"skipped: does not serve district (\S+)",
        lambda n, code: _(
            "skipped: does not serve %(district)s", district=n.value("district", code)
        ),
    ),
    (
        r"skipped: does not serve category (\S+)",
        lambda n, code: _("skipped: does not serve %(category)s", category=n.category(code)),
    ),
    (
        r"skipped: at capacity \((\d+) open of (\d+)\)",
        lambda n, now, cap: _("skipped: at capacity (%(open)s open of %(cap)s)", open=now, cap=cap),
    ),
    (r"chosen; (.+)", lambda n, how: _("chosen: %(how)s", how=explain(how))),
    (
        r"round robin: (\S+) is next in turn",
        lambda n, who: _("in turn: %(person)s is next", person=_people(n, who)),
    ),
    (
        r"least loaded: (\S+) has (\d+) open",
        lambda n, who, count: _(
            "least loaded: %(person)s has %(count)s open", person=_people(n, who), count=count
        ),
    ),
    (
        r"sticky: (\S+) is the enterprise's dedicated person",
        lambda n, who: _("%(person)s is the enterprise's dedicated person", person=_people(n, who)),
    ),
    (
        r"sticky: (\S+) served this enterprise before",
        lambda n, who: _("%(person)s served this enterprise before", person=_people(n, who)),
    ),
    (
        r"sticky: nobody yet, least loaded (\S+)",
        lambda n, who: _(
            "nobody served this enterprise yet; least loaded: %(person)s", person=_people(n, who)
        ),
    ),
    (
        r"nobody with skills (.+): into the queue",
        lambda n, skills: _("nobody with the skills %(skills)s: into the queue", skills=skills),
    ),
    (
        r"skills: (\S+) knows (.+)",
        lambda n, who, skills: _(
            "%(person)s has the skills %(skills)s", person=_people(n, who), skills=skills
        ),
    ),
]


_HOW: list[tuple[str, Callable[..., str]]] = [
    (
        r"nobody with skills (.+): into the queue",
        lambda n, skills: _(
            "the ticket waits in its queue (nobody has the skills %(skills)s)", skills=skills
        ),
    ),
    (
        r"round robin: (\S+) is next in turn",
        lambda n, who: _("assigned in turn to %(person)s", person=_people(n, who)),
    ),
    (
        r"least loaded: (\S+) has (\d+) open",
        lambda n, who, count: _(
            "assigned to %(person)s, the least loaded (%(count)s open)",
            person=_people(n, who),
            count=count,
        ),
    ),
    (
        r"sticky: (\S+) is the enterprise's dedicated person",
        lambda n, who: _(
            "assigned to %(person)s, the enterprise's dedicated person", person=_people(n, who)
        ),
    ),
    (
        r"sticky: (\S+) served this enterprise before",
        lambda n, who: _(
            "assigned to %(person)s, who served the enterprise before", person=_people(n, who)
        ),
    ),
    (
        r"sticky: nobody yet, least loaded (\S+)",
        lambda n, who: _(
            "nobody served the enterprise yet: assigned to %(person)s, the least loaded",
            person=_people(n, who),
        ),
    ),
    (
        r"skills: (\S+) knows (.+)",
        lambda n, who, skills: _(
            "assigned to %(person)s, who has the skills %(skills)s",
            person=_people(n, who),
            skills=skills,
        ),
    ),
]
