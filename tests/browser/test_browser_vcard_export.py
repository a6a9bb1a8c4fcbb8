"""The people list's vCard export in a real browser: the filtered list downloads as one file."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def people(org, enable_plugin):
    from accord.plugins.contacts.testing import make_person

    enable_plugin(org, "contacts")
    make_person(org, "Priya", "Raman", email="priya@council.example", tags="Governor")
    make_person(org, "Ana", "Lima", email="ana@council.example", tags="Governor")
    make_person(org, "Ben", "Okafor", email="ben@council.example")


def test_the_vcards_button_downloads_the_cards_of_the_filtered_list(
    page, org, people, make_user, sign_in_as
):
    make_user("alex@acme.test", org, "viewer")
    sign_in_as("alex@acme.test")
    page.goto(f"/o/{org.slug}/contacts/people/?q=governor")
    with page.expect_download() as download:
        page.get_by_role("link", name="vCards", exact=True).click()
    assert download.value.suggested_filename == "people.vcf"
    text = Path(download.value.path()).read_text(encoding="utf-8")
    names = [line for line in text.splitlines() if line.startswith("FN:")]
    assert names == ["FN:Ana Lima", "FN:Priya Raman"]
    assert "EMAIL;TYPE=INTERNET:priya@council.example" in text
