"""The detector's settings for an organisation, within sensible bounds."""

from __future__ import annotations

from dataclasses import dataclass

from accord import Organisation, plugin_settings

PLUGIN = "problems"


@dataclass(frozen=True)
class DetectorSettings:
    window_days: int = 30
    min_group_size: int = 3
    similarity_threshold: int = 75


def detector_settings(org: Organisation) -> DetectorSettings:
    values = plugin_settings.get(org, PLUGIN)
    defaults = DetectorSettings()

    def number(key: str, low: int, high: int) -> int:
        raw = values.get(key)
        value = int(raw) if isinstance(raw, int) else getattr(defaults, key)
        return max(low, min(value, high))

    return DetectorSettings(
        window_days=number("window_days", 1, 365),
        min_group_size=number("min_group_size", 2, 100),
        similarity_threshold=number("similarity_threshold", 1, 100),
    )
