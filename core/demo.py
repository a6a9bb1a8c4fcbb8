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


class DemoError(Exception):
    """The demo cannot be added where it was asked; the message says what to do."""


@dataclass(frozen=True)
class DemoResult:
    org: Organisation
    created: bool
    logins: list[tuple[str, str]]
    skipped: list[str] = field(default_factory=list)
    # True when the demo data went into an organisation that was already there.
    added: bool = False


def demo_email(role: str, slug: str) -> str:
    return f"{role}@{slug}.example.com"


def has_demo(org: Organisation) -> bool:
    """Whether the demo was built in ``org`` (its demo admin is a member)."""
    admin = User.get_or_none(User.email == demo_email("admin", org.slug))
    return admin is not None and bool(
        Membership.get_or_none((Membership.user == admin) & (Membership.org == org))
    )


def build_demo(
    host: PluginHost,
    slug: str = "demo",
    name: str = "Demo Service Desk",
    *,
    into_existing: bool = False,
) -> DemoResult:
    """Create the demo organisation once; running it again changes nothing.

    An organisation of that slug not made by the demo is refused, unless
    ``into_existing``: then the demo users and data are added to it.
    """
    org = Organisation.get_or_none(Organisation.slug == slug)
    logins = [(demo_email(role, slug), role) for role, _ in DEMO_USERS]
    if org is not None and has_demo(org):
        return DemoResult(org, False, logins)
    if org is not None and not into_existing:
        raise DemoError(
            f"organisation {slug} exists and has no demo data: nothing was added; "
            f"add --force to add the demo users and data to it, or choose another --org"
        )
    added = org is not None
    org = org or accounts.create_org(slug, name, "Europe/London")
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
    return DemoResult(org, True, logins, skipped, added=added)
