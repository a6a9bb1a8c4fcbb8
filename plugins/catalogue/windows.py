"""Working hours as people type them, ``"08:00-12:00, 13:00-17:30"``, and as minutes of the day."""

from __future__ import annotations

import re
from collections.abc import Sequence

MINUTES_PER_DAY = 24 * 60

Window = tuple[int, int]  # minutes after local midnight, [start, end); end may be 1440
Week = tuple[tuple[Window, ...], ...]  # seven days, Monday first

_TIME = re.compile(r"^(\d{1,2})(?::?(\d{2}))?$")
_DASHES = re.compile(r"\s*(?:-|–|—|to)\s*")


def check_windows(windows: Sequence[Window]) -> None:
    previous_end = 0
    for start, end in windows:
        if not 0 <= start < end <= MINUTES_PER_DAY:
            raise ValueError("each window starts before it ends, within the day")
        if start < previous_end:
            raise ValueError("windows must be in order and must not overlap")
        previous_end = end


def _minute(text: str) -> int:
    match = _TIME.match(text.strip())
    if not match:
        raise ValueError(f"{text.strip()!r} is not a time like 08:00")
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if minutes > 59 or hours > 24 or (hours == 24 and minutes):
        raise ValueError(f"{text.strip()!r} is not a time of day")
    return hours * 60 + minutes


def parse_windows(text: str) -> tuple[Window, ...]:
    """``"08:00-12:00, 13:00-17:30"`` as windows; empty text is a closed day."""
    windows = []
    for part in filter(None, (p.strip() for p in re.split(r"[,;]", text))):
        bounds = _DASHES.split(part)
        if len(bounds) != 2:
            raise ValueError(f"{part!r} is not a range like 08:00-18:00")
        windows.append((_minute(bounds[0]), _minute(bounds[1])))
    windows.sort()
    check_windows(windows)
    return tuple(windows)


def format_minute(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def format_windows(windows: Sequence[Window]) -> str:
    """Windows as text ``parse_windows`` reads back: ``"08:00-12:00, 13:00-17:30"``."""
    return ", ".join(f"{format_minute(s)}-{format_minute(e)}" for s, e in windows)


def parse_week(days: Sequence[str]) -> Week:
    """Seven texts, Monday first, as a week of windows."""
    if len(days) != 7:
        raise ValueError("a week has seven days, Monday first")
    return tuple(parse_windows(text) for text in days)
