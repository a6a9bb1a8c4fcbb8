"""Email templates render in a bounded sandbox: a template that would run for ever or
fill the memory is refused in the editor, quickly, with a message; normal ones work."""

from __future__ import annotations

import time

import pytest

from accord.plugins.incidents import mail
from accord.plugins.incidents.models import EmailTemplate
from accord.testing import post_form

BASE = "/o/acme/incidents"
NESTED_LOOPS = "{% for a in range(100000) %}{% for b in range(100000) %}x{% endfor %}{% endfor %}"


@pytest.fixture
def accord_extra_modules():
    return ["accord.plugins.contacts", "accord.plugins.incidents"]


@pytest.fixture
def manager(signed_in, org, enable_plugin):
    enable_plugin(org, "incidents")
    return signed_in("manager", email="morgan@acme.test")


def save_body(client, body: str):
    data = {"subject": "[{{ reference }}] {{ title }}", "body": body}
    return post_form(client, f"{BASE}/emails/created", data, token_from=f"{BASE}/emails/")


def test_nested_loops_of_ten_billion_iterations_are_refused_quickly(manager):
    started = time.monotonic()
    response = save_body(manager, NESTED_LOOPS)
    assert time.monotonic() - started < 3
    assert response.status_code == 422
    assert "asks too much of the server" in response.text
    assert "longer than 100,000 characters" in response.text
    assert not EmailTemplate.select().exists()


def test_loops_that_write_nothing_are_stopped_by_the_iteration_limit(manager):
    silent = (
        "{% set r = range(100000)|list %}{% for a in r %}{% for b in r %}{% endfor %}{% endfor %}"
    )
    response = save_body(manager, silent)
    assert response.status_code == 422
    assert "loops run more than 1,000,000 times" in response.text


def test_a_hundred_megabyte_string_is_refused(manager):
    response = save_body(manager, '{{ "x" * 100000000 }}')
    assert response.status_code == 422
    assert "longer than 100,000 characters" in response.text
    assert "{{ &#34;x&#34; * 100000000 }}" in response.text  # the input is kept


@pytest.mark.parametrize(
    "body",
    [
        '{% set ns = namespace(s="x") %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}'
        "{% endfor %}{{ ns.s }}",
        '{{ ("x" * 90000) | replace("x", "yy") }}',
        '{{ "x" | center(100000000) }}',
        '{{ "%100000000s" % 1 }}',
        '{{ "{:>100000000}".format(1) }}',
        '{{ range(100000) | list | join("x" * 1000) }}',
        "{{ 10 ** 10000000 }}",
    ],
    ids=["doubling", "replace", "center", "percent-width", "format-width", "join", "power"],
)
def test_other_ways_to_grow_a_text_or_a_number_are_refused(body):
    started = time.monotonic()
    problem = mail.template_error(body)
    assert time.monotonic() - started < 1.5
    assert problem is not None and "asks too much of the server" in problem


def test_a_slow_template_is_stopped_by_the_time_limit(monkeypatch):
    from accord.plugins.incidents import sandbox

    monkeypatch.setattr(sandbox, "MAX_ITERATIONS", 10**12)
    started = time.monotonic()
    problem = mail.template_error(
        "{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}"
    )
    assert time.monotonic() - started < sandbox.TIME_LIMIT + 1
    assert problem is not None and "longer than 1 s to render" in problem


def test_a_normal_template_with_loops_and_filters_is_saved_and_renders(manager):
    body = (
        "Dear {{ reporter_first_name }},\n"
        "{% for word in title.split() %}{{ loop.index }}:{{ word | upper }} {% endfor %}\n"
        '{{ "%s-%d" | format(reference, reopen_days) }} {{ "x" * 3 }} {{ "a" ~ organisation }}'
    )
    response = save_body(manager, body)
    assert response.status_code == 303
    assert mail._render(EmailTemplate.get().body, mail.VARIABLES) == (
        "Dear Ana,\n1:OUTLOOK 2:KEEPS 3:ASKING 4:FOR 5:MY 6:PASSWORD \n"
        "INC-000123-7 xxx aAcme Council ICT"
    )
