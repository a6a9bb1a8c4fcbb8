"""Demo catalogue: what a mid-sized organisation's ICT department offers its staff."""

from __future__ import annotations

import datetime as dt

from accord import DemoContext, utcnow

from .models import (
    BusinessCalendar,
    Closure,
    Service,
    ServiceCategory,
    ServiceComponent,
    ServiceComponentLink,
    ServiceLevel,
)

WEEKDAYS_ONLY = ("mon", "tue", "wed", "thu", "fri")

CATEGORIES = [
    ("Communication and collaboration", "Email, calendars, video calls and file sharing.", 10),
    ("Identity and access", "Accounts, passwords and access to systems.", 20),
    ("End-user devices", "Laptops, phones and the software on them.", 30),
    ("Network and connectivity", "Office network, Wi-Fi and remote access.", 40),
    ("Business applications", "Systems that run the organisation's own business.", 50),
    ("Support", "Getting help from ICT.", 60),
]

COMPONENTS = [
    ("Microsoft 365 tenancy", "supplier_service", "Exchange Online, Teams and SharePoint."),
    ("Mail gateway", "application", "Inbound filtering, DLP and outbound relay."),
    ("M365 E3 licence pool", "licence_pool", "Named-user licences, reconciled monthly."),
    ("Active Directory domain controllers", "server", "DC01–DC04 in two sites."),
    ("Entra ID single sign-on", "application", "SSO and MFA for cloud applications."),
    ("Laptop fleet (Windows 11)", "device_fleet", "Around 1,400 managed laptops."),
    ("Intune device management", "application", "Build, compliance and app deployment."),
    ("Core switches", "network", "Two stacked core switches per site."),
    ("Wi-Fi controllers", "network", "Controller pair and 220 access points."),
    ("Firewall cluster", "network", "Active/passive perimeter firewalls."),
    ("VPN concentrator", "network", "Always-on VPN for remote staff."),
    ("Payroll application servers", "server", "App tier, two virtual machines."),
    ("Payroll database server", "server", "SQL Server, nightly backups off site."),
    ("Service desk tool", "application", "Accord itself, and the telephony queue."),
]

# name, code, category, status, requestable, audience, calendar, components, summary
SERVICES = [
    (
        "Email and calendar",
        "EMAIL",
        0,
        "live",
        True,
        "All staff and contractors with an account",
        "office",
        [0, 1, 2],
        "A mailbox, calendar and address book on every device.",
    ),
    (
        "Accounts and access",
        "IAM",
        1,
        "live",
        True,
        "Line managers for their staff; staff for their own password",
        "office",
        [3, 4],
        "New starters' accounts, leavers, access changes and password resets.",
    ),
    (
        "Laptop provision",
        "LAPTOP",
        2,
        "live",
        True,
        "Line managers, for their staff",
        "office",
        [5, 6],
        "A standard laptop, built, encrypted and delivered ready to use.",
    ),
    (
        "Office network and Wi-Fi",
        "NET",
        3,
        "live",
        False,
        "Everyone in our offices (not requested: it is always there)",
        "always",
        [7, 8, 9],
        "Wired and wireless network in every office.",
    ),
    (
        "Remote access (VPN)",
        "VPN",
        3,
        "live",
        True,
        "Staff approved for home working",
        "always",
        [9, 10],
        "Secure access to internal systems from outside the office.",
    ),
    (
        "Payroll application hosting",
        "PAYROLL",
        4,
        "live",
        True,
        "The Payroll and HR teams only",
        "payroll",
        [11, 12],
        "Hosting, patching and backup of the payroll system.",
    ),
    (
        "Service desk",
        "DESK",
        5,
        "live",
        True,
        "All staff",
        "office",
        [13],
        "Phone, email and portal support for any ICT question or fault.",
    ),
    (
        "Self-service password reset",
        "SSPR",
        1,
        "planned",
        False,
        "All staff, once registered",
        "office",
        [4],
        "Reset your own password from the portal after registering a phone.",
    ),
    (
        "Fax to email",
        "FAX",
        0,
        "retired",
        False,
        "",
        "office",
        [1],
        "Incoming faxes delivered to a mailbox (replaced by secure email).",
    ),
]

# Minutes per priority 1–4: (response, resolution); warning at 75 % unless stated.
LEVELS = {
    "EMAIL": [(15, 240), (30, 480), (240, 1440), (480, 2880)],
    "IAM": [(15, 120), (30, 480), (120, 1440), (480, 2400)],
    "LAPTOP": [(30, 480), (60, 960), (240, 2400), (480, 4800)],
    "NET": [(10, 120), (30, 360), (120, 1440), (480, 4320)],
    "VPN": [(15, 240), (30, 480), (240, 1440), (480, 2880)],
    "PAYROLL": [(15, 120), (30, 360), (120, 960), (240, 1920)],
    "DESK": [(10, 60), (30, 240), (60, 960), (240, 2400)],
    "SSPR": [(30, 480), (60, 960), (240, 2400), (480, 4800)],
}


def _calendars(demo: DemoContext) -> dict[str, BusinessCalendar]:
    org = demo.org
    office = BusinessCalendar.create(
        org=org,
        name="UK office hours",
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        **dict.fromkeys(WEEKDAYS_ONLY, "08:00-18:00"),
    )
    always = BusinessCalendar.create(
        org=org,
        name="24×7",
        timezone="Europe/London",
        **dict.fromkeys((*WEEKDAYS_ONLY, "sat", "sun"), "00:00-24:00"),
    )
    payroll = BusinessCalendar.create(
        org=org,
        name="Payroll support (split day)",
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        **dict.fromkeys(WEEKDAYS_ONLY, "08:30-12:30, 13:30-17:00"),
    )
    today = utcnow().date()
    Closure.create(
        org=org,
        calendar=office,
        starts_on=dt.date(today.year, 12, 29),
        ends_on=dt.date(today.year, 12, 31),
        reason="Christmas shutdown",
    )
    training = today + dt.timedelta(days=(2 - today.weekday()) % 7 + 7)  # Wednesday week
    Closure.create(
        org=org, calendar=office, starts_on=training, ends_on=training, reason="All-staff training"
    )
    return {"office": office, "always": always, "payroll": payroll}


def add_demo_catalogue(demo: DemoContext) -> None:
    org = demo.org
    owner = demo.users.get("manager") or demo.users.get("admin")
    categories = [
        ServiceCategory.create(org=org, name=n, description=d, position=p) for n, d, p in CATEGORIES
    ]
    components = [
        ServiceComponent.create(org=org, name=n, kind=k, description=d) for n, k, d in COMPONENTS
    ]
    calendars = _calendars(demo)
    for name, code, cat, status, requestable, audience, cal, parts, summary in SERVICES:
        service = Service.create(
            org=org,
            name=name,
            code=code,
            summary=summary,
            description=summary,
            category=categories[cat],
            owner=owner,
            status=status,
            requestable=requestable,
            audience=audience,
            calendar=calendars[cal],
        )
        for index in parts:
            ServiceComponentLink.create(org=org, service=service, component=components[index])
        for priority, (response, resolution) in enumerate(LEVELS.get(code, []), start=1):
            ServiceLevel.create(
                org=org,
                service=service,
                priority=priority,
                response_minutes=response,
                resolution_minutes=resolution,
                warning_percent=80 if priority == 1 else 75,
            )
