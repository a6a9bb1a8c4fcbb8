"""Optimistic locking: an edit based on an old version is refused, never silently applied.

A ``VersionedModel`` row carries a ``version`` that goes up by one on every
save. The edit form sends back the version it was opened at, and
``save_versioned`` updates the row only ``WHERE id = ? AND version = ?``. If
someone saved in between, it raises ``StaleEdit`` and ``conflict_response``
answers 409 with both versions side by side and the user's input kept.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from peewee import IntegerField
from starlette.requests import Request
from starlette.responses import Response

from .. import audit
from ..inputs import integer
from ..models import AuditEntry, TenantModel
from ..templating import render

if TYPE_CHECKING:
    from .forms import Form

PROTECTED = frozenset({"org", "version"})


class VersionedModel(TenantModel):
    """A tenant row people edit; every update is checked against its ``version``.

    ``save()`` of an existing row goes through ``save_versioned`` too, so a
    job or import holding an out-of-date copy gets ``StaleEdit`` instead of
    undoing someone's edit, and any save makes open edit forms stale.
    """

    version = IntegerField(default=1)

    def save(self, force_insert: bool = False, only: Any = None) -> int:
        if self._pk is None or force_insert:
            return super().save(force_insert=force_insert, only=only)
        names = [getattr(f, "name", f) for f in only] if only else list(self._meta.fields)
        protected = PROTECTED | {self._meta.primary_key.name}
        changes = {n: self.__data__.get(n) for n in names if n not in protected}
        save_versioned(self, self.version, changes)
        return 1


class StaleEdit(Exception):
    """Someone saved the record after the user opened it (or deleted it: ``current`` is None)."""

    def __init__(self, instance: Any, current: Any, submitted: dict[str, Any]) -> None:
        super().__init__(
            f"{type(instance).__name__} {instance.get_id()} changed since it was opened"
        )
        self.instance = instance
        self.current = current
        self.submitted = submitted


def _version(value: Any) -> int | None:
    return value if isinstance(value, int) else integer(value)


def save_versioned(instance: Any, expected_version: Any, changes: dict[str, Any]) -> Any:
    """Apply ``changes`` to ``instance`` if the stored row is still at ``expected_version``.

    Runs ``UPDATE … SET …, version = version + 1 WHERE id = ? AND org = ? AND
    version = ?``, records the change in the audit log and returns the
    updated instance. Raises ``StaleEdit`` when the row moved on (or is gone).
    ``expected_version`` is what the form sent back, as text or a number.
    """
    model = type(instance)
    fields = model._meta.fields
    changes = {getattr(k, "name", k): v for k, v in changes.items()}
    protected = PROTECTED | {model._meta.primary_key.name}
    wrong = [name for name in changes if name not in fields or name in protected]
    if wrong:
        raise ValueError(f"cannot change {', '.join(sorted(wrong))} of {model.__name__}")
    expected = _version(expected_version)
    row = (model._meta.primary_key == instance.get_id()) & (model.org == instance.org_id)
    before = None
    if expected is not None:
        query = model.select().where(row & (model.version == expected))
        if getattr(model._meta.database, "for_update", False):
            query = query.for_update()  # PostgreSQL: hold the row until the transaction ends
        before = query.first()
    if before is not None and expected is not None:
        values = {fields[name]: value for name, value in changes.items()}
        values[model.version] = expected + 1
        updated = model.update(values).where(row & (model.version == expected)).execute()
        if updated == 1:
            for name, value in changes.items():
                setattr(instance, name, value)
            instance.version = expected + 1
            instance._dirty.clear()
            audit.record_save(instance, before)
            return instance
    raise StaleEdit(instance, model.select().where(row).first(), changes)


def conflict_response(
    request: Request,
    stale: StaleEdit,
    form: Form,
    *,
    action: str,
    cancel_url: str,
    title: str = "Someone else changed this record",
) -> Response:
    """409: what is saved now next to what the user submitted, with a form to save theirs again."""
    current = stale.current
    rows = []
    if current is not None:
        for bound in form:
            stored = bound.field.to_raw(current.__data__.get(bound.name))
            if stored != bound.value:
                display = bound.field.display
                rows.append(
                    {
                        "label": bound.field.label,
                        "stored": display(stored),
                        "yours": display(bound.value),
                    }
                )
        # Saving again is now a deliberate choice over the current version.
        form.version = current.version
    context = {
        "title": title,
        "form": form,
        "current": current,
        "rows": rows,
        "changed_by": _last_change(current) if current is not None else None,
        "action": action,
        "cancel_url": cancel_url,
    }
    return render(request, "components/conflict.html", context, block="conflict", status_code=409)


def _last_change(record: Any) -> AuditEntry | None:
    model = type(record)
    return cast(
        "AuditEntry | None",
        AuditEntry.select()
        .where(
            (AuditEntry.org == record.org_id)
            & (AuditEntry.table == model._meta.table_name)
            & (AuditEntry.record_id == str(record.get_id()))
        )
        .order_by(AuditEntry.id.desc())
        .first(),
    )
