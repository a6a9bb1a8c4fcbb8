"""What a request may carry is checked once, before any view reads it (issue 11, points 3 and 7)."""

from __future__ import annotations

import peewee
import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from accord import Page, form_data, hookimpl
from accord.inputs import integer
from accord.testing import csrf_from, manifest

MiB = 1024 * 1024


class Echo:
    """Pages that say what they were sent, and one whose statement the database refuses."""

    @hookimpl
    def register_routes(self):
        def echo(request):
            data = form_data(request)
            return PlainTextResponse(repr(sorted(data.multi_items())))

        def query(request):
            return PlainTextResponse(repr(request.query_params.get("q")))

        def refused(request):
            raise peewee.OperationalError("no such column: nothing")

        def item(request):
            return PlainTextResponse(str(request.path_params["pk"]))

        return [
            Page("/echo", echo, name="echo", methods=("POST",), scope="public", once=False),
            Page("/query", query, name="query", scope="public"),
            Page("/refused", refused, name="refused", scope="public"),
            Page("/items/{pk:int}", item, name="item", scope="public"),
            Page("/private", echo, name="private", methods=("POST",), scope="global"),
        ]


@pytest.fixture(autouse=True)
def echo(accord_plugins):
    accord_plugins.append((Echo(), manifest("echo")))


@pytest.fixture
def token(client):
    return csrf_from(client.get("/login").text)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("42", 42),
        (" 7 ", 7),
        ("-3", -3),
        ("١٢", None),  # Arabic-Indic digits pass str.isdigit()
        ("²", None),
        ("9" * 19, None),  # beyond a BIGINT
        (str(2**63 - 1), 2**63 - 1),
        ("4e3", None),
        ("", None),
        (None, None),
    ],
)
def test_integer_reads_only_ascii_digits_that_fit_a_database_column(raw, expected):
    assert integer(raw) == expected


def test_integer_gives_the_default_for_anything_else():
    assert integer("many", default=1) == 1


def test_a_form_declared_larger_than_the_limit_is_refused_before_it_is_read(client, token):
    response = client.post(
        "/echo", content=b"x", headers={"Content-Length": str(300 * MiB), "X-CSRF-Token": token}
    )
    assert response.status_code == 413
    assert "larger than Accord accepts" in response.text


def test_a_form_that_streams_past_the_limit_is_cut_off(client, token):
    def chunks():
        for _ in range(3):
            yield b"a=" + b"x" * (MiB // 2) + b"&"

    response = client.post(
        "/echo",
        content=chunks(),
        headers={"Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": token},
    )
    assert response.status_code == 413


def test_a_file_sent_to_a_page_that_takes_none_is_refused(client, token):
    response = client.post(
        "/echo",
        data={"csrf_token": token, "name": "Ana"},
        files={"name": ("evil.txt", b"not a name")},
    )
    assert response.status_code == 400


def test_nul_characters_are_dropped_from_forms(client, token):
    response = client.post("/echo", data={"csrf_token": token, "name": "A\x00na"})
    assert "('name', 'Ana')" in response.text


def test_nul_characters_are_dropped_from_query_strings(client):
    assert client.get("/query?q=Pri%00ya").text == "'Priya'"


def test_an_id_too_long_for_the_database_is_not_found(client):
    assert client.get("/items/123").text == "123"
    assert client.get("/items/" + "9" * 25).status_code == 404


def test_a_post_to_a_signed_in_page_without_a_session_goes_to_sign_in_unread(client):
    response = client.post(
        "/private",
        content=b"x",
        headers={"Content-Length": str(300 * MiB)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login")


def test_a_statement_the_database_refuses_is_a_500_not_the_unavailable_page(app):
    client = TestClient(app, raise_server_exceptions=False)
    response = client.get("/refused")
    assert response.status_code == 500
    assert "not answering" not in response.text
