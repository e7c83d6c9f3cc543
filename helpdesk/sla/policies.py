"""SLA policies: a data file beside the routing rules, named by the rules' `sla_policy`.

The file (``routing_rules/sla/policies.yaml``, documented in the README beside it) gives each
policy its calendar (business or 24x7), its targets (first response, next update, resolution)
with overrides by ticket type, priority and category, and the escalation ladder. It is read
with line numbers; every error names file, line and field. A file with errors never replaces
the last good one; with no good one at all, the built-in `FALLBACK` keeps timers running.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, ClassVar

from pydantic import AfterValidator, BeforeValidator, Field, model_validator

from helpdesk.sla.clock import PAUSE_STATES, PAUSING_KINDS, TARGETS, Step, Targets
from helpdesk.yamlcheck.errors import DocError, DocErrors, Msg, _
from helpdesk.yamlcheck.validate import OneOrMore, Spec, Text, choice, fail, load

FileError = DocError  # (file, line, field, message)
DataFileError = DocErrors  # a data file that cannot be used, with every error in it

log = logging.getLogger(__name__)

CALENDARS = ("business", "24x7")
NOTIFY = ("assignee", "org_supervisors", "centre_supervisors")
WHEN_KEYS = ("type", "priority", "category")
STEP_NAME = re.compile(r"^[a-z][a-z_]{0,19}$")
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])")
# A target longer than a year of working days is a slip of the keyboard (an extra 0): the
# clock would walk the calendar that far for every new ticket, and a longer number still
# overflows Python's timedelta (an OverflowError, a 500 on the SLA page).
LONGEST_DAYS = 365


@dataclass(frozen=True)
class Override:
    when: dict[str, frozenset[str]]
    targets: dict[str, timedelta | None]

    def matches(self, facts: dict[str, str]) -> bool:
        for key, allowed in self.when.items():
            value = facts.get(key, "")
            if key == "category":
                if not any(value == a or value.startswith(a + "/") for a in allowed):
                    return False
            elif value not in allowed:
                return False
        return True


@dataclass(frozen=True)
class Policy:
    name: str
    calendar: str
    targets: dict[str, timedelta | None]
    overrides: tuple[Override, ...]
    ladder: tuple[Step, ...]
    description: str = ""
    pause_when: frozenset[str] = PAUSING_KINDS  # the states that stop its business clock


@dataclass(frozen=True)
class Policies:
    policies: dict[str, Policy]
    default: str
    complaints: str

    def choose(self, named: str | None, ticket_type: str) -> Policy:
        """The policy a routing rule named, else the complaint policy for complaints, else the
        default. An unknown name falls back too (and is logged): a ticket always has a clock."""
        if named and named in self.policies:
            return self.policies[named]
        if named:
            log.warning("SLA policy %r is not in policies.yaml; using the default", named)
        if ticket_type == "complaint":
            return self.policies[self.complaints]
        return self.policies[self.default]

    def targets(self, named: str | None, ticket_type: str, priority: str, category: str) -> Targets:
        policy = self.choose(named, ticket_type)
        values = dict(policy.targets)
        facts = {"type": ticket_type, "priority": priority, "category": category}
        for override in policy.overrides:
            if override.matches(facts):
                values.update(override.targets)
        return Targets(policy.name, policy.calendar, **values, ladder=policy.ladder,
                       pause_when=policy.pause_when)  # fmt: skip


def parse_duration(text: str, day: timedelta) -> timedelta | None:
    """`30m`, `4h`, `1h30m`, `2d` (d = one working day of the policy's calendar)."""
    compact = text.replace(" ", "")
    if not compact or DURATION.sub("", compact):
        return None
    total = timedelta(0)
    try:
        for number, unit in DURATION.findall(compact):
            amount = float(number)
            unit_length = {"d": day, "h": timedelta(hours=1), "m": timedelta(minutes=1)}[unit]
            total += unit_length * amount
    except OverflowError:
        return timedelta.max  # longer than anything: too_long() says so
    return total


def too_long(duration: timedelta, day: timedelta) -> bool:
    """Past LONGEST_DAYS working days of `day` hours each."""
    return duration > day * LONGEST_DAYS


def _duration(value: Any) -> Any:
    if value is False:
        return "off"  # YAML 1.1 reads a bare `off` as false
    if value is None:
        return None
    text = _text_of(value)
    if text not in ("none", "off"):
        checked = parse_duration(text, timedelta(days=1))
        if checked is None or checked <= timedelta(0):
            raise fail(_("%(value)s is not a duration like 30m, 4h, 1h30m or 2d", value=text))
        if too_long(checked, timedelta(days=1)):
            raise fail(_("%(value)s is longer than %(n)s working days", value=text, n=LONGEST_DAYS))
    return text


def _text_of(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise fail(_("should be a text, found %(found)s", found=str(value)))
    return str(value).strip()


def _percent(value: Any) -> Any:
    text = _text_of(value)
    match = re.fullmatch(r"(\d+(?:\.\d+)?)%", text)
    if match is None or float(match.group(1)) <= 0:
        raise fail(_("%(value)s should be a percentage of the target, like 80%%", value=text))
    return float(match.group(1)) / 100


def _step_name(value: str) -> str:
    if not STEP_NAME.match(value):
        raise fail(_("%(value)s: use lower-case letters and _ (at most 20)", value=value))
    return value


def _pause_states(value: Any) -> Any:
    if isinstance(value, str):
        value = [value]  # one state: a list of one
    if not isinstance(value, list):
        raise fail(_("should be a list of states, like [pended, resolved]"))
    for item in value:
        if item not in PAUSE_STATES:
            raise fail(
                _(
                    "%(value)s is not a state that can stop the clock; use %(allowed)s",
                    value=str(item),
                    allowed=", ".join(PAUSE_STATES),
                )
            )
    return value


# the states that stop a policy's business clock; [] never stops it
PauseWhen = Annotated[list[str], BeforeValidator(_pause_states)]

# a duration as written ("4h", "2d", "none"): a day's length depends on the policy's calendar
Duration = Annotated[str | None, BeforeValidator(_duration)]


class StepSpec(Spec):
    step: Annotated[Text, AfterValidator(_step_name)]
    at: Annotated[float, BeforeValidator(_percent)]
    notify: choice(NOTIFY)  # type: ignore[valid-type]
    overdue: bool = False


def _ladder_order(steps: list[StepSpec]) -> list[StepSpec]:
    if len({s.step for s in steps}) != len(steps):
        raise fail(_("two steps share a name"))
    if [s.at for s in steps] != sorted(s.at for s in steps):
        raise fail(_("steps must be in order of `at`"))
    return steps


Ladder = Annotated[list[StepSpec], AfterValidator(_ladder_order)]


class WhenSpec(Spec):
    type: OneOrMore[Text] = []
    priority: OneOrMore[Text] = []
    category: OneOrMore[Text] = []


class OverrideSpec(Spec):
    when: WhenSpec | None = None
    first_response: Duration = None
    next_update: Duration = None
    resolution: Duration = None

    @model_validator(mode="after")
    def _has_when(self) -> OverrideSpec:
        if self.when is None or not any(getattr(self.when, k) for k in WHEN_KEYS):
            raise fail(_("an override needs `when` with type, priority or category"))
        return self


class PolicySpec(Spec):
    description: str | None = None
    calendar: choice(CALENDARS) = "business"  # type: ignore[valid-type]
    first_response: Duration = None
    next_update: Duration = None
    resolution: Duration = None
    overrides: list[OverrideSpec] | None = None
    ladder: Ladder | None = None
    pause_when: PauseWhen = list(PAUSE_STATES)

    @model_validator(mode="after")
    def _has_target(self) -> PolicySpec:
        if all(getattr(self, t) in (None, "none", "off") for t in TARGETS):
            raise fail(_("a policy needs at least one target"))
        return self


def _some(value: Any) -> Any:
    if isinstance(value, dict) and not value:
        raise fail(_("should be a mapping of policy name to policy"))
    return value


class PoliciesFile(Spec):
    shape: ClassVar[Msg] = _("a mapping with default, complaints and policies")
    default: Text
    complaints: Text
    ladder: Ladder | None = None
    policies: Annotated[dict[str, PolicySpec], BeforeValidator(_some)] = Field()


def parse(text: str, file: str, day_lengths: dict[str, timedelta]) -> Policies:
    spec, doc = load(text, file, PoliciesFile)
    errors: list[FileError] = []
    for key in ("default", "complaints"):
        name = getattr(spec, key)
        if name not in spec.policies:
            errors.append(
                FileError(
                    file,
                    doc.line((key,)),
                    key,
                    _(
                        "unknown policy %(name)s; known: %(known)s",
                        name=name,
                        known=", ".join(sorted(spec.policies)),
                    ),
                )
            )
    policies = {}
    for name, policy in spec.policies.items():
        if not (policy.ladder if policy.ladder is not None else spec.ladder):
            errors.append(
                FileError(
                    file,
                    doc.line(("policies", name)),
                    f"policies.{name}",
                    _("no escalation ladder: give one at the top or in the policy"),
                )
            )
        policies[name] = _policy(name, policy, spec.ladder or [], day_lengths)
    if errors:
        raise DataFileError(errors)
    return Policies(policies, spec.default, spec.complaints)


def _policy(
    name: str, spec: PolicySpec, ladder: list[StepSpec], days: dict[str, timedelta]
) -> Policy:
    day = days[spec.calendar]

    def length(text: str | None) -> timedelta | None:
        return None if text in (None, "none", "off") else parse_duration(text or "", day)

    targets = {t: length(getattr(spec, t)) for t in TARGETS}
    overrides = tuple(
        Override(
            {k: frozenset(getattr(o.when, k)) for k in WHEN_KEYS if o.when and getattr(o.when, k)},
            {t: length(getattr(o, t)) for t in TARGETS if t in o.model_fields_set},
        )
        for o in spec.overrides or []
    )
    steps = tuple(
        Step(s.step, s.at, s.notify, s.overdue)
        for s in (spec.ladder if spec.ladder is not None else ladder)
    )
    return Policy(name, spec.calendar, targets, overrides, steps, spec.description or "",
                  frozenset(spec.pause_when))  # fmt: skip


FALLBACK = Policies(
    {
        "standard": Policy(
            "standard",
            "business",
            {
                "first_response": timedelta(hours=4),
                "next_update": timedelta(hours=15),
                "resolution": timedelta(hours=37, minutes=30),
            },
            (),
            (Step("warn", 0.8, "assignee"), Step("escalate", 1.0, "org_supervisors")),
        )
    },
    "standard",
    "standard",
)


class PolicySource:
    """The policies file, re-read when it changes (checked at most once a second)."""

    def __init__(self, path: Path, day_lengths: dict[str, timedelta]) -> None:
        self.path, self.day_lengths = path, day_lengths
        self._lock = threading.Lock()
        self._stamp: tuple[int, int] | None = None
        self._checked = 0.0
        self._current: Policies | None = None
        self.errors: list[FileError] = []

    def get(self) -> Policies:
        now = time.monotonic()
        if self._current is not None and now - self._checked < 1.0:
            return self._current
        with self._lock:
            self._checked = now
            try:
                stat = self.path.stat()
                stamp = (stat.st_mtime_ns, stat.st_size)
            except OSError:
                stamp = (0, 0)
            if stamp != self._stamp:
                self._stamp = stamp
                self._reload()
        return self._current or FALLBACK

    def _reload(self) -> None:
        try:
            text = self.path.read_text(encoding="utf-8")
            self._current = parse(text, self.path.name, self.day_lengths)
            self.errors = []
        except DataFileError as exc:
            self.errors = exc.errors
        except OSError as exc:
            self.errors = [
                FileError(self.path.name, 0, "", _("unreadable: %(problem)s", problem=exc))
            ]
        for error in self.errors:
            log.error("SLA policies not reloaded (the last good ones stay): %s", error)
