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

from helpdesk.sla.clock import TARGETS, Step, Targets
from helpdesk.sla.files import Checker, DataFileError, FileError, Node, read

log = logging.getLogger(__name__)

CALENDARS = ("business", "24x7")
NOTIFY = ("assignee", "org_supervisors", "centre_supervisors")
WHEN_KEYS = ("type", "priority", "category")
STEP_NAME = re.compile(r"^[a-z][a-z_]{0,19}$")
DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*([dhm])")
POLICY_KEYS = ("description", "calendar", *TARGETS, "overrides", "ladder")


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
        return Targets(policy.name, policy.calendar, **values, ladder=policy.ladder)


def parse_duration(text: str, day: timedelta) -> timedelta | None:
    """`30m`, `4h`, `1h30m`, `2d` (d = one working day of the policy's calendar)."""
    compact = text.replace(" ", "")
    if not compact or DURATION.sub("", compact):
        return None
    total = timedelta(0)
    for number, unit in DURATION.findall(compact):
        amount = float(number)
        unit_length = {"d": day, "h": timedelta(hours=1), "m": timedelta(minutes=1)}[unit]
        total += unit_length * amount
    return total


def parse(text: str, file: str, day_lengths: dict[str, timedelta]) -> Policies:
    root = read(text, file)
    check = Checker(file)
    if root is None:
        raise DataFileError([FileError(file, 0, "", "the file is empty")])
    top = check.mapping(root, ("default", "complaints", "ladder", "policies"))
    ladder = _ladder(check, top.get("ladder")) if "ladder" in top else ()
    policies: dict[str, Policy] = {}
    node = top.get("policies")
    if node is None:
        check.error(root, "policies is required", "policies")
    elif not isinstance(node.value, dict) or not node.value:
        check.error(node, "should be a mapping of policy name to policy")
    else:
        for name, spec in node.value.items():
            policies[name] = _policy(check, name, spec, ladder, day_lengths)
    names = {}
    for key in ("default", "complaints"):
        value = check.text(top.get(key), required=False)
        if value is None:
            check.error(root, f"{key} is required: the policy's name", key)
        elif policies and value not in policies:
            check.error(top[key], f"unknown policy {value}; known: {', '.join(sorted(policies))}")
        names[key] = value or ""
    if check.errors:
        raise DataFileError(check.errors)
    return Policies(policies, names["default"], names["complaints"])


def _policy(
    check: Checker, name: str, spec: Node, ladder: tuple[Step, ...], days: dict[str, timedelta]
) -> Policy:
    fields = check.mapping(spec, POLICY_KEYS)
    calendar = check.text(fields.get("calendar"), required=False) or "business"
    if calendar not in CALENDARS:
        check.error(
            fields["calendar"], f"unknown calendar {calendar}; use {' or '.join(CALENDARS)}"
        )
        calendar = "business"
    day = days[calendar]
    targets = {t: _duration(check, fields.get(t), day) for t in TARGETS}
    if all(v is None for v in targets.values()):
        check.error(spec, "a policy needs at least one target", f"{name}")
    overrides = []
    for item in check.items(fields.get("overrides")):
        parts = check.mapping(item, ("when", *TARGETS))
        when: dict[str, frozenset[str]] = {}
        if "when" in parts:
            for key, node in check.mapping(parts["when"], WHEN_KEYS).items():
                values = node.value if isinstance(node.value, list) else [node]
                when[key] = frozenset(str(v.value) for v in values)
        if not when:
            check.error(item, "an override needs `when` with type, priority or category")
        changes = {t: _duration(check, parts[t], day) for t in TARGETS if t in parts}
        overrides.append(Override(when, changes))
    own = _ladder(check, fields["ladder"]) if "ladder" in fields else ladder
    if not own:
        check.error(spec, "no escalation ladder: give one at the top or in the policy", name)
    description = check.text(fields.get("description"), required=False) or ""
    return Policy(name, calendar, targets, tuple(overrides), own, description)


def _duration(check: Checker, node: Node | None, day: timedelta) -> timedelta | None:
    text = check.text(node, required=False)
    if text is None or text in ("none", "off"):
        return None
    value = parse_duration(text, day)
    if value is None or value <= timedelta(0):
        check.error(node, f"{text} is not a duration like 30m, 4h, 1h30m or 2d")
    return value


def _ladder(check: Checker, node: Node | None) -> tuple[Step, ...]:
    steps: list[Step] = []
    for item in check.items(node):
        spec = check.mapping(item, ("step", "at", "notify", "overdue"))
        name = check.text(spec.get("step")) or ""
        if name and not STEP_NAME.match(name):
            check.error(spec["step"], f"{name}: use lower-case letters and _ (at most 20)")
        at = check.text(spec.get("at")) or "0%"
        match = re.fullmatch(r"(\d+(?:\.\d+)?)%", at.strip())
        if match is None or float(match.group(1)) <= 0:
            check.error(
                spec.get("at") or item, f"{at} should be a percentage of the target, like 80%"
            )
        notify = check.text(spec.get("notify")) or "assignee"
        if notify not in NOTIFY:
            check.error(spec["notify"], f"unknown notify {notify}; use one of: {', '.join(NOTIFY)}")
        overdue = (check.text(spec.get("overdue"), required=False) or "false").lower()
        if overdue not in ("true", "false", "yes", "no"):
            check.error(spec["overdue"], "should be true or false")
        fraction = float(match.group(1)) / 100 if match else 1.0
        steps.append(Step(name, fraction, notify, overdue in ("true", "yes")))
    if len({s.name for s in steps}) != len(steps):
        check.error(node, "two steps share a name")
    if [s.fraction for s in steps] != sorted(s.fraction for s in steps):
        check.error(node, "steps must be in order of `at`")
    return tuple(steps)


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
            self.errors = [FileError(self.path.name, 0, "", f"unreadable: {exc}")]
        for error in self.errors:
            log.error("SLA policies not reloaded (the last good ones stay): %s", error)
