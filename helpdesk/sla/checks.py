"""Offline checks of the SLA data files (`helpdesk sla check`, tests)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path

from helpdesk import clock
from helpdesk.sla.calendar import BusinessCalendar, WorkingDays, YearData, missing_years
from helpdesk.sla.holidays import load_years, sla_folder
from helpdesk.sla.policies import DataFileError, FileError, parse
from helpdesk.yamlcheck.errors import DocErrors, _
from helpdesk.yamlcheck.read import read

WARN_FROM_MONTH = 11  # as calendar_store: from 1 November next year must be known


def policy_places_in_rules(rules_folder: Path) -> dict[str, tuple[str, int]]:
    """Every `sla_policy` a routing rule sets: name -> (the file, the line) that names it."""
    found: dict[str, tuple[str, int]] = {}
    for path in sorted(rules_folder.glob("*.yaml")):
        try:
            doc = read(path.read_text(encoding="utf-8"), path.name)
        except DocErrors:
            continue  # `helpdesk rules check` reports it
        rules = doc.value.get("rules") if isinstance(doc.value, dict) else None
        for i, rule in enumerate(rules if isinstance(rules, list) else []):
            settings = rule.get("set") if isinstance(rule, dict) else None
            name = settings.get("sla_policy") if isinstance(settings, dict) else None
            if name:
                line = doc.line(("rules", i, "set", "sla_policy"))
                found.setdefault(str(name), (path.name, line))
    return found


def policy_names_in_rules(rules_folder: Path) -> dict[str, str]:
    """Every `sla_policy` a routing rule sets: name -> the file that names it."""
    return {name: file for name, (file, _line) in policy_places_in_rules(rules_folder).items()}


def check_all(
    rules_folder: Path,
    folder: Path | None = None,
    entered: Mapping[int, YearData] | None = None,
    today: date | None = None,
) -> tuple[list[str], list[str]]:
    """Errors and warnings. `entered`: the years entered by hand in the operations console
    (they come first); `today` decides which years must be known: this one, and from 1
    November the next."""
    folder = folder or sla_folder()
    errors: list[str] = []
    years, year_errors = load_years(folder / "calendar")
    errors += [str(e) for e in year_errors]
    days = WorkingDays({**years, **(entered or {})}, warn=lambda year: None)
    lengths = {
        "business": BusinessCalendar("business", days).day_length,
        "24x7": BusinessCalendar("24x7", None).day_length,
    }
    path = folder / "policies.yaml"
    try:
        policies = parse(path.read_text(encoding="utf-8"), path.name, lengths)
    except DataFileError as exc:
        errors += [str(e) for e in exc.errors]
        policies = None
    except OSError as exc:
        errors.append(str(FileError(str(path), 0, "", _("unreadable: %(problem)s", problem=exc))))
        policies = None
    if policies is not None:
        for name, (file, line) in policy_places_in_rules(rules_folder).items():
            if name not in policies.policies:
                errors.append(
                    str(
                        FileError(
                            file,
                            line,
                            "set.sla_policy",
                            _(
                                "sla_policy %(name)s is not defined in %(file)s",
                                name=name,
                                file=path.name,
                            ),
                        )
                    )
                )
    today = today or clock.local_today_date()
    last = today.year + 1 if today.month >= WARN_FROM_MONTH else today.year
    warnings = [
        f"no holiday data for {year}: Monday to Friday count as working days; enter its "
        f"holidays at /admin/calendar?year={year} (or `helpdesk sla holiday add`), or add "
        f"{folder / 'calendar' / f'{year}.yaml'}"
        for year in missing_years(days, range(today.year, last + 1))
    ]
    return errors, warnings
