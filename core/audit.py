"""The audit log: who created, changed or deleted what, when, before and after."""

from __future__ import annotations

import contextlib
import datetime
import decimal
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

import peewee

from .models import AuditEntry, Organisation, User


@dataclass(frozen=True)
class Actor:
    user: User | None
    label: str


SYSTEM = Actor(None, "system")
_actor: ContextVar[Actor] = ContextVar("accord_actor", default=SYSTEM)


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[None]:
    """Attribute every audited change inside the block to ``actor``."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> Actor:
    return _actor.get()


# Package of each loaded plugin -> its id; filled by the host as plugins load.
PLUGIN_PACKAGES: dict[str, str] = {}


def plugin_of(model: type[peewee.Model]) -> str:
    """The plugin that owns ``model``, from the package it is defined in."""
    module = model.__module__
    for package, plugin_id in PLUGIN_PACKAGES.items():
        if module == package or module.startswith(package + "."):
            return plugin_id
    if module.startswith("accord.plugins."):
        return module.split(".")[2]
    if module.startswith("accord."):
        return "core"
    return module.split(".")[0]


FieldT = TypeVar("FieldT", bound=peewee.Field)


def secret(field: FieldT) -> FieldT:
    """Mark ``field`` as never written to the audit log (tokens, nonces, keys)."""
    field.audit_secret = True  # type: ignore[attr-defined]
    return field


def _plain(value: Any) -> Any:
    if isinstance(value, peewee.Model):
        return value.get_id()
    if isinstance(value, datetime.datetime | datetime.date | decimal.Decimal):
        return str(value)
    return value


def _values(instance: peewee.Model) -> dict[str, Any]:
    return {
        name: _plain(instance.__data__.get(name))
        for name, field in instance._meta.fields.items()
        if not getattr(field, "audit_secret", False)
    }


def record(
    org: Organisation | None,
    action: str,
    summary: str,
    *,
    plugin: str = "core",
    table: str = "",
    record_id: Any = None,
    changes: dict[str, Any] | None = None,
) -> AuditEntry:
    """Write one audit entry for the current actor."""
    actor = current_actor()
    return AuditEntry.create(
        org=org,
        actor=actor.user,
        actor_label=actor.label,
        action=action,
        plugin=plugin,
        table=table,
        record_id=None if record_id is None else str(record_id),
        summary=summary[:300],
        changes=changes or {},
    )


def record_save(instance: Any, before: Any) -> None:
    after = _values(instance)
    if before is None:
        action, changes = "create", {k: [None, v] for k, v in after.items() if v is not None}
    else:
        old = _values(before)
        action = "update"
        changes = {k: [old.get(k), v] for k, v in after.items() if old.get(k) != v}
        if not changes:
            return
    model = type(instance)
    record(
        instance.org,
        action,
        f"{action}d {model.__name__} {instance}",
        plugin=plugin_of(model),
        table=model._meta.table_name,
        record_id=instance.get_id(),
        changes=changes,
    )


def record_delete(instance: Any) -> None:
    model = type(instance)
    record(
        instance.org,
        "delete",
        f"deleted {model.__name__} {instance}",
        plugin=plugin_of(model),
        table=model._meta.table_name,
        record_id=instance.get_id(),
        changes={k: [v, None] for k, v in _values(instance).items() if v is not None},
    )
