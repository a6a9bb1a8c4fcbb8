"""The signed-in person's in-app notifications in an organisation, and their pruning.

Plugins send them with ``accord.notify`` (``core/notifications.py``); the bell in
the header links to this plugin's page.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from huey import crontab

from accord import Page, hookimpl, notifications

from . import views


@hookimpl
def register_routes() -> list[Page]:
    return [
        Page("/", views.index, name="index"),
        Page("/read", views.read_all, name="read_all", methods=("POST",)),
        Page("/{pk:int}", views.open_one, name="open"),
        Page("/{pk:int}/read", views.read_one, name="read", methods=("POST",)),
    ]


@hookimpl
def register_template_dir() -> Path:
    return Path(__file__).parent / "templates"


@hookimpl
def register_tasks(queue: Any) -> None:
    @queue.periodic_task(crontab(minute="23", hour="3"), name="notifications.prune")
    def prune() -> int:
        return notifications.prune()
