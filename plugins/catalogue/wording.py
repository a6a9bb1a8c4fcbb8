"""Targets, weeks and holidays in plain words, for staff pages and the customer's catalogue."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import holidays
from holidays import registry

from .hours import MINUTES_PER_DAY, WEEKDAYS, Week, format_minute, supported_countries

MAX_TARGET_MINUTES = 60 * 24 * 90
_DURATION = re.compile(
    r"^(?:(?P<hours>\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*(?:(?P<minutes>\d+)\s*m(?:in(?:ute)?s?)?)?$"
)


# --- Durations ---------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """Minutes from ``"30"``, ``"30m"``, ``"4h"``, ``"1h 30m"`` or ``"1.5h"``; ``ValueError``."""
    text = text.strip().lower()
    if text.isascii() and text.isdigit():
        return int(text)
    match = _DURATION.match(text)
    if not text or not match:
        raise ValueError(text)
    total = float(match.group("hours") or 0) * 60 + int(match.group("minutes") or 0)
    if total != int(total):
        raise ValueError(text)
    return int(total)


def duration_text(minutes: int | None) -> str:
    """Minutes as ``parse_duration`` reads them back, shortest first: ``"4h"``, ``"1h 30m"``."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h" + (f" {rest}m" if rest else "")


def _plural(number: int, word: str) -> str:
    return f"{number} {word}" if number == 1 else f"{number} {word}s"


def duration_words(minutes: int) -> str:
    """``"30 business minutes"``, ``"4 business hours"``, ``"1 business hour and 30 minutes"``."""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return _plural(rest, "business minute")
    words = _plural(hours, "business hour")
    return f"{words} and {_plural(rest, 'minute')}" if rest else words


def level_sentence(level: Any) -> str:
    """One priority's targets as a customer reads them."""
    return (
        f"response within {duration_words(level.response_minutes)}, "
        f"resolution within {duration_words(level.resolution_minutes)}"
    )


# --- Weeks -------------------------------------------------------------------------------------


def windows_words(windows: Sequence[tuple[int, int]]) -> str:
    if list(windows) == [(0, MINUTES_PER_DAY)]:
        return "all day"
    return ", ".join(f"{format_minute(s)}–{format_minute(e)}" for s, e in windows)


def week_words(week: Week) -> list[str]:
    """Days with the same hours grouped: ``["Monday to Friday 08:00–18:00", …]``."""
    if all(list(day) == [(0, MINUTES_PER_DAY)] for day in week):
        return ["24 hours a day, 7 days a week"]
    runs: list[tuple[int, int, Any]] = []
    for index, windows in enumerate(week):
        if runs and runs[-1][2] == windows and runs[-1][1] == index - 1:
            runs[-1] = (runs[-1][0], index, windows)
        else:
            runs.append((index, index, windows))
    lines = []
    for first, last, windows in runs:
        if not windows:
            continue
        if first == last:
            days = WEEKDAYS[first]
        elif last == first + 1:
            days = f"{WEEKDAYS[first]} and {WEEKDAYS[last]}"
        else:
            days = f"{WEEKDAYS[first]} to {WEEKDAYS[last]}"
        lines.append(f"{days} {windows_words(windows)}")
    return lines


# --- Countries ---------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    """Two-letter code -> English name, for every country with public holidays."""
    supported = supported_countries()
    names = {
        entry[1]: module.replace("_", " ").title()
        for module, entry in registry.COUNTRIES.items()
        if entry[1] in supported
    }
    return dict(sorted(names.items(), key=lambda item: item[1]))


@lru_cache(maxsize=64)
def subdivision_names(country: str) -> dict[str, str]:
    """A country's subdivision codes -> names (the code when the package has no name)."""
    codes = supported_countries().get(country, ())
    if not codes:
        return {}
    aliases = getattr(holidays.country_holidays(country), "subdivisions_aliases", {}) or {}
    named: dict[str, str] = {}
    for alias, code in aliases.items():
        named.setdefault(code, alias)
    return {code: named.get(code, code) for code in codes}


def holidays_words(country: str, subdivision: str) -> str:
    """``"United Kingdom (England)"``, or ``""`` without a country."""
    if not country:
        return ""
    name = country_names().get(country, country)
    if subdivision:
        return f"{name} ({subdivision_names(country).get(subdivision, subdivision)})"
    return name
