"""Every catalogue record page is 404 for a member of another organisation."""

from __future__ import annotations

import datetime as dt

import pytest

from accord.plugins.catalogue.models import ServiceComponent, ServiceComponentLink
from accord.plugins.catalogue.testing import (
    make_calendar,
    make_category,
    make_closure,
    make_service,
)
from accord.testing import post_form


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def theirs(make_org, enable_plugin):
    """Globex's records, one of each kind."""
    globex = make_org("globex")
    enable_plugin(globex, "catalogue")
    calendar = make_calendar(globex)
    service = make_service(globex, "Globex secret service", calendar=calendar, levels={1: (5, 10)})
    component = ServiceComponent.create(org=globex, name="Globex secret switch", kind="network")
    link = ServiceComponentLink.create(org=globex, service=service, component=component)
    return {
        "service": service.id,
        "category": make_category(globex, "Globex secret category").id,
        "component": component.id,
        "calendar": calendar.id,
        "closure": make_closure(calendar, dt.date(2030, 1, 2), reason="Globex secret").id,
        "link": link.id,
    }


RECORD_PAGES = [
    "/{service}",
    "/{service}/edit",
    "/{service}/retire",
    "/{service}/levels",
    "/categories/{category}/edit",
    "/categories/{category}/delete",
    "/components/{component}",
    "/components/{component}/edit",
    "/components/{component}/delete",
    "/calendars/{calendar}",
    "/calendars/{calendar}/edit",
    "/calendars/{calendar}/delete",
    "/calendars/{calendar}/closures/{closure}/delete",
]
READ_ONLY = {"/{service}", "/components/{component}", "/calendars/{calendar}"}
CHANGES = [page for page in RECORD_PAGES if page not in READ_ONLY] + [
    "/{service}/components",
    "/{service}/components/{link}/remove",
    "/calendars/{calendar}/closures",
]


@pytest.fixture
def acme_admin(signed_in, org, enable_plugin):
    enable_plugin(org, "catalogue")
    return signed_in("admin")


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_another_organisations_record_page_is_404(acme_admin, theirs, page):
    url = "/o/acme/catalogue" + page.format(**theirs)
    response = acme_admin.get(url)
    assert response.status_code == 404
    assert "secret" not in response.text


@pytest.mark.parametrize("page", CHANGES)
def test_another_organisations_record_cannot_be_changed(acme_admin, theirs, page):
    url = "/o/acme/catalogue" + page.format(**theirs)
    data = {"component": str(theirs["component"]), "starts_on": "2030-01-01", "reason": "x"}
    response = post_form(acme_admin, url, data, token_from="/o/acme/catalogue/")
    assert response.status_code == 404


@pytest.mark.parametrize("page", RECORD_PAGES)
def test_their_own_organisation_url_is_404_for_a_stranger(acme_admin, theirs, page):
    response = acme_admin.get("/o/globex/catalogue" + page.format(**theirs))
    assert response.status_code == 404


def test_lists_show_only_the_organisations_own_records(acme_admin, theirs):
    for page in ("/", "/categories", "/components", "/calendars", "/offer"):
        text = acme_admin.get("/o/acme/catalogue" + page).text
        assert "Globex secret" not in text, page
