"""Audit entries in words: who did what, and each change as a manager reads it.

An audit entry's ``changes`` are ``{field: [old, new]}`` for saves and any
JSON for other writers (a merge writes ``{"merged": [...], "moved": {...}}``).
``describe(entries, org)`` turns a page of entries into ``Story`` objects:
each change a ``Line`` labelled from the model's field (its ``verbose_name``
when set, else the field name in words), values shown as forms show them
(Yes/No, — for empty, the choice's label, the related record's name, times
in the organisation's zone), anything else as readable text. It never raises
on an entry's shape. Plugins show their own records' history with it::

    from accord import history

    stories = history.describe(entries, org)          # in Python
    {% for story in history(entries) %}…{% endfor %}  {# in a template #}
"""

from __future__ import annotations

import datetime
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import peewee

from .clock import local_time
from .models import AuditEntry, Organisation, TenantModel, User

# Bookkeeping fields people never need to see change.
UNSHOWN = frozenset({"id", "org", "version"})
SHORT = 80  # characters of a value shown before "…"; the whole text is on hover

ACTORS = {"cli": "Command line", "system": "Accord (automatic)", "": "Accord (automatic)"}
ACTIONS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "merge": "Merged",
    "plugin.enable": "Plugin enabled",
    "plugin.disable": "Plugin disabled",
    "plugin.settings": "Plugin settings changed",
    "plugin.purge": "Plugin data purged",
    "plugin.upgrade": "Plugin upgraded",
    "member.remove": "Member removed",
    "member.set": "Role set",
}
# What a save's entry says of its fields: a creation sets them, a deletion removes them.
SAVES = {"create": "set", "update": "changed", "delete": "removed"}
_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Value:
    """A value as shown: ``text``, shortened when long, with ``full`` holding the whole of it."""

    text: str
    full: str = ""

    @property
    def empty(self) -> bool:
        return self.text == "—"


@dataclass(frozen=True)
class Line:
    """One change: ``label: old → new``, or ``label: new`` when it is not a before/after pair."""

    label: str
    new: Value
    old: Value | None = None


@dataclass(frozen=True)
class Story:
    """One audit entry in words."""

    entry: AuditEntry
    when: str
    who: str
    action: str
    what: str
    lines: list[Line] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for a list: ``3 fields changed: Status, Priority, Owner``."""
        if not self.lines:
            return ""
        labels = [line.label for line in self.lines]
        shown = ", ".join(labels[:5]) + (f" and {len(labels) - 5} more" if len(labels) > 5 else "")
        verb = SAVES.get(self.entry.action)
        if verb is None and not all(line.old is not None for line in self.lines):
            return shown
        count = f"{len(labels)} field{'s' if len(labels) != 1 else ''}"
        return f"{count} {verb or 'changed'}: {shown}"


def words(name: str) -> str:
    """A field or key name as a label: ``acknowledge_due`` → ``Acknowledge due``."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", str(name)).replace("_", " ").replace(".", " ")
    text = " ".join(text.split()).lower()
    if text.endswith(" id") and text != "id":
        text = text[:-3]
    return text[:1].upper() + text[1:]


def actor_label(label: str | None) -> str:
    """Who did it, in words: ``cli`` → ``Command line``, ``system`` → ``Accord (automatic)``."""
    return ACTORS.get(label or "", label or "")


def action_label(action: str) -> str:
    return ACTIONS.get(action, words(action))


_models: dict[str, type[peewee.Model]] = {}  # found ones only: models never go away


def model_for(table: str) -> type[peewee.Model] | None:
    """The model whose table is ``table`` (migration snapshots aside), if one is loaded."""
    if not table:
        return None
    if table in _models:
        return _models[table]
    pending: list[type[peewee.Model]] = [peewee.Model]
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        meta = getattr(model, "_meta", None)
        if (
            meta is not None
            and meta.table_name == table
            and _imported(model)
            and model is not peewee.Model
        ):
            _models[table] = model
            return model
    return None


def _imported(model: type[peewee.Model]) -> bool:
    """Whether ``model`` is a plugin's own, not a migration's frozen snapshot of it.

    The migration runner executes each file as a module it never registers, so a
    snapshot's module is missing from ``sys.modules`` (and its classes linger until
    the garbage collector takes them, so they must not be matched by chance).
    """
    return ".migrations." not in model.__module__ and model.__module__ in sys.modules


def text(value: Any, org: Organisation | None = None) -> str:
    """Any JSON value as readable text: lists joined, dicts as ``Key: value``, times local."""
    if value is None or value == "" or value == [] or value == {}:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.date):
        return local_time(org, value)
    if isinstance(value, str):
        return _moment_text(value, org) or value
    if isinstance(value, list | tuple):
        return ", ".join(text(item, org) for item in value)
    if isinstance(value, dict):
        return "; ".join(f"{words(k)}: {text(v, org)}" for k, v in value.items())
    return str(value)


def _moment_text(value: str, org: Organisation | None) -> str | None:
    if _MOMENT.match(value):
        try:
            return local_time(org, datetime.datetime.fromisoformat(value))
        except ValueError:
            return None
    return None


def _short(shown: str) -> Value:
    if len(shown) <= SHORT:
        return Value(shown)
    return Value(shown[: SHORT - 1].rstrip() + "…", shown)


def _label(model: type[peewee.Model] | None, name: str) -> str:
    found = _field(model, name)
    return (found.verbose_name if found is not None else None) or words(name)


def _field(model: type[peewee.Model] | None, name: str) -> peewee.Field | None:
    if model is None:
        return None
    return model._meta.fields.get(name)


