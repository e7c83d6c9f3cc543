"""The SLA policy form: every target and ladder step of policies.yaml as a field, checked with
a message per field, and written back into the YAML on its own line (comments and layout stay,
so versions diff like the file does). Each policy's pause rule (`pause_when`) is a set of
checkboxes; a policy without the line gets one only when the admin changes it."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask_babel import gettext as _

from helpdesk.console_forms import FieldErrors
from helpdesk.sla.clock import PAUSE_STATES, TARGETS
from helpdesk.sla.policies import LONGEST_DAYS, DataFileError, parse, parse_duration, too_long
from helpdesk.yamlcheck.read import Doc, read

WORKING_DAY = timedelta(hours=7, minutes=30)  # what `d` is measured in when checking a target
PERCENT = re.compile(r"^(\d+(?:\.\d+)?)\s*%?$")


@dataclass(frozen=True)
class Field:
    key: str  # "standard.o1.first_response", "ladder.0", "complaint.ladder.2"
    line: int  # the value's line in the file (1-based)
    text: str  # as the file says it: "4h", "2d", "none", "80%"
    step: bool  # a ladder step's `at` (else a target)
    overdue: bool = False  # the 督办 step: the one allowed after the target
    step_name: str = ""  # a step's name and whom it notifies, for the page
    notify: str = ""


@dataclass(frozen=True)
class Pause:
    """A policy's pause rule as the file says it (the default when it has no `pause_when`)."""

    policy: str
    states: tuple[str, ...]
    line: int  # the `pause_when:` line, 0 when the file has none
    last: int  # the value's last line (a block list spans several)
    after: int  # where a new line goes: after the policy's `calendar:` line, else its name
    indent: str


def pauses_of(text: str) -> dict[str, Pause]:
    doc = read(text, "policies.yaml")
    found: dict[str, Pause] = {}
    policies = doc.value.get("policies") if isinstance(doc.value, dict) else None
    lines = text.split("\n")
    for name, spec in (policies if isinstance(policies, dict) else {}).items():
        path: tuple[str | int, ...] = ("policies", name)
        first = doc.start(path)
        if not isinstance(spec, dict) or not first or first == doc.line(path):
            continue  # a flow mapping on the name's line: not edited here
        indent = re.match(r"^\s*", lines[first - 1]).group(0)  # type: ignore[union-attr]
        value = spec.get("pause_when", list(PAUSE_STATES))
        value = value if isinstance(value, list) else [value]
        states = tuple(s for s in PAUSE_STATES if s in value)
        line = doc.lines.get((*path, "pause_when"), 0)
        items = [doc.lines.get((*path, "pause_when", i), 0) for i in range(len(value))]
        last = max([line, *items])
        after = doc.lines.get((*path, "calendar"), doc.line(path))
        found[name] = Pause(name, states, line, last, after, indent)
    return found


