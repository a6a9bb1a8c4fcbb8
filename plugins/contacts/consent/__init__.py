"""Consent and communication preferences: the one place that says who may be contacted.

Other plugins keep no opt-out lists of their own; they ask, and record what
they did::

    from accord.plugins.contacts.consent import may_contact, record_contact, unsubscribe_url

    decision = may_contact(person, channel="email", purpose="surveys")
    if decision:  # ContactDecision(allowed, reason); reason is a sentence for the UI or log
        send(..., unsubscribe=base_url + unsubscribe_url(org, person, "surveys"))
        record_contact(person, channel="email", purpose="surveys", source="satisfaction")

Channels are ``email``, ``phone``, ``sms`` and ``post``; purposes are
``newsletters``, ``service_notices``, ``surveys`` and those a plugin defines
for an organisation with ``define_purpose(org, ContactPurpose(...))`` (a
campaign topic …). An unknown channel or purpose is a ``ValueError``.
See ``rules.py`` for the order of the checks and ``purposes.py`` for the
defaults of each purpose.
"""

from __future__ import annotations

from .links import unsubscribe_url
from .purposes import BUILT_IN, CHANNELS, ContactPurpose, define_purpose, purpose, purposes
from .rules import (
    ContactDecision,
    Preferences,
    may_contact,
    preferences,
    record_contact,
    set_channel,
    set_topic,
)

__all__ = [
    "BUILT_IN",
    "CHANNELS",
    "ContactDecision",
    "ContactPurpose",
    "Preferences",
    "define_purpose",
    "may_contact",
    "preferences",
    "purpose",
    "purposes",
    "record_contact",
    "set_channel",
    "set_topic",
    "unsubscribe_url",
]
