"""A service's levels: the P1–P4 × response, resolution and warning matrix."""

from __future__ import annotations

import pytest

from accord import hookimpl
from accord.plugins.catalogue import service_level, service_levels
from accord.plugins.catalogue.models import ServiceLevel
from accord.plugins.catalogue.testing import make_service
from accord.testing import manifest, post_form


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def service(org, enable_plugin):
    enable_plugin(org, "catalogue")
    return make_service(org, "Email", "EMAIL")


def url(service):
    return f"/o/acme/catalogue/{service.id}/levels"


def matrix(**cells):
    values = {
        f"p{p}_{part}": "" for p in range(1, 5) for part in ("response", "resolution", "warning")
    }
    values.update(cells)
    return values


def fingerprint_of(client, service):
    import re

    page = client.get(url(service)).text
    return re.search(r'name="fingerprint" value="([0-9a-f]+)"', page).group(1)


def save(client, service, **cells):
    data = {**matrix(**cells), "fingerprint": fingerprint_of(client, service)}
    return post_form(client, url(service), data, token_from=url(service))


def test_agents_cannot_change_levels(signed_in, service):
    client = signed_in("agent")
    assert client.get(url(service)).status_code == 403


def test_the_matrix_shows_each_priority(signed_in, service):
    text = signed_in("manager").get(url(service)).text
    for label in ("P1 Critical", "P2 High", "P3 Medium", "P4 Low"):
        assert label in text


def test_saving_creates_a_level_per_filled_row(signed_in, service):
    response = save(
        signed_in("manager"),
        service,
        p1_response="30m",
        p1_resolution="4h",
        p3_response="2h",
        p3_resolution="16h",
    )
    assert response.status_code == 303
    assert sorted(service_levels(service)) == [1, 3]


def test_targets_are_read_as_business_minutes(signed_in, service):
    client = signed_in("manager")
    assert (
        save(client, service, p1_response="30m", p1_resolution="4h", p1_warning="80").status_code
        == 303
    )
    level = service_level(service, 1)
    assert (level.response_minutes, level.resolution_minutes, level.warning_percent) == (
        30,
        240,
        80,
    )
    assert service_level(service, 2) is None


def test_an_empty_warning_means_75_percent(signed_in, service):
    save(signed_in("manager"), service, p2_response="1h", p2_resolution="8h")
    assert service_level(service, 2).warning_percent == 75


def test_the_form_shows_saved_levels_as_durations(signed_in, service):
    ServiceLevel.create(
        org=service.org_id, service=service, priority=1, response_minutes=90, resolution_minutes=240
    )
    text = signed_in("manager").get(url(service)).text
    assert 'value="1h 30m"' in text and 'value="4h"' in text


def test_clearing_a_row_removes_its_level(signed_in, service):
    ServiceLevel.create(
        org=service.org_id,
        service=service,
        priority=4,
        response_minutes=480,
        resolution_minutes=2400,
    )
    assert (
        save(signed_in("manager"), service, p1_response="15", p1_resolution="60").status_code == 303
    )
    assert set(service_levels(service)) == {1}


def test_a_half_filled_row_is_an_error(signed_in, service):
    response = save(signed_in("manager"), service, p2_response="30m")
    assert response.status_code == 422
    assert "Enter a resolution target too." in response.text
    assert 'value="30m"' in response.text  # what was typed is kept


def test_resolution_cannot_be_sooner_than_response(signed_in, service):
    response = save(signed_in("manager"), service, p1_response="4h", p1_resolution="30m")
    assert response.status_code == 422
    assert "Resolution cannot come before the response." in response.text


def test_unreadable_targets_and_thresholds_are_errors(signed_in, service):
    response = save(
        signed_in("manager"), service, p1_response="soon", p1_resolution="4h", p1_warning="120"
    )
    assert response.status_code == 422
    assert "Enter a time like 30m, 4h or 1h 30m." in response.text
    assert "Enter a whole number from 1 to 99." in response.text


def test_levels_changed_meanwhile_give_409_with_input_kept(signed_in, service):
    client = signed_in("manager")
    opened = fingerprint_of(client, service)
    ServiceLevel.create(
        org=service.org_id, service=service, priority=1, response_minutes=15, resolution_minutes=60
    )
    data = {**matrix(p1_response="45m", p1_resolution="6h"), "fingerprint": opened}
    response = post_form(client, url(service), data, token_from=url(service))
    assert response.status_code == 409
    assert "Saved now: response within 15 business minutes" in response.text
    assert 'value="45m"' in response.text
    assert service_level(service, 1).response_minutes == 15


def test_levels_are_unique_per_service_and_priority(service):
    import peewee

    ServiceLevel.create(
        org=service.org_id, service=service, priority=1, response_minutes=15, resolution_minutes=60
    )
    with pytest.raises(peewee.IntegrityError):
        ServiceLevel.create(
            org=service.org_id,
            service=service,
            priority=1,
            response_minutes=5,
            resolution_minutes=9,
        )


def test_another_organisations_service_levels_are_not_found(signed_in, service, make_org):
    theirs = make_service(make_org("globex"), "Email", "EMAIL")
    assert signed_in("manager").get(url(theirs)).status_code == 404


class Listener:
    """A plugin that hears the catalogue's events (as the incidents plugin will)."""

    def __init__(self):
        self.heard = []

    @hookimpl
    def handle_event(self, org, event, payload):
        self.heard.append((event, payload))


@pytest.fixture
def listener(accord_plugins):
    plugin = Listener()
    accord_plugins.append((plugin, manifest("listener")))
    return plugin


def test_saving_levels_announces_the_change(listener, signed_in, service, enable_plugin):
    enable_plugin(service.org, "listener")
    save(signed_in("manager"), service, p1_response="30m", p1_resolution="4h")
    assert ("catalogue.levels_changed", {"service_id": service.id}) in listener.heard
