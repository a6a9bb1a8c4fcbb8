"""The background job queue: huey on a SQLite file by default, Redis beyond one machine."""

from __future__ import annotations

from huey import Huey, RedisHuey, SqliteHuey

from .host import PluginHost
from .settings import Settings


def make_queue(settings: Settings, host: PluginHost) -> Huey:
    """The instance's queue with every loaded plugin's tasks declared on it."""
    redis_url = settings.get("jobs", "redis_url", "")
    if redis_url:
        queue: Huey = RedisHuey("accord", url=redis_url)
    else:
        settings.home.mkdir(parents=True, exist_ok=True)
        queue = SqliteHuey("accord", filename=str(settings.home / "jobs.db"))
    host.hook.register_tasks(queue=queue)
    return queue
