"""Services in the catalogue: the list, a service's page, creating, editing and retiring one."""

from __future__ import annotations

import pytest
from markupsafe import Markup
from playhouse.test_utils import count_queries

from accord import hookimpl
from accord.plugins.catalogue.models import Service, ServiceComponentLink
from accord.plugins.catalogue.testing import make_calendar, make_category, make_service
from accord.testing import HTMX_HEADERS, manifest, post_form

BASE = "/o/acme/catalogue"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.catalogue"]


@pytest.fixture
def enabled(org, enable_plugin):
    enable_plugin(org, "catalogue")
    return org


def service_form(**fields):
    values = {
        "name": "Email and calendar",
        "code": "email",
        "summary": "A mailbox on every device.",
        "description": "",
        "category": "",
        "owner": "",
        "status": "live",
        "audience": "All staff",
        "requestable": "on",
        "calendar": "",
    }
    values.update(fields)
    return values


def test_pages_are_not_found_where_the_plugin_is_off(signed_in, org):
    assert signed_in("admin").get(f"{BASE}/").status_code == 404


def test_every_role_sees_the_services_and_the_menu(signed_in, enabled):
    make_service(enabled, "Email")
    page = signed_in("viewer").get(f"{BASE}/")
    assert page.status_code == 200
    assert "Email" in page.text
    assert f'href="{BASE}/calendars"' in page.text  # the menu's "Business hours"


def test_viewers_cannot_create_services(signed_in, enabled):
    client = signed_in("viewer")
    assert client.get(f"{BASE}/new").status_code == 403
    assert (
        post_form(client, f"{BASE}/new", service_form(), token_from=f"{BASE}/").status_code == 403
    )
    assert "New service" not in client.get(f"{BASE}/").text


def test_list_searches_name_and_code(signed_in, enabled):
    make_service(enabled, "Email", "EMAIL")
    make_service(enabled, "Laptop provision", "LAPTOP")
    text = signed_in("agent").get(f"{BASE}/?q=lapt").text
    assert "Laptop provision" in text
    assert ">Email<" not in text


def test_list_filters_by_category_status_and_owner(signed_in, enabled, make_user):
    network = make_category(enabled, "Network")
    owner = make_user("olu@acme.test", enabled, "manager", name="Olu Owner")
    make_service(enabled, "Wi-Fi", category=network, owner=owner)
    make_service(enabled, "Fax", status="retired")
    client = signed_in("agent")
    assert ">Wi-Fi<" in client.get(f"{BASE}/?category={network.id}").text
    assert ">Fax<" not in client.get(f"{BASE}/?category={network.id}").text
    assert ">Fax<" in client.get(f"{BASE}/?status=retired").text
    assert ">Wi-Fi<" not in client.get(f"{BASE}/?status=retired").text
    assert ">Wi-Fi<" in client.get(f"{BASE}/?owner={owner.id}").text
    assert ">Fax<" not in client.get(f"{BASE}/?owner={owner.id}").text


def test_list_answers_htmx_with_the_rows_only(signed_in, enabled):
    make_service(enabled, "Email")
    fragment = signed_in("agent").get(f"{BASE}/?q=Email", headers=HTMX_HEADERS)
    assert "Email" in fragment.text
    assert "<html" not in fragment.text


def test_list_exports_csv_with_category_and_owner(signed_in, enabled, make_user):
    owner = make_user("olu@acme.test", enabled, "manager", name="Olu Owner")
    make_service(enabled, "Email", category=make_category(enabled, "Communication"), owner=owner)
    response = signed_in("agent").get(f"{BASE}/?format=csv")
    assert response.headers["content-type"].startswith("text/csv")
    assert "Email,EMAIL,Communication,Olu Owner,live,no" in response.text


def test_list_reads_categories_and_owners_in_the_same_query(signed_in, enabled, make_user):
    owner = make_user("olu@acme.test", enabled, "manager")
    client = signed_in("agent")
    counts = []
    for n in range(2):
        make_service(enabled, f"Service {n}", category=make_category(enabled, f"C{n}"), owner=owner)
        with count_queries() as counter:
            assert f"Service {n}" in client.get(f"{BASE}/").text
        counts.append(counter.count)
    assert counts[0] == counts[1]


