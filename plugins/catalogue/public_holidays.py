"""Public holidays by country and region, from the ``holidays`` package."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from functools import lru_cache
from types import MappingProxyType

import holidays


def supported_countries() -> dict[str, tuple[str, ...]]:
    """Two-letter country codes the ``holidays`` package knows, with their subdivisions."""
    return {
        code: tuple(subdivisions)
        for code, subdivisions in holidays.list_supported_countries().items()
        if len(code) == 2
    }


@lru_cache(maxsize=512)
def public_holidays(country: str, subdivision: str, year: int) -> Mapping[dt.date, str]:
    """Public holidays of ``country`` (and ``subdivision``) in ``year``: date -> name.

    Cached per process: the answer depends only on the installed ``holidays``.
    """
    if not country:
        return MappingProxyType({})
    found = holidays.country_holidays(country, subdiv=subdivision or None, years=year)
    return MappingProxyType({day: name for day, name in found.items() if day.year == year})
