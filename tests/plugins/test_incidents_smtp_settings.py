"""The SMTP server in incidents' settings: a host name or address, one the instance allows."""

from __future__ import annotations

import pytest

from accord import plugin_settings
from accord.testing import post_form

URL = "/o/acme/settings/plugins/incidents/settings"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def admin(signed_in, org, enable_plugin):
    enable_plugin(org, "incidents")
    return signed_in("admin")


@pytest.fixture
def allow(accord_settings, monkeypatch):
    def allow(*hosts: str) -> None:
        mail = accord_settings.data.setdefault("mail", {})
        monkeypatch.setitem(mail, "allowed_smtp_hosts", list(hosts))

    return allow


def save(client, host: str, port: str = "587"):
    data = {
        "reopen_days": "7",
        "close_after_days": "5",
        "response_met_by": "reply",
        "email_reporters": "on",
        "smtp_host": host,
        "smtp_port": port,
        "smtp_from": "servicedesk@acme.example.org",
    }
    return post_form(client, URL, data, token_from=URL)


def smtp_host(org) -> str:
    return plugin_settings.get(org, "incidents").get("smtp_host") or ""


def test_a_public_server_is_saved(admin, org):
    assert save(admin, "smtp.example.org").status_code == 303
    assert smtp_host(org) == "smtp.example.org"


@pytest.mark.parametrize(
    "host", ["smtp://smtp.example.org", "smtp.example.org:25", "smtp example.org", "a/b"]
)
def test_a_scheme_port_or_space_in_the_host_is_422_with_the_input_kept(admin, org, host):
    response = save(admin, host)
    assert response.status_code == 422
    assert "Enter only the server&#39;s name or address" in response.text
    assert smtp_host(org) == ""


@pytest.mark.parametrize("port", ["0", "65536", "twenty-five"])
def test_a_port_outside_1_to_65535_is_422(admin, org, port):
    assert save(admin, "smtp.example.org", port).status_code == 422
    assert smtp_host(org) == ""


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.5", "192.168.1.20", "::1"])
def test_loopback_and_private_addresses_are_refused(admin, org, host):
    response = save(admin, host)
    assert response.status_code == 422
    assert "inside the server&#39;s own network" in response.text
    assert smtp_host(org) == ""


def test_a_loopback_address_the_instance_lists_is_allowed(admin, org, allow):
    allow("127.0.0.1")
    assert save(admin, "127.0.0.1").status_code == 303
    assert smtp_host(org) == "127.0.0.1"


def test_a_private_network_the_instance_lists_is_allowed(admin, org, allow):
    allow("10.1.2.0/24")
    assert save(admin, "10.1.2.9").status_code == 303
    assert save(admin, "10.1.3.9").status_code == 422


def test_with_an_allow_list_other_hosts_are_refused(admin, org, allow):
    allow("smtp.example.org", "*.example.net")
    assert save(admin, "relay.example.net").status_code == 303
    response = save(admin, "smtp.elsewhere.org")
    assert response.status_code == 422
    assert "only through these servers: smtp.example.org, *.example.net" in response.text
    assert 'value="smtp.elsewhere.org"' in response.text
    assert smtp_host(org) == "relay.example.net"


def test_an_empty_server_turns_mail_off_and_is_saved(admin, org):
    assert save(admin, "").status_code == 303