def chosen_pauses(pauses: dict[str, Pause], values: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """The ticked states of each policy (checkbox `pause.<policy>.<state>`; unticked: absent)."""
    return {
        name: tuple(s for s in PAUSE_STATES if values.get(f"pause.{name}.{s}")) for name in pauses
    }


def rewrite_pauses(
    text: str, pauses: dict[str, Pause], chosen: dict[str, tuple[str, ...]]
) -> tuple[str, dict[str, str], dict[str, str]]:
    """The file with each changed pause rule on one line `pause_when: [..]`; (text, before,
    after) of the changed policies, keyed `<policy>.pause_when`. Bottom-up, so the line
    numbers of the ones above stay true."""
    lines = text.split("\n")
    before, after = {}, {}
    for pause in sorted(pauses.values(), key=lambda p: -max(p.line, p.after)):
        states = chosen.get(pause.policy, pause.states)
        if set(states) == set(pause.states):
            continue
        new = f"{pause.indent}pause_when: [{', '.join(states)}]"
        if pause.line:
            comment = (
                re.search(r"\s+#.*$", lines[pause.line - 1]) if pause.line == pause.last else None
            )
            lines[pause.line - 1 : pause.last] = [new + (comment.group(0) if comment else "")]
        else:
            lines.insert(pause.after, new)
        key = f"{pause.policy}.pause_when"
        before[key], after[key] = ", ".join(pause.states), ", ".join(states)
    return "\n".join(lines), before, after


def fields_of(text: str) -> dict[str, Field]:
    doc = read(text, "policies.yaml")
    found: dict[str, Field] = {}
    if not isinstance(doc.value, dict):
        return found
    _ladder(found, "ladder", doc, ("ladder",))
    policies = doc.value.get("policies")
    for name, spec in (policies if isinstance(policies, dict) else {}).items():
        _targets(found, name, doc, ("policies", name))
        overrides = spec.get("overrides") if isinstance(spec, dict) else None
        for i, _item in enumerate(overrides if isinstance(overrides, list) else []):
            _targets(found, f"{name}.o{i}", doc, ("policies", name, "overrides", i))
        _ladder(found, f"{name}.ladder", doc, ("policies", name, "ladder"))
    return found


def _value(doc: Doc, path: tuple[str | int, ...]) -> Any:
    value = doc.value
    for part in path:
        if isinstance(value, dict) and isinstance(part, str):
            value = value.get(part)
        elif isinstance(value, list) and isinstance(part, int) and part < len(value):
            value = value[part]
        else:
            return None
    return value


def _targets(found: dict[str, Field], prefix: str, doc: Doc, path: tuple[str | int, ...]) -> None:
    for target in TARGETS:
        value = _value(doc, (*path, target))
        if isinstance(value, str):
            line = doc.line((*path, target))
            found[f"{prefix}.{target}"] = Field(f"{prefix}.{target}", line, value, False)


def _ladder(found: dict[str, Field], prefix: str, doc: Doc, path: tuple[str | int, ...]) -> None:
    steps = _value(doc, path)
    for i, item in enumerate(steps if isinstance(steps, list) else []):
        at = item.get("at") if isinstance(item, dict) else None
        if isinstance(at, str):
            overdue = item.get("overdue")
            flagged = overdue is True or str(overdue).lower() in ("true", "yes")
            name, notify = item.get("step"), item.get("notify")
            found[f"{prefix}.{i}"] = Field(
                f"{prefix}.{i}", doc.line((*path, i, "at")), at, True, flagged,
                str(name) if name else "", str(notify) if notify else "",
            )  # fmt: skip


def check(fields: dict[str, Field], values: dict[str, str]) -> dict[str, str]:
    """{key: normalised text} of the submitted values; FieldErrors (in the page's language)
    for each bad one: not a duration, zero, a percentage that is not one, a step out of order
    or after the target (only the 督办 step, flagged overdue, may come after it)."""
    errors: dict[str, str] = {}
    clean: dict[str, str] = {}
    for key, field in fields.items():
        raw = (values.get(key) or "").strip()
        if field.step:
            match = PERCENT.match(raw)
            if match is None:
                errors[key] = _("Enter a percentage of the target, like 80%.")
                continue
            percent = float(match.group(1))
            if percent <= 0:
                errors[key] = _("A step must come after the ticket starts: more than 0%.")
            elif percent > 100 and not field.overdue:
                errors[key] = _(
                    "This step would come after the target (%(at)s); only the step that flags "
                    "the ticket overdue (supervision) may.",
                    at="100%",
                )
            clean[key] = f"{match.group(1)}%"
            continue
        may_be_off = key.endswith("next_update") or field.text in ("none", "off")
        if raw.lower() in ("none", "off", "无") and may_be_off:
            clean[key] = "none"
            continue
        compact = raw.lower().replace(" ", "").replace("天", "d").replace("小时", "h")
        compact = compact.replace("分钟", "m")
        duration = parse_duration(compact, WORKING_DAY)
        if duration is None:
            errors[key] = _("Enter a duration like 30m, 4h, 1h30m or 2d (working days).")
        elif duration <= timedelta(0):
            errors[key] = _("A target must be longer than zero.")
        elif too_long(duration, WORKING_DAY):
            errors[key] = _("A target may be at most %(n)d working days.", n=LONGEST_DAYS)
        else:
            clean[key] = compact
    _order(fields, clean, errors)
    if errors:
        raise FieldErrors(errors)
    return clean


def _order(fields: dict[str, Field], clean: dict[str, str], errors: dict[str, str]) -> None:
    ladders: dict[str, list[str]] = {}
    for key, field in fields.items():
        if field.step:
            ladders.setdefault(key.rsplit(".", 1)[0], []).append(key)
    for keys in ladders.values():
        last = 0.0
        for key in keys:
            if key not in clean or key in errors:
                continue
            percent = float(clean[key].rstrip("%"))
            if percent <= last:
                before = f"{last:g}%"
                errors[key] = _(
                    "Steps must come in order: after the step before (%(at)s).", at=before
                )
            last = percent


def rewrite(
    text: str, fields: dict[str, Field], clean: dict[str, str]
) -> tuple[str, dict[str, str], dict[str, str]]:
    """The file with each changed value replaced on its line; (text, before, after) of the
    changed keys only."""
    lines = text.split("\n")
    before, after = {}, {}
    for key, value in clean.items():
        field = fields[key]
        if value == field.text:
            continue
        line = lines[field.line - 1]
        name = "at" if field.step else key.rsplit(".", 1)[1]
        found = re.match(rf"^\s*(?:-\s+)?{name}:\s*({re.escape(field.text)})", line)
        if found is None:  # not where the file said: leave it, the check below will tell
            continue
        lines[field.line - 1] = line[: found.start(1)] + value + line[found.end(1) :]
        before[key], after[key] = field.text, value
    return "\n".join(lines), before, after


def validate_file(text: str, day_lengths: dict[str, timedelta]) -> None:
    """The whole file as the loader reads it: nothing is saved that it would refuse."""
    try:
        parse(text, "policies.yaml", day_lengths)
    except DataFileError as exc:
        raise FieldErrors({"file": "; ".join(str(e) for e in exc.errors)}) from None
