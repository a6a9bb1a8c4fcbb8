"""The country list of the person form and the people filter (``countries.toml``)."""

from __future__ import annotations

import phonenumbers

from accord.plugins.contacts.choices import countries, country_name


def test_every_region_a_phone_number_can_belong_to_has_a_name():
    assert set(phonenumbers.SUPPORTED_REGIONS) <= set(countries())


def test_countries_are_sorted_by_name():
    names = list(countries().values())
    assert names == sorted(names)


def test_a_code_is_shown_as_its_name_and_an_unknown_code_as_itself():
    assert (country_name("GB"), country_name("ZZ"), country_name(None)) == (
        "United Kingdom",
        "ZZ",
        "",
    )
