"""System email: the instance's SMTP server, sent after the page's transaction commits."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from starlette.responses import HTMLResponse

from accord import Page, form_data, hookimpl, send_system_email
from accord.cli import cli
from accord.mail import MailServer, configured
from accord.settings import ConfigError, load_settings
from accord.testing import manifest, post_form

SENT: list[bool] = []


class Notifier:
    """A page that sends a system email, and fails afterwards when asked to."""

    @hookimpl
    def register_routes(self):
        def notify(request):
            SENT.append(send_system_email(request, "ana@acme.test", "Hello", "Hello, Ana."))
            if form_data(request).get("fail"):
                raise RuntimeError("the view failed after sending")
            return HTMLResponse("done")

        return [Page("/notify", notify, name="notify", methods=("POST",), scope="global")]


@pytest.fixture(autouse=True)
def notifier(accord_plugins):
    SENT.clear()
    accord_plugins.append((Notifier(), manifest("notifier")))


def settings_from(tmp_path, **environ):
    return load_settings(
        {"ACCORD_HOME": str(tmp_path), "ACCORD_SECRET_KEY": "k", **environ}, create_key=False
    )


def test_the_smtp_server_comes_from_accord_smtp_variables(tmp_path):
    server = MailServer.from_settings(
        settings_from(
            tmp_path,
            ACCORD_SMTP_HOST="smtp.example.org",
            ACCORD_SMTP_PORT="2525",
            ACCORD_SMTP_FROM="desk@example.org",
            ACCORD_SMTP_USERNAME="desk",
            ACCORD_SMTP_PASSWORD="pw",
            ACCORD_SMTP_STARTTLS="false",
        )
    )
    assert server == MailServer("smtp.example.org", 2525, "desk@example.org", "desk", "pw", False)


def test_one_smtp_url_gives_every_part(tmp_path):
    server = MailServer.from_settings(
        settings_from(
            tmp_path, ACCORD_SMTP_URL="smtps://desk:p%40ss@mail.example.org?from=desk@example.org"
        )
    )
    assert (server.host, server.port, server.tls, server.starttls) == (
        "mail.example.org",
        465,
        True,
        False,
    )
    assert (server.username, server.password, server.sender) == ("desk", "p@ss", "desk@example.org")


def test_an_smtp_url_of_another_scheme_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="smtp://"):
        MailServer.from_settings(settings_from(tmp_path, ACCORD_SMTP_URL="http://mail.example.org"))


def test_mail_is_off_until_a_host_and_a_sender_are_set(tmp_path):
    assert not configured(settings_from(tmp_path))
    assert not configured(settings_from(tmp_path, ACCORD_SMTP_HOST="smtp.example.org"))


def test_without_mail_configured_nothing_is_sent_and_the_page_is_told(app, signed_in):
    response = post_form(signed_in("admin"), "/notify")
    assert response.status_code == 200
    assert SENT == [False]


def test_a_page_s_email_reaches_the_smtp_server(app, signed_in, mail_inbox):
    post_form(signed_in("admin"), "/notify")
    assert SENT == [True]
    [message] = mail_inbox.messages
    assert (message["To"], message["From"], message["Subject"]) == (
        "ana@acme.test",
        "accord@acme.example.org",
        "Hello",
    )
    assert message.get_content().strip() == "Hello, Ana."


def test_a_page_that_fails_after_sending_sends_nothing(app, signed_in, mail_inbox):
    assert post_form(signed_in("admin"), "/notify", {"fail": "1"}).status_code == 500
    assert SENT == [True]
    assert mail_inbox.messages == []


def check_report(tmp_path, **environ):
    home = tmp_path / "instance"
    env = {
        "ACCORD_HOME": str(home),
        "ACCORD_SECRET_KEY": "k",
        "ACCORD_SAFE_MODE": "1",
        "ACCORD_DATABASE_URL": None,
        "ACCORD_CONFIG": None,
        **environ,
    }
    CliRunner().invoke(cli, ["init"], env=env, catch_exceptions=False)
    result = CliRunner().invoke(cli, ["check", "--json"], env=env, catch_exceptions=False)
    return json.loads(result.output)


def test_accord_check_says_when_mail_is_not_configured(tmp_path):
    assert check_report(tmp_path)["mail"].startswith("not configured")


def test_accord_check_says_where_mail_goes(tmp_path):
    report = check_report(
        tmp_path, ACCORD_SMTP_URL="smtp://mail.example.org:2525?from=desk@example.org"
    )
    assert report["mail"] == "mail.example.org:2525 (STARTTLS) from desk@example.org"


def test_system_email_is_part_of_the_public_api():
    import accord

    assert {"mail", "send_system_email"} <= set(accord.__all__)
