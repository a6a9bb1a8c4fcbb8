"""Service components and categories: what services rely on and how they are grouped."""

from __future__ import annotations

import pytest

from accord.plugins.catalogue.models import (
    Service,
    ServiceCategory,
    ServiceComponent,
    ServiceComponentLink,
)
from accord.plugins.catalogue.testing import make_category, make_service
from accord.testing import post_form

BASE = "/o/acme/catalogue"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "catalogue")
    return org


def component(org, name="Mail gateway", kind="application"):
    return ServiceComponent.create(org=org, name=name, kind=kind)


def test_components_are_listed_and_filtered_by_kind(signed_in, enabled):
    component(enabled, "Mail gateway", "application")
    component(enabled, "Core switches", "network")
    client = signed_in("viewer")
    assert "Core switches" in client.get(f"{BASE}/components").text
    text = client.get(f"{BASE}/components?kind=network").text
    assert "Core switches" in text and "Mail gateway" not in text


def test_a_component_supports_several_services(signed_in, enabled):
    switches = component(enabled, "Core switches", "network")
    for name in ("Office network", "Remote access"):
        ServiceComponentLink.create(
            org=enabled, service=make_service(enabled, name), component=switches
        )
    text = signed_in("viewer").get(f"{BASE}/components/{switches.id}").text
    assert "Office network" in text and "Remote access" in text


def test_manager_creates_a_component(signed_in, enabled):
    data = {"name": "M365 E3 licences", "kind": "licence_pool", "description": ""}
    response = post_form(
        signed_in("manager"), f"{BASE}/components/new", data, token_from=f"{BASE}/components/new"
    )
    assert response.status_code == 303
    assert ServiceComponent.get().kind_label == "Licence pool"


def test_a_component_needs_a_known_kind(signed_in, enabled):
    data = {"name": "Mystery box", "kind": "magic", "description": ""}
    response = post_form(
        signed_in("manager"), f"{BASE}/components/new", data, token_from=f"{BASE}/components/new"
    )
    assert response.status_code == 422
    assert ServiceComponent.select().count() == 0


def test_a_stale_component_edit_is_refused(signed_in, enabled):
    gateway = component(enabled)
    client = signed_in("manager")
    url = f"{BASE}/components/{gateway.id}/edit"
    opened_at = str(gateway.version)
    gateway.description = "Theirs"
    gateway.save()
    data = {
        "name": "Mail gateway",
        "kind": "application",
        "description": "Mine",
        "version": opened_at,
    }
    assert post_form(client, url, data, token_from=url).status_code == 409
    assert ServiceComponent.get_by_id(gateway.id).description == "Theirs"


def test_deleting_a_component_removes_its_links_not_the_services(signed_in, enabled):
    gateway = component(enabled)
    ServiceComponentLink.create(
        org=enabled, service=make_service(enabled, "Email"), component=gateway
    )
    url = f"{BASE}/components/{gateway.id}/delete"
    client = signed_in("manager")
    assert "supports 1 service" in client.get(url).text
    assert post_form(client, url, token_from=url).status_code == 303
    assert (ServiceComponentLink.select().count(), Service.select().count()) == (0, 1)


def test_categories_list_their_service_counts(signed_in, enabled):
    network = make_category(enabled, "Network and connectivity")
    make_service(enabled, "Wi-Fi", category=network)
    make_service(enabled, "VPN", category=network)
    text = signed_in("viewer").get(f"{BASE}/categories").text
    assert "Network and connectivity" in text
    assert '<td class="num">2</td>' in text


def test_category_names_are_unique_ignoring_case(signed_in, enabled):
    make_category(enabled, "Network")
    data = {"name": "network", "description": "", "position": "10"}
    response = post_form(
        signed_in("manager"), f"{BASE}/categories/new", data, token_from=f"{BASE}/categories/new"
    )
    assert response.status_code == 422
    assert "There is already a category with this name." in response.text


def test_deleting_a_category_keeps_its_services_uncategorised(signed_in, enabled):
    network = make_category(enabled, "Network")
    service = make_service(enabled, "Wi-Fi", category=network)
    url = f"{BASE}/categories/{network.id}/delete"
    assert post_form(signed_in("manager"), url, token_from=url).status_code == 303
    assert ServiceCategory.select().count() == 0
    assert Service.get_by_id(service.id).category_id is None
