"""Major incidents in a real browser: link a child with the live search, resolve both at once."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

WAIT_MS = 10_000


@pytest.fixture
def incidents(org, enable_plugin):
    from accord.plugins.catalogue.testing import make_service
    from accord.plugins.incidents.testing import make_incident, make_reporter

    enable_plugin(org, "incidents")
    email = make_service(org, "Email", levels={p: (60, 480) for p in (1, 2, 3, 4)})
    bo = make_reporter(org, "Bo", "Diaz", email="bo@example.org")
    outage = make_incident(org, "Email is down for everyone", service=email)
    report = make_incident(org, "Cannot send email", service=email, reporter=bo)
    make_incident(org, "Printer jam on floor 2", service=email)
    return outage, report


@pytest.fixture
def agent(org, make_user, sign_in_as, incidents):
    user = make_user("alex@acme.test", org, "agent")
    sign_in_as("alex@acme.test")
    return user


def test_an_agent_links_a_child_and_resolving_the_major_incident_resolves_it(
    page, org, agent, incidents, screenshot
):
    from accord.plugins.incidents.testing import reload

    outage, report = incidents
    page.goto(f"/o/{org.slug}/incidents/{outage.id}")
    page.get_by_role("button", name="Mark as major").click()
    expect(page.locator(".page-header")).to_contain_text("Major incident")

    page.get_by_role("link", name="Link child incidents…").click()
    page.evaluate("window.accordTestMarker = 'still here'")
    page.get_by_label("Reference or words of the title").fill("send")
    results = page.locator("#pick-results")
    expect(results).to_contain_text("Cannot send email", timeout=WAIT_MS)
    expect(results).not_to_contain_text("Printer jam")
    assert page.evaluate("window.accordTestMarker") == "still here"  # swapped in place
    results.get_by_role("button", name=f"Link as child {report.reference}").click()
    expect(page.locator("p.flash-success")).to_contain_text(
        f"{report.reference} is linked to {outage.reference}."
    )

    page.get_by_role("link", name=outage.reference).first.click()
    children = page.get_by_role("region", name="Child incidents")
    expect(children).to_contain_text(report.reference)
    screenshot("incidents-major")

    page.get_by_role("link", name="Resolve…").click()
    page.get_by_label("Resolution code").select_option(label="Fixed")
    page.get_by_label("Resolution notes").fill("Restarted the mail gateway.")
    page.get_by_role("button", name="Resolve").click()
    page.wait_for_url(re.compile(rf"/incidents/{outage.id}$"))
    expect(children).to_contain_text("Resolved")
    assert reload(report).status == "resolved"

    children.get_by_role("link", name=report.reference).click()
    expect(page.locator(".page-header")).to_contain_text(f"Child of {outage.reference}")
    expect(page.locator("#activity")).to_contain_text(
        f"Resolved with major incident {outage.reference}: Fixed. Restarted the mail gateway."
    )
