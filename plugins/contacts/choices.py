"""The fixed vocabularies of contacts: channels, kinds, bands, languages and countries."""

from __future__ import annotations

import datetime
import tomllib
from functools import cache
from importlib import resources

STATUSES = {"active": "Active", "archived": "Archived"}

# The same channel names the consent records of a later slice will use.
CHANNELS = {
    "email": "Email",
    "phone": "Phone",
    "sms": "Text message",
    "post": "Post",
    "chat": "Chat",
    "in_person": "In person",
}

INTERACTION_KINDS = {
    "call": "Call",
    "meeting": "Meeting",
    "email": "Email",
    "chat": "Chat",
    "visit": "Visit",
    "note": "Note",
}
# A note records what we know; it is not contact with the person.
NOT_CONTACT = frozenset({"note"})
# An interaction is planned (coming up), then held or cancelled; only held ones are contact.
INTERACTION_STATUSES = {"held": "Held", "planned": "Planned", "cancelled": "Cancelled"}

DIRECTIONS = {"inbound": "From the customer", "outbound": "From us"}

AGE_BANDS = {
    "under-18": "Under 18",
    "18-24": "18–24",
    "25-34": "25–34",
    "35-44": "35–44",
    "45-54": "45–54",
    "55-64": "55–64",
    "65+": "65 and over",
}

ORGANISATION_KINDS = {
    "council": "Local authority",
    "department": "Department",
    "school": "School",
    "college": "College or university",
    "agency": "Public agency",
    "health": "Health or care body",
    "charity": "Charity or voluntary",
    "company": "Company",
    "other": "Other",
}

ORGANISATION_SIZES = {
    "1-9": "1–9 staff",
    "10-49": "10–49 staff",
    "50-249": "50–249 staff",
    "250-999": "250–999 staff",
    "1000+": "1,000 staff or more",
}

# BCP 47 tags of the languages an ICT service desk in the UK and Ireland meets most.
LANGUAGES = {
    "en": "English",
    "cy": "Welsh",
    "gd": "Scottish Gaelic",
    "ga": "Irish",
    "ar": "Arabic",
    "bn": "Bengali",
    "zh": "Chinese",
    "fr": "French",
    "de": "German",
    "gu": "Gujarati",
    "it": "Italian",
    "lt": "Lithuanian",
    "pa": "Punjabi",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "so": "Somali",
    "es": "Spanish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "bsl": "British Sign Language",
}


@cache
def countries() -> dict[str, str]:
    """ISO 3166 alpha-2 code -> English name, sorted by name.

    Read from ``countries.toml``, not asked of phonenumbers' geocoder: that one
    held ~150 MB in every web worker from the first people list on.
    """
    names = tomllib.loads(resources.files(__package__).joinpath("countries.toml").read_text())
    return dict(sorted(names.items(), key=lambda item: item[1]))


def country_name(code: str | None) -> str:
    return countries().get(code or "", code or "")


def age_band(born: datetime.date, today: datetime.date) -> str:
    """The band of someone born on ``born``, on ``today``."""
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    for band, low in (("65+", 65), ("55-64", 55), ("45-54", 45), ("35-44", 35), ("25-34", 25)):
        if age >= low:
            return band
    return "18-24" if age >= 18 else "under-18"


# What an email address or phone number is for, on the person form and page.
DETAIL_LABELS = {"work": "Work", "mobile": "Mobile", "home": "Home", "other": "Other"}
