"""Demo announcements: what an ICT service desk tells its staff in a typical fortnight."""

from __future__ import annotations

from datetime import datetime, timedelta

from accord import DemoContext

from .models import Announcement, utcnow


def _next_saturday(now: datetime, hour: int) -> datetime:
    days = (5 - now.weekday()) % 7 or 7
    return (now + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def add_demo_announcements(demo: DemoContext) -> None:
    now = utcnow().replace(second=0, microsecond=0)
    author = demo.users.get("manager") or demo.users.get("admin")
    window = _next_saturday(now, 22)
    records = [
        dict(
            severity="maintenance",
            title=f"Email service: planned maintenance on Saturday {window:%d %B}, 22:00–02:00 UTC",
            body=(
                "The mail servers are being patched and moved to new storage. During the window, "
                "mail sent to and from the organisation is queued, not lost, and delivered when "
                "the service returns. Webmail and mobile mail are unavailable.\n\n"
                "Service desk: log calls about missing mail after 02:00 as incidents against "
                "'Email' and link them to change CHG-2291."
            ),
            starts_at=now - timedelta(days=2),
            ends_at=window + timedelta(hours=4),
        ),
        dict(
            severity="info",
            title="Self-service password reset is live on the portal",
            body=(
                "Customers can now reset their own network password from the portal after "
                "registering a mobile number. Point callers there before resetting passwords "
                "by phone; the knowledge article is KB-0142."
            ),
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=13),
        ),
        dict(
            severity="outage",
            title="Resolved: VPN unavailable for remote staff",
            body=(
                "The VPN concentrator failed over incorrectly after a firmware update; "
                "remote staff could not connect for 95 minutes. Service is restored and "
                "problem PRB-0078 is open for the root cause."
            ),
            starts_at=now - timedelta(days=9, hours=3),
            ends_at=now - timedelta(days=9),
        ),
    ]
    for record in records:
        Announcement.create(org=demo.org, created_by=author, **record)
