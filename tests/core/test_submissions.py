"""A form sent twice changes things once: the one-time submission id every form carries."""

from __future__ import annotations

import datetime as dt

import pytest
from starlette.responses import HTMLResponse

from accord import Page, hookimpl, redirect, render, utcnow
from accord.submissions import Submission, claim
from accord.testing import HTMX_HEADERS, form_tokens, manifest

RUNS: list[str] = []


def form_page(request):
    return render(request, "two_forms.html")


def add(request):
    RUNS.append("add")
    return redirect(request, f"/o/{request.path_params['org']}/things/{len(RUNS)}")


def add_fragment(request):
    RUNS.append("fragment")
    return HTMLResponse("<li>added</li>")


def refuse(request):
    RUNS.append("refuse")
    return HTMLResponse("fix it", status_code=422)


def thing(request):
    return render(request, "two_forms.html")


class Things:
    @hookimpl
    def register_routes(self):
        return [
            Page("/", form_page, name="index"),
            Page("/add", add, name="add", methods=("POST",)),
            Page("/fragment", add_fragment, name="fragment", methods=("POST",)),
            Page("/refuse", refuse, name="refuse", methods=("POST",)),
            Page("/{pk:int}", thing, name="thing"),
        ]

    @hookimpl
    def register_template_dir(self):
        return self.templates


@pytest.fixture(autouse=True)
def plugins(accord_plugins, tmp_path):
    RUNS.clear()
    things = Things()
    things.templates = tmp_path / "templates"
    things.templates.mkdir()
    (things.templates / "two_forms.html").write_text(
        '{% extends "base.html" %}{% block content %}'
        '<form method="post" action="add">{{ csrf_input }}</form>'
        '<form method="post" action="refuse">{{ csrf_input }}</form>{% endblock %}'
    )
    accord_plugins.append((things, manifest("things")))


@pytest.fixture
def agent(signed_in, org, enable_plugin):
    enable_plugin(org, "things")
    return signed_in("agent")


def send_twice(client, path, **kwargs):
    tokens = form_tokens(client.get("/o/acme/things/").text)
    first = client.post(path, data=tokens, follow_redirects=False, **kwargs)
    second = client.post(path, data=tokens, follow_redirects=False, **kwargs)
    return first, second


def test_a_form_sent_twice_runs_its_view_once(agent):
    send_twice(agent, "/o/acme/things/add")
    assert RUNS == ["add"]


def test_the_second_send_goes_where_the_first_went(agent):
    first, second = send_twice(agent, "/o/acme/things/add")
    assert second.status_code == 303
    assert second.headers["location"] == first.headers["location"] == "/o/acme/things/1"


def test_the_second_send_says_it_was_already_sent(agent):
    _, second = send_twice(agent, "/o/acme/things/add")
    assert "This was already sent." in agent.get(second.headers["location"]).text


def test_a_second_send_from_htmx_is_a_full_page_redirect(agent):
    first, second = send_twice(agent, "/o/acme/things/add", headers=HTMX_HEADERS)
    assert second.status_code == 204
    assert second.headers["HX-Redirect"] == first.headers["HX-Redirect"]
    assert RUNS == ["add"]


def test_when_the_first_answer_was_not_a_redirect_the_second_goes_back_to_the_form(agent):
    headers = {**HTMX_HEADERS, "Referer": "http://testserver/o/acme/things/?tab=2"}
    first, second = send_twice(agent, "/o/acme/things/fragment", headers=headers)
    assert first.text == "<li>added</li>"
    assert second.headers["HX-Redirect"] == "/o/acme/things/?tab=2"
    assert RUNS == ["fragment"]


def test_another_site_named_as_referer_is_never_the_way_back(agent):
    headers = {"Referer": "https://evil.example/phish"}
    _, second = send_twice(agent, "/o/acme/things/fragment", headers=headers)
    assert second.headers["location"] == "/"


def test_a_refused_form_can_be_corrected_and_sent_again_with_the_same_id(agent):
    first, second = send_twice(agent, "/o/acme/things/refuse")
    assert (first.status_code, second.status_code) == (422, 422)
    assert RUNS == ["refuse", "refuse"]


def test_a_form_without_a_submission_id_runs_every_time(agent):
    csrf = {"csrf_token": form_tokens(agent.get("/o/acme/things/").text)["csrf_token"]}
    for _ in range(2):
        assert agent.post("/o/acme/things/add", data=csrf, follow_redirects=False).is_redirect
    assert RUNS == ["add", "add"]


def test_every_form_on_a_page_gets_its_own_submission_id(agent):
    page = agent.get("/o/acme/things/").text
    ids = [part.split('"')[0] for part in page.split('name="submission_id" value="')[1:]]
    assert len(ids) >= 2  # the two forms, and the sign-out form of the page shell
    assert len(set(ids)) == len(ids)


def test_ids_older_than_a_week_are_pruned_when_a_new_one_is_claimed(accord_db):
    Submission.create(nonce="old", created_at=utcnow() - dt.timedelta(days=8))
    Submission.create(nonce="recent", created_at=utcnow() - dt.timedelta(days=6))
    claim("new")
    assert sorted(s.nonce for s in Submission.select()) == ["new", "recent"]


def test_of_two_requests_sending_one_id_at_once_only_one_claims_it(accord_db):
    import threading

    from accord.db import database
    from accord.submissions import AlreadySent

    claimed = threading.Event()
    outcomes: list[str] = []

    def first():
        with database.connection_context(), database.atomic():
            claim("same")
            claimed.set()
            threading.Event().wait(0.3)  # the view still running when the twin arrives
        outcomes.append("ran")

    def twin():
        claimed.wait(5)
        try:
            with database.connection_context(), database.atomic():
                claim("same")
            outcomes.append("ran")
        except AlreadySent:
            outcomes.append("already sent")

    threads = [threading.Thread(target=first), threading.Thread(target=twin)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["already sent", "ran"]
