"""Who watches an incident, and telling them in the app when it changes.

The person who logged an incident and each person it is assigned to watch it
from then on; anyone else who works there may watch it (or add a colleague).
Every change (status, assignment, escalation, priority, a reply or a note)
tells its watchers once each with ``accord.notify``, never the person who
made the change.
"""

from __future__ import annotations

from accord import User, notify

from .models import Incident, Watcher


def watch(incident: Incident, user: User | int | None) -> bool:
    """Make ``user`` a watcher; False when they already were (or there is nobody)."""
    if user is None:
        return False
    user_id = user if isinstance(user, int) else int(user.id)
    exists = Watcher.select().where((Watcher.incident == incident.id) & (Watcher.user == user_id))
    if exists.exists():
        return False
    Watcher.create(org=incident.org_id, incident=incident.id, user=user_id)
    return True


def unwatch(incident: Incident, user: User) -> bool:
    found = Watcher.get_or_none((Watcher.incident == incident.id) & (Watcher.user == user.id))
    if found is None:
        return False
    found.delete_instance()
    return True


def watchers(incident: Incident) -> list[User]:
    """The incident's watchers, by name."""
    return list(
        User.select()
        .join(Watcher, on=(Watcher.user == User.id))
        .where(Watcher.incident == incident.id)
        .order_by(User.name)
    )


def is_watching(incident: Incident, user: User) -> bool:
    query = Watcher.select().where((Watcher.incident == incident.id) & (Watcher.user == user.id))
    return bool(query.exists())


def incident_path(incident: Incident) -> str:
    # Built without a request: the escalation task tells watchers too. The incident page's route.
    return f"/o/{incident.org.slug}/incidents/{incident.id}"


def by(user: User | None) -> str:
    """ " by Sam Lee", or nothing for a change the service desk's rules made."""
    return f" by {user.name}" if user is not None else ""


def tell(incident: Incident, what: str, *, actor: User | None, kind: str) -> int:
    """Notify the incident's watchers, except ``actor``, that ``what`` happened to it.

    ``what`` reads after the reference and title: "resolved by Sam Lee".
    """
    ids = [
        row.user_id
        for row in Watcher.select(Watcher.user).where(Watcher.incident == incident.id)
        if actor is None or row.user_id != actor.id
    ]
    if not ids:
        return 0
    title = str(incident.title)
    title = title if len(title) <= 80 else title[:79] + "…"
    text = f"{incident.reference} {title}: {what}"
    return notify(incident.org, ids, text, incident_path(incident), kind=f"incidents.{kind}")
