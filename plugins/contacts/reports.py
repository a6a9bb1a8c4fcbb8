"""The customers report: who our customers are, new contacts over time, interactions per
channel and per staff member, and how much of each engagement plan was carried out."""

from __future__ import annotations

from urllib.parse import urlencode

from peewee import fn

from accord import (
    Chart,
    Period,
    ReportTable,
    Request,
    Response,
    Section,
    User,
    render_report,
)

from .choices import AGE_BANDS, INTERACTION_KINDS, ORGANISATION_KINDS, country_name
from .engagement import engagement_coverage
from .models import CustomerOrganisation, Interaction, Person, held
from .tables import NOT_SET

TOP = 15  # the longest lists (industries, places, staff) show their largest rows


class Links:
    """The lists of people, organisations and interactions showing exactly what a figure
    counts."""

    def __init__(self, request: Request) -> None:
        self.url = url = request.state.ctx.url
        self.people_url = url("contacts:people")
        self.organisations_url = url("contacts:organisations")
        self.interactions_url = url("contacts:interactions")

    def people(self, **params: str) -> str:
        return f"{self.people_url}?{urlencode(params)}"

    def organisations(self, **params: str) -> str:
        return f"{self.organisations_url}?{urlencode(params)}"

    def interactions(self, **params: str) -> str:
        return f"{self.interactions_url}?{urlencode(params)}"


def _bars(
    title: str, rows: list[tuple[str, int]], series: str, links: list[str | None] | None = None
) -> Chart:
    return Chart(
        title,
        [label for label, _ in rows],
        {series: [n for _, n in rows]},
        kind="hbar",
        height=max(160, 34 * len(rows) + 80),
        links={series: links} if links is not None else None,
    )


def _counted(query, column) -> list[tuple[str, int]]:
    rows = query.select(column, fn.COUNT(query.model.id)).group_by(column).tuples()
    # Ties are ordered by key as text: a column of ids may hold None (shown as "") too.
    return sorted(((key or "", n) for key, n in rows), key=lambda row: (-row[1], str(row[0])))


def kinds_section(org, link: Links) -> Section:
    """Customer organisations by type, with the active people whose main one it is."""
    active = CustomerOrganisation.in_org(org).where(CustomerOrganisation.status == "active")
    organisations = dict(_counted(active, CustomerOrganisation.kind))
    people = dict(
        Person.in_org(org)
        .join(CustomerOrganisation, on=(Person.organisation == CustomerOrganisation.id))
        .where(Person.status == "active")
        .select(CustomerOrganisation.kind, fn.COUNT(Person.id))
        .group_by(CustomerOrganisation.kind)
        .tuples()
    )
    kinds = sorted(organisations, key=lambda k: -organisations[k])
    rows = [
        (ORGANISATION_KINDS.get(k, k or "Not set"), organisations[k], people.get(k, 0))
        for k in kinds
    ]
    return Section(
        "types",
        "Customers by type",
        chart=_bars(
            "Customer organisations by type",
            [(r[0], r[1]) for r in rows],
            "Organisations",
            [link.organisations(kind=k) if k in ORGANISATION_KINDS else None for k in kinds],
        ),
        table=ReportTable(["Type", "Organisations", "People"], rows),
        figures=[
            ("customer organisations", f"{sum(r[1] for r in rows):,}"),
            ("people", f"{Person.in_org(org).where(Person.status == 'active').count():,}"),
        ],
        note="Active customers today, whatever the period.",
    )


def industries_section(org, link: Links) -> Section:
    active = CustomerOrganisation.in_org(org).where(CustomerOrganisation.status == "active")
    counted = _counted(active, CustomerOrganisation.industry)
    rows = [(k or "Not set", n) for k, n in counted]
    return Section(
        "industries",
        "Customers by industry",
        chart=_bars(
            "Customer organisations by industry",
            rows[:TOP],
            "Organisations",
            [link.organisations(industry=k or NOT_SET) for k, _ in counted[:TOP]],
        ),
        table=ReportTable(["Industry", "Organisations"], rows),
    )


def places_section(org, link: Links) -> Section:
    """Active people by country and town."""
    rows = (
        Person.in_org(org)
        .where(Person.status == "active")
        .select(Person.country, Person.city, fn.COUNT(Person.id))
        .group_by(Person.country, Person.city)
        .tuples()
    )
    places = sorted(
        ((country_name(c) or "Not set", city or "Not set", n, c, city) for c, city, n in rows),
        key=lambda row: (-row[2], row[0], row[1]),
    )
    table = [row[:3] for row in places]
    return Section(
        "places",
        "People by location",
        chart=_bars(
            "People by town",
            [(f"{r[1]} ({r[0]})", r[2]) for r in table[:TOP]],
            "People",
            [
                link.people(country=c or NOT_SET, city=city or NOT_SET)
                for *_, c, city in places[:TOP]
            ],
        ),
        table=ReportTable(["Country", "Town or city", "People"], table),
    )


