"""A demo organisation with a user per role and every plugin's demo data."""

from __future__ import annotations

from dataclasses import dataclass, field

from . import accounts, enablement
from .host import PluginHost
from .models import Membership, Organisation, User
from .types import DemoContext

DEMO_PASSWORD = "accord-demo"
DEMO_USERS = (
    ("admin", "Ada Admin"),
    ("manager", "Morgan Manager"),
    ("agent", "Alex Agent"),
    ("viewer", "Vic Viewer"),
)


@dataclass(frozen=True)
class DemoResult:
    org: Organisation
    created: bool
    logins: list[tuple[str, str]]
    skipped: list[str] = field(default_factory=list)


def demo_email(role: str, slug: str) -> str:
    return f"{role}@{slug}.example.com"


def build_demo(host: PluginHost, slug: str = "demo", name: str = "Demo Service Desk") -> DemoResult:
    """Create the demo organisation once; running it again changes nothing."""
    org = Organisation.get_or_none(Organisation.slug == slug)
    logins = [(demo_email(role, slug), role) for role, _ in DEMO_USERS]
    if org is not None:
        return DemoResult(org, False, logins)
    org = accounts.create_org(slug, name, "Europe/London")
    users: dict[str, User] = {}
    for role, person in DEMO_USERS:
        email = demo_email(role, slug)
        user = User.get_or_none(User.email == email) or accounts.create_user(
            email, person, DEMO_PASSWORD
        )
        if not Membership.get_or_none((Membership.user == user) & (Membership.org == org)):
            accounts.add_member(user, org, role)
        users[role] = user
    skipped: list[str] = []
    for plugin_id in host.optional():
        try:
            enablement.enable(host, org, plugin_id)
        except enablement.EnablementError as exc:  # e.g. a required setting has no value
            skipped.append(f"{plugin_id}: {exc}")
    context = DemoContext(org=org, users=users)
    hooks = host.hooks_for(enablement.enabled_plugins(host, org))
    # In dependency order: a plugin finds its dependencies' demo records there.
    for impl in host.in_load_order(hooks.load_demo_data.get_hookimpls()):
        impl.function(demo=context)
    return DemoResult(org, True, logins, skipped)
