"""Demo consent: most people reached by default, some opted in to newsletters, a few opted out.

Deterministic (a fixed seed): about a third opted in to newsletters (at
import or on the preferences form), a few unsubscribed from surveys by link,
one takes no phone calls, some have quiet hours or a weekly cap, and a few
surveys were already sent so the caps count something.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Any

from accord import DemoContext

from .models import ConsentChange, ContactMade, ContactPreference
from .rules import set_channel, set_topic

SEED = 11


def load_consent(demo: DemoContext, people: list[Any], now: datetime) -> None:
    rng = random.Random(SEED)
    staff = demo.users.get("agent") or demo.users.get("manager")
    active = [p for p in people if p.status == "active"]
    for index, person in enumerate(active):
        roll = rng.random()
        if roll < 0.35 and person.email:
            source = "import" if index % 2 else "staff form"
            set_topic(
                person, "newsletters", True, source=source, user=staff if index % 2 == 0 else None
            )
        if 0.35 <= roll < 0.45:
            set_topic(person, "surveys", False, source="unsubscribe link")
        if 0.45 <= roll < 0.5:
            set_topic(person, "newsletters", True, source="import")
            set_topic(person, "newsletters", False, source="unsubscribe link")
        if index % 9 == 4:
            set_channel(person, "phone", False, source="staff form", user=staff)
        if index % 7 == 3:
            record = ContactPreference.get_or_none(ContactPreference.person == person.id)
            values = {"quiet_from": 20 * 60, "quiet_until": 8 * 60, "cap": 2, "cap_period": "week"}
            if record is None:
                ContactPreference.create(org=demo.org, person=person.id, **values)
            else:
                ContactPreference.update(values).where(ContactPreference.id == record.id).execute()
            for subject, after in (
                ("quiet_hours", "20:00–08:00"),
                ("frequency_cap", "at most 2 a week"),
            ):
                ConsentChange.create(
                    org=demo.org,
                    person=person.id,
                    user=staff,
                    source="staff form",
                    subject=subject,
                    before="none",
                    after=after,
                )
        if person.email and rng.random() < 0.3:
            ContactMade.create(
                org=demo.org,
                person=person.id,
                channel="email",
                purpose="surveys",
                source="satisfaction",
                at=now - timedelta(days=rng.randint(1, 20)),
            )
    # The history reads as if it happened over the past months, not all at once.
    for change in ConsentChange.select(ConsentChange.id).where(ConsentChange.org == demo.org):
        when = now - timedelta(days=rng.randint(2, 180), hours=rng.randint(0, 9))
        ConsentChange.update(at=when).where(ConsentChange.id == change.id).execute()