def ages_section(org, link: Links) -> Section:
    counted = dict(_counted(Person.in_org(org).where(Person.status == "active"), Person.age_band))
    rows = [(label, counted.get(band, 0)) for band, label in AGE_BANDS.items()]
    rows.append(("Not known", counted.get("", 0)))
    bands = [*AGE_BANDS, NOT_SET]
    return Section(
        "ages",
        "People by age band",
        chart=Chart(
            "People by age band",
            [r[0] for r in rows],
            {"People": [r[1] for r in rows]},
            links={"People": [link.people(age=band) for band in bands]},
        ),
        table=ReportTable(["Age band", "People"], rows),
    )


def new_contacts_section(org, period: Period, link: Links) -> Section:
    def per_bucket(model) -> dict[str, int]:
        bucket = period.bucket_sql(model.created_at)
        return dict(
            model.in_org(org)
            .where(period.where(model.created_at) & (model.status == "active"))
            .select(bucket, fn.COUNT(model.id))
            .group_by(bucket)
            .tuples()
        )

    people, organisations = per_bucket(Person), per_bucket(CustomerOrganisation)
    buckets = period.buckets()
    rows = [(label, people.get(k, 0), organisations.get(k, 0)) for k, label in buckets]
    return Section(
        "new",
        "New contacts",
        chart=Chart(
            "People and organisations added",
            [r[0] for r in rows],
            {"People": [r[1] for r in rows], "Organisations": [r[2] for r in rows]},
            kind="line" if len(rows) > 12 else "bar",
            links={
                "People": [link.people(**period.days_query("added", k)) for k, _ in buckets],
                "Organisations": [
                    link.organisations(**period.days_query("added", k)) for k, _ in buckets
                ],
            },
        ),
        table=ReportTable([period.granularity.title(), "People", "Organisations"], rows),
        figures=[
            ("people added", f"{sum(r[1] for r in rows):,}"),
            ("organisations added", f"{sum(r[2] for r in rows):,}"),
        ],
        note="Contacts added in the period and not archived since.",
    )


def interactions_section(org, period: Period, link: Links) -> Section:
    """Contact made in the period, per channel (notes are records, not contact)."""
    query = Interaction.in_org(org).where(period.where(Interaction.occurred_at) & held())
    counted = _counted(query, Interaction.kind)
    rows = [(INTERACTION_KINDS.get(k, k), n) for k, n in counted]
    held_days = period.days_query("held")
    return Section(
        "channels",
        "Interactions per channel",
        chart=_bars(
            "Interactions per channel",
            rows,
            "Interactions",
            [link.interactions(kind=k, **held_days) for k, _ in counted],
        ),
        table=ReportTable(["Channel", "Interactions"], rows),
        figures=[("interactions", f"{sum(n for _, n in rows):,}")],
    )


def staff_section(org, period: Period, link: Links) -> Section:
    query = Interaction.in_org(org).where(period.where(Interaction.occurred_at) & held())
    counted = _counted(query, Interaction.logged_by)
    names = dict(
        User.select(User.id, User.name).where(User.id.in_([k for k, _ in counted if k])).tuples()
    )
    rows = [
        (names.get(k, "Nobody (imported)") if k else "Nobody (imported)", n) for k, n in counted
    ]
    return Section(
        "staff",
        "Interactions per staff member",
        chart=_bars(
            "Interactions logged per staff member",
            rows[:TOP],
            "Interactions",
            [
                link.interactions(logged_by=k or "none", **period.days_query("held"))
                for k, _ in counted[:TOP]
            ],
        ),
        table=ReportTable(["Staff member", "Interactions"], rows),
    )


def coverage_section(org, period: Period, link: Links) -> Section:
    coverage = [c for c in engagement_coverage(org, period.start, period.end) if c.planned]
    rows = [(c.group.name, c.planned, c.done, c.percent) for c in coverage]
    planned, done = sum(r[1] for r in rows), sum(r[2] for r in rows)
    return Section(
        "coverage",
        "Engagement-plan coverage",
        chart=Chart(
            "Planned activities carried out, by stakeholder group",
            [r[0] for r in rows],
            {"Carried out": [r[3] for r in rows]},
            kind="hbar",
            unit="%",
            max_value=100,
            value_format=lambda v: "—" if v is None else f"{v:.0f}%",
            height=max(160, 34 * len(rows) + 80),
            # A group's page lists its members, its plan and what was carried out.
            links={"Carried out": [link.url("contacts:group", pk=c.group.id) for c in coverage]},
        ),
        table=ReportTable(
            ["Stakeholder group", "Planned", "Carried out", "Coverage"],
            rows,
            formats={3: lambda v: "—" if v is None else f"{v}%"},
        ),
        figures=[
            (
                "of planned engagement carried out",
                f"{round(100 * done / planned)}%" if planned else "—",
            )
        ],
        note="Each activity is planned once per its frequency in the period; an interaction "
        "of its kind with a member of the group carries it out.",
    )


def customers(request: Request) -> Response:
    """The customers report page (and its CSV tables)."""
    org = request.state.ctx.org
    link = Links(request)

    def build(period: Period) -> list[Section]:
        return [
            new_contacts_section(org, period, link),
            interactions_section(org, period, link),
            staff_section(org, period, link),
            coverage_section(org, period, link),
            kinds_section(org, link),
            industries_section(org, link),
            places_section(org, link),
            ages_section(org, link),
        ]

    return render_report(
        request,
        "Customers report",
        build,
        intro="Who our customers are, new contacts, the contact we make and engagement plans.",
    )