def _is_pair(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


class _Names:
    """Names of related records, read with one query per related model for a page of entries."""

    def __init__(self, org: Organisation | None) -> None:
        self.org = org
        self.wanted: dict[type[peewee.Model], set[Any]] = defaultdict(set)
        self.found: dict[type[peewee.Model], dict[Any, str]] = {}

    def want(self, related: type[peewee.Model], values: Iterable[Any]) -> None:
        self.wanted[related].update(v for v in values if isinstance(v, int | str) and v != "")

    def load(self) -> None:
        for related, ids in self.wanted.items():
            if not ids:
                self.found[related] = {}
                continue
            pk = related._meta.primary_key
            query = related.select().where(pk.in_(list(ids)))
            # Another organisation's rows never lend their names, whatever an entry says.
            if issubclass(related, TenantModel) and self.org is not None:
                query = query.where(related.org == self.org)
            try:
                self.found[related] = {str(r.get_id()): str(r) for r in query}
            except peewee.DatabaseError:  # the plugin's table is gone; ids will do
                self.found[related] = {}

    def name(self, related: type[peewee.Model], value: Any) -> str:
        return self.found.get(related, {}).get(str(value), f"#{value}")


def _value(
    model: type[peewee.Model] | None, name: str, value: Any, org: Organisation | None, names: _Names
) -> Value:
    found = _field(model, name)
    if value is None or value == "":
        return Value("—")
    if isinstance(found, peewee.ForeignKeyField):
        return _short(names.name(found.rel_model, value))
    if found is not None and found.choices and isinstance(value, str | int):
        return _short(str(dict(found.choices).get(value, value)))
    if isinstance(found, peewee.DateTimeField) and isinstance(value, str):
        return Value(_moment_text(value, org) or value)
    if isinstance(found, peewee.DateField) and isinstance(value, str) and _DAY.match(value[:10]):
        return Value(value[:10])
    return _short(text(value, org))


def what(entry: AuditEntry, model: type[peewee.Model] | None = None) -> str:
    """What the entry is about: its summary without the ``updated Complaint`` prefix of saves."""
    model = model or model_for(entry.table)
    summary = entry.summary or ""
    if model is not None:
        prefix = f"{entry.action}d {model.__name__} "
        if summary.startswith(prefix):
            name, rest = words(model.__name__), summary[len(prefix) :]
            # "Survey survey of 156" reads better as "Survey of 156".
            if rest.lower().startswith(name.lower() + " "):
                return rest[:1].upper() + rest[1:]
            return f"{name} {rest}"
    return summary


def describe(
    entries: Sequence[AuditEntry],
    org: Organisation | None,
    *,
    hide: Iterable[str] = (),
    related: bool = True,
) -> list[Story]:
    """``entries`` in words, in their order; times and dates in ``org``'s zone.

    :param hide: field names not to show (besides ``id``, ``org``, ``version``).
    :param related: look up related records' names (one query per related model
        for all ``entries``); when False they show as ``#id``.
    """
    unshown = UNSHOWN | set(hide)
    names = _Names(org)
    models = {e.table: model_for(e.table) for e in entries}
    for entry in entries:
        model = models[entry.table]
        changes = entry.changes if isinstance(entry.changes, dict) else {}
        for name, pair in changes.items():
            found = _field(model, name)
            if related and isinstance(found, peewee.ForeignKeyField) and _is_pair(pair):
                names.want(found.rel_model, pair)
    if related:
        names.want(User, [e.actor_id for e in entries if e.actor_id is not None])
        names.load()
    return [_story(entry, models[entry.table], org, names, unshown) for entry in entries]


def _story(
    entry: AuditEntry,
    model: type[peewee.Model] | None,
    org: Organisation | None,
    names: _Names,
    unshown: set[str],
) -> Story:
    lines: list[Line] = []
    changes = entry.changes
    if not isinstance(changes, dict):  # any JSON at all: one line of text
        changes = {} if changes in (None, "", []) else {"details": changes}
    for name, value in changes.items():
        if name in unshown:
            continue
        # A two-item list is [old, new] unless the entry's model says the key is no field of it.
        if _is_pair(value) and (model is None or _field(model, name) is not None):
            old, new = (_value(model, name, v, org, names) for v in value)
            if entry.action in ("create", "delete"):
                # Only one side has values: show it, and only the fields that hold one.
                kept = new if entry.action == "create" else old
                if not kept.empty:
                    lines.append(Line(_label(model, name), kept))
            else:
                lines.append(Line(_label(model, name), *_differences(new, old)))
        else:
            lines.append(Line(_label(model, name), _short(text(value, org))))
    return Story(
        entry=entry,
        when=local_time(org, entry.at),
        who=names.found.get(User, {}).get(str(entry.actor_id)) or actor_label(entry.actor_label),
        action=action_label(entry.action),
        what=what(entry, model),
        lines=lines,
    )


def _differences(new: Value, old: Value) -> tuple[Value, Value]:
    """Two long texts that begin alike, shown from a little before where they differ."""
    if not (new.full or old.full):
        return new, old
    before, after = old.full or old.text, new.full or new.text
    same = len(os.path.commonprefix([before, after]))
    start = before.rfind(" ", 0, max(same - 20, 0)) + 1
    if start < 20:
        return new, old
    return _tail(after, start), _tail(before, start)


def _tail(whole: str, start: int) -> Value:
    shown = _short("…" + whole[start:])
    return Value(shown.text, whole)


def as_text(story: Story) -> str:
    """A story's changes on one line, for CSV: ``Status: Received → Closed; Owner: — → Ann``."""
    parts = []
    for line in story.lines:
        new = line.new.full or line.new.text
        if line.old is None:
            parts.append(f"{line.label}: {new}")
        else:
            parts.append(f"{line.label}: {line.old.full or line.old.text} → {new}")
    return "; ".join(parts)
