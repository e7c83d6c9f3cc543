"""The district a unified social credit code names: its characters 3-8 are the administrative
division code (91330106... -> 330106 西湖区), so a registering enterprise need not pick it."""

from __future__ import annotations


def division(code: str | None) -> str:
    """The six-digit division in a (possibly half-typed) credit code, or "" when there is none."""
    text = (code or "").strip()
    found = text[2:8]
    return found if len(found) == 6 and found.isdigit() else ""