def test_manager_creates_a_service(signed_in, enabled):
    calendar = make_calendar(enabled)
    client = signed_in("manager")
    response = post_form(
        client, f"{BASE}/new", service_form(calendar=str(calendar.id)), token_from=f"{BASE}/new"
    )
    assert response.status_code == 303
    service = Service.get()
    assert (service.org_id, service.code, service.calendar_id) == (enabled.id, "EMAIL", calendar.id)
    assert service.requestable
    assert "is in the catalogue" in client.get(response.headers["location"]).text


def test_invalid_service_is_shown_again_with_what_was_typed(signed_in, enabled):
    make_service(enabled, "Email", "EMAIL")
    client = signed_in("manager")
    response = post_form(
        client,
        f"{BASE}/new",
        service_form(name="", code="email", summary="Keep <this>", status="sometimes"),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "Enter name." in response.text
    assert "Choose one of the options for status." in response.text
    assert 'value="Keep &lt;this&gt;"' in response.text
    assert Service.select().count() == 1


def test_service_codes_are_unique_in_the_organisation(signed_in, enabled):
    make_service(enabled, "Email", "EMAIL")
    response = post_form(
        signed_in("manager"), f"{BASE}/new", service_form(name="Mail"), token_from=f"{BASE}/new"
    )
    assert response.status_code == 422
    assert "Another service has this code." in response.text


def test_the_same_code_is_free_in_another_organisation(signed_in, enabled, make_org):
    make_service(make_org("globex"), "Email", "EMAIL")
    response = post_form(
        signed_in("manager"), f"{BASE}/new", service_form(), token_from=f"{BASE}/new"
    )
    assert response.status_code == 303


def test_an_owner_must_be_a_member_of_the_organisation(signed_in, enabled, make_org, make_user):
    stranger = make_user("x@globex.test", make_org("globex"), "admin")
    response = post_form(
        signed_in("manager"),
        f"{BASE}/new",
        service_form(owner=str(stranger.id)),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert Service.select().count() == 0


def test_a_retired_service_cannot_be_requestable(signed_in, enabled):
    response = post_form(
        signed_in("manager"),
        f"{BASE}/new",
        service_form(status="retired"),
        token_from=f"{BASE}/new",
    )
    assert response.status_code == 422
    assert "A retired service cannot be requested." in response.text


def test_service_page_shows_levels_components_and_calendar(signed_in, enabled):
    from accord.plugins.catalogue.models import ServiceComponent

    calendar = make_calendar(enabled)
    service = make_service(enabled, "Email", calendar=calendar, levels={1: (30, 240)})
    component = ServiceComponent.create(org=enabled, name="Mail gateway", kind="application")
    ServiceComponentLink.create(org=enabled, service=service, component=component)
    text = signed_in("viewer").get(f"{BASE}/{service.id}").text
    assert "P1 Critical" in text and "30 business minutes" in text and "4 business hours" in text
    assert "No level agreed" in text  # P2–P4
    assert "Mail gateway" in text
    assert "Monday to Friday 08:00–18:00" in text
    assert "United Kingdom (England)" in text


class ContractsPanel:
    """Another plugin that shows something beside every service."""

    @hookimpl
    def fill_slot(self, ctx, slot, context):
        if slot == "catalogue.service.side":
            return Markup("<p>Contracts behind {}</p>").format(context["service"].code)
        return None


@pytest.fixture
def contracts_panel(accord_plugins):
    accord_plugins.append((ContractsPanel(), manifest("contracts")))


def test_service_page_has_a_slot_for_other_plugins(
    contracts_panel, signed_in, enabled, enable_plugin
):
    enable_plugin(enabled, "contracts")
    service = make_service(enabled, "Email", "EMAIL")
    assert "Contracts behind EMAIL" in signed_in("viewer").get(f"{BASE}/{service.id}").text


def test_editing_saves_and_is_audited(signed_in, enabled):
    service = make_service(enabled, "Email", "EMAIL")
    client = signed_in("manager")
    url = f"{BASE}/{service.id}/edit"
    response = post_form(
        client, url, service_form(name="Email", version=str(service.version)), token_from=url
    )
    assert response.status_code == 303
    service = Service.get_by_id(service.id)
    assert (service.summary, service.version) == ("A mailbox on every device.", 2)
    assert "Summary:" in client.get(f"{BASE}/{service.id}").text  # the history lists the change


def test_a_stale_edit_is_refused_with_both_versions(signed_in, enabled):
    service = make_service(enabled, "Email", "EMAIL")
    client = signed_in("manager")
    url = f"{BASE}/{service.id}/edit"
    opened_at = str(service.version)
    service.summary = "Changed by someone else"
    service.save()
    response = post_form(
        client, url, service_form(summary="Mine", version=opened_at), token_from=url
    )
    assert response.status_code == 409
    assert "Changed by someone else" in response.text
    assert "Mine" in response.text
    assert Service.get_by_id(service.id).summary == "Changed by someone else"


def test_retiring_asks_first_and_takes_it_out_of_requests(signed_in, enabled):
    service = make_service(enabled, "Fax", "FAX", requestable=True)
    client = signed_in("manager")
    url = f"{BASE}/{service.id}/retire"
    assert "Retire service" in client.get(url).text
    assert Service.get_by_id(service.id).status == "live"
    assert post_form(client, url, token_from=url).status_code == 303
    service = Service.get_by_id(service.id)
    assert (service.status, service.requestable) == ("retired", False)


def test_components_are_linked_and_unlinked_from_the_service_page(signed_in, enabled):
    from accord.plugins.catalogue.models import ServiceComponent

    service = make_service(enabled, "Email")
    gateway = ServiceComponent.create(org=enabled, name="Mail gateway", kind="application")
    client = signed_in("manager")
    page = f"{BASE}/{service.id}"
    added = post_form(
        client,
        f"{page}/components",
        {"component": str(gateway.id)},
        token_from=page,
        headers=HTMX_HEADERS,
    )
    assert added.status_code == 200 and "<html" not in added.text
    assert "Mail gateway" in added.text
    link = ServiceComponentLink.get()
    assert (
        post_form(client, f"{page}/components/{link.id}/remove", token_from=page).status_code == 303
    )
    assert ServiceComponentLink.select().count() == 0


def test_another_organisations_component_cannot_be_linked(signed_in, enabled, make_org):
    from accord.plugins.catalogue.models import ServiceComponent

    theirs = ServiceComponent.create(org=make_org("globex"), name="Their switch", kind="network")
    service = make_service(enabled, "Email")
    page = f"{BASE}/{service.id}"
    response = post_form(
        signed_in("manager"), f"{page}/components", {"component": str(theirs.id)}, token_from=page
    )
    assert response.status_code == 422
    assert ServiceComponentLink.select().count() == 0


def test_search_finds_services_by_name_and_code(signed_in, enabled, make_org, enable_plugin):
    make_service(enabled, "Email and calendar", "EMAIL")
    make_service(enabled, "Payroll hosting", "PAYROLL")
    other = make_org("globex")
    enable_plugin(other, "catalogue")
    make_service(other, "Globex payroll", "PAYROLL")
    client = signed_in("agent")
    assert "Email and calendar" in client.get("/o/acme/dashboard/search?q=email").text
    text = client.get("/o/acme/dashboard/search?q=payroll").text
    assert "Payroll hosting" in text
    assert "Globex" not in text


def test_dashboard_counts_live_services_and_those_without_levels(signed_in, enabled):
    make_service(enabled, "Email", levels={1: (30, 240)})
    make_service(enabled, "Laptops")
    make_service(enabled, "Fax", status="retired")
    text = signed_in("viewer").get("/o/acme/dashboard/").text
    assert '<div class="stat">2<span class="stat-label">live services' in text
    assert '<div class="stat">1<span class="stat-label">without service levels' in text
    assert ">Laptops</a>" in text
