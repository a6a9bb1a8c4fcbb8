"""Contacts: the global search finds people and organisations despite typos in their names."""

from __future__ import annotations

import pytest

from accord.plugins.contacts import fuzzy
from accord.plugins.contacts.testing import make_organisation, make_person

SEARCH = "/o/acme/dashboard/search"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts"]


@pytest.fixture
def people(org, enable_plugin):
    enable_plugin(org, "contacts")
    make_person(org, "Priya", "Raman", email="priya@council.example")
    make_person(org, "Priya", "Shah")
    make_person(org, "Ramnath", "Iyer")
    make_person(org, "Bo", "Chen")
    make_organisation(org, "Riverside Academy")
    return org


def found(client, q):
    return client.get(SEARCH, params={"q": q}).text


def test_a_typo_in_the_surname_still_finds_the_person(signed_in, people):
    assert ">Priya Raman</a>" in found(signed_in("viewer"), "Priya Ramen")


def test_a_surname_with_a_letter_missing_finds_the_person(signed_in, people):
    assert ">Priya Raman</a>" in found(signed_in("viewer"), "Ramn")


def test_a_typo_in_an_organisations_name_finds_it(signed_in, people):
    assert ">Riverside Academy</a>" in found(signed_in("viewer"), "Riversde Acadmy")


def test_nonsense_finds_nothing(signed_in, people):
    page = found(signed_in("viewer"), "Zqxwv Kjhgf")
    assert "Priya" not in page and "Riverside" not in page and "Bo Chen" not in page


def test_exact_and_prefix_matches_rank_above_close_ones(signed_in, people):
    page = found(signed_in("viewer"), "Ramn")
    # "Ramnath" starts with what was typed; "Raman" is only close to it.
    assert page.index(">Ramnath Iyer</a>") < page.index(">Priya Raman</a>")


def test_a_close_name_does_not_bring_in_people_sharing_only_a_first_name(signed_in, people):
    page = found(signed_in("viewer"), "Priya Ramen")
    assert ">Priya Shah</a>" not in page


def test_typos_never_find_another_organisations_people(signed_in, people, make_org):
    make_person(make_org("globex"), "Devika", "Raman")
    assert "Devika" not in found(signed_in("viewer"), "Devka Ramen")


# --- How closeness is measured -------------------------------------------------------------


def test_similarity_counts_shared_trigrams_as_pg_trgm_does():
    assert fuzzy.similarity("raman", "raman") == 1.0
    assert fuzzy.similarity("ramn", "raman") == pytest.approx(3 / 8)
    assert fuzzy.similarity("xyz", "raman") == 0.0


def test_every_typed_word_must_be_close_to_a_word_of_the_name():
    assert fuzzy.name_score(["priya", "ramen"], "Priya Raman") > 0.6
    assert fuzzy.name_score(["priya", "smith"], "Priya Raman") == 0.0
    assert fuzzy.name_score(["ram"], "Priya Raman") == 1.0  # the start of a word


# --- accord check --------------------------------------------------------------------------


def test_accord_check_warns_when_names_cannot_be_searched_with_an_index(
    accord_host, accord_settings, people
):
    from accord import database

    def warnings():
        return [
            w
            for found in accord_host.pm.hook.check_instance(settings=accord_settings)
            for w in found
        ]

    if accord_settings.is_sqlite:
        assert warnings() == []  # the FTS5 trigram index comes with SQLite
        return
    assert warnings() == []
    database.execute_sql("DROP INDEX contacts_person_name_trgm")
    assert warnings() == [
        "contacts: the trigram indexes contacts_person_name_trgm are missing, so searching "
        "names with typos reads every row; create them as contacts' migration 0009 does"
    ]
