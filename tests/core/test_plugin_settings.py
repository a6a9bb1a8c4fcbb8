"""Plugins' typed settings per organisation: declared, validated, secrets kept secret."""

from __future__ import annotations

import json
import re
import sys
import textwrap

import pytest
from click.testing import CliRunner

from accord import plugin_settings
from accord.cli import cli
from accord.components.fields import ValidationError
from accord.enablement import SettingsRequired, enable, enabled_plugins
from accord.manifest import ManifestError
from accord.models import AuditEntry, PluginEnablement
from accord.plugin_settings import PluginSetting
from accord.testing import HTMX_HEADERS, manifest, post_form

PROBE = """
id = "probe"
title = "Probe"
version = "1.0.0"
core_api = ">=1.0,<2"

[settings.api_token]
type = "secret"
label = "API token"
required = true

[settings.region]
type = "choice"
label = "Region"
choices = [["eu", "Europe"], ["us", "United States"]]
default = "eu"

[settings.batch_size]
type = "integer"
label = "Batch size"
default = 50
min = 1
max = 500
required = true

[settings.retries]
type = "integer"
label = "Retries"
min = 0

[settings.notify]
type = "boolean"
label = "Send notifications"

[settings.webhook]
type = "url"
label = "Webhook"
help = "Where events are posted."

[settings.signing_key]
type = "secret"
label = "Signing key"
"""

PROBE_REPORTS = """
id = "probe_reports"
title = "Probe reports"
version = "1.0.0"
core_api = ">=1.0,<2"
depends = ["probe"]
"""

TOKEN = "tok-3f9a-zq81x7"


@pytest.fixture
def accord_extra_modules(tmp_path, monkeypatch):
    """Two plugins on disk: ``probe`` with settings, ``probe_reports`` that needs it."""
    root = tmp_path / "site"
    for name, text in (("probe", PROBE), ("probe_reports", PROBE_REPORTS)):
        (root / name).mkdir(parents=True)
        (root / name / "plugin.toml").write_text(textwrap.dedent(text))
        (root / name / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(root))
    yield ["probe", "probe_reports"]
    for name in ("probe", "probe_reports"):
        sys.modules.pop(name, None)


@pytest.fixture
def probe(accord_host):
    return accord_host.manifest("probe")


@pytest.fixture
def bound(accord_settings, accord_host, accord_db):
    plugin_settings.bind(accord_settings, accord_host)


def set_token(accord_settings, probe, org, token=TOKEN):
    plugin_settings.save(accord_settings.secret_key, probe, org, {"api_token": token})


def settings_url(org, plugin="probe"):
    return f"/o/{org.slug}/settings/plugins/{plugin}/settings"


def save_form(client, org, **data):
    return post_form(client, settings_url(org), data, token_from=settings_url(org))


# ---- the manifest -----------------------------------------------------------------------


def test_the_manifest_declares_settings_in_order_with_types_and_defaults(probe):
    assert [(s.key, s.type, s.default) for s in probe.settings] == [
        ("api_token", "secret", None),
        ("region", "choice", "eu"),
        ("batch_size", "integer", 50),
        ("retries", "integer", None),
        ("notify", "boolean", False),
        ("webhook", "url", None),
        ("signing_key", "secret", None),
    ]


@pytest.mark.parametrize(
    "table, reason",
    [
        ({"type": "colour"}, "type 'colour' is not one of"),
        ({"type": "choice"}, "needs at least one entry in 'choices'"),
        ({"type": "secret", "default": "hunter2"}, "a secret cannot have a default"),
        ({"type": "integer", "default": "ten"}, "default 'ten' is not a valid integer"),
        ({"type": "choice", "choices": ["a"], "default": "b"}, "not a valid choice"),
        ({"type": "url", "default": "example.org"}, "not a valid url"),
        ({"type": "boolean", "required": True}, "a boolean always has a value"),
        ({"type": "string", "colour": "red"}, "unknown field(s) colour"),
        ({"type": "string", "min": 1}, "only an integer has 'min' and 'max'"),
        ({"type": "integer", "max": "ten"}, "'max' must be a whole number"),
        ({"type": "integer", "min": 5, "max": 1}, "'min' 5 is more than 'max' 1"),
        ({"type": "integer", "min": 1, "default": 0}, "default 0 is outside min and max"),
    ],
)
def test_an_invalid_setting_declaration_says_what_to_fix(table, reason):
    with pytest.raises(ManifestError, match=re.escape(reason)):
        manifest("bad", settings={"key": table})


def test_a_plugin_with_an_invalid_setting_is_quarantined_with_the_reason(
    tmp_path, monkeypatch, accord_settings
):
    from accord.host import build_host

    (tmp_path / "odd" / "odd").mkdir(parents=True)
    (tmp_path / "odd" / "odd" / "plugin.toml").write_text(
        'id = "odd"\ntitle = "Odd"\nversion = "1.0"\ncore_api = ">=1.0"\n'
        '[settings.size]\ntype = "huge"\n'
    )
    (tmp_path / "odd" / "odd" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path / "odd"))
    host = build_host(accord_settings, extra=[("odd", "test")], entry_points=False)
    assert "setting 'size': type 'huge'" in host.plugins["odd"].reason


# ---- storage and the API for plugins ----------------------------------------------------


def test_get_gives_the_defaults_where_nothing_is_set(bound, org):
    assert plugin_settings.get(org, "probe") == {
        "api_token": None,
        "region": "eu",
        "batch_size": 50,
        "retries": None,
        "notify": False,
        "webhook": None,
        "signing_key": None,
    }


def test_secrets_are_stored_encrypted_and_read_back_decrypted(bound, accord_settings, probe, org):
    set_token(accord_settings, probe, org)
    stored = PluginSetting.get(PluginSetting.key == "api_token").value
    assert TOKEN not in stored
    assert plugin_settings.get(org, "probe")["api_token"] == TOKEN


def test_a_secret_copied_to_another_organisation_does_not_decrypt(
    accord_settings, probe, org, make_org
):
    set_token(accord_settings, probe, org)
    other = make_org("globex")
    row = PluginSetting.get(PluginSetting.key == "api_token")
    PluginSetting.create(org=other, plugin="probe", key="api_token", value=row.value)
    assert plugin_settings.effective(accord_settings.secret_key, probe, other)["api_token"] is None


def test_secrets_cannot_be_read_with_another_secret_key(accord_settings, probe, org):
    set_token(accord_settings, probe, org)
    assert plugin_settings.effective("another key", probe, org)["api_token"] is None


def test_a_value_set_back_to_its_default_is_not_stored(accord_settings, probe, org):
    plugin_settings.save(accord_settings.secret_key, probe, org, {"batch_size": 10})
    plugin_settings.save(accord_settings.secret_key, probe, org, {"batch_size": 50})
    assert not PluginSetting.select().where(PluginSetting.key == "batch_size").exists()


def test_settings_are_per_organisation(bound, accord_settings, probe, org, make_org):
    plugin_settings.save(accord_settings.secret_key, probe, org, {"region": "us"})
    assert plugin_settings.get(make_org("globex"), "probe")["region"] == "eu"


@pytest.mark.parametrize(
    "plugin, key, value",
    [
        ("complaints", "acknowledge_days", "-3"),
        ("satisfaction", "share_percent", "150"),
        ("satisfaction", "low_score", "0"),
        ("problems", "similarity_threshold", "101"),
        ("contacts", "default_region", "ZZ"),
        ("incidents", "smtp_port", "99999"),
        ("incidents", "reopen_days", ""),
    ],
)
def test_the_built_in_plugins_settings_refuse_values_outside_their_range(
    accord_host, plugin, key, value
):
    field = plugin_settings.field_for(accord_host.manifest(plugin).setting(key))
    with pytest.raises(ValidationError):
        field.clean(value)


# ---- enabling ---------------------------------------------------------------------------


def test_enabling_is_refused_until_required_settings_are_set(accord_host, org):
    with pytest.raises(SettingsRequired, match="^set API token first$"):
        enable(accord_host, org, "probe")
    assert "probe" not in enabled_plugins(accord_host, org)


def test_enabling_works_once_required_settings_are_set(accord_host, accord_settings, probe, org):
    set_token(accord_settings, probe, org)
    assert enable(accord_host, org, "probe") == ["probe"]


def test_enabling_a_plugin_names_the_settings_its_dependency_lacks(accord_host, org):
    with pytest.raises(SettingsRequired, match="set API token of Probe first"):
        enable(accord_host, org, "probe_reports")
    assert not PluginEnablement.select().exists()


# ---- the settings page ------------------------------------------------------------------


def test_the_settings_page_is_a_form_built_from_the_manifest(signed_in, org):
    page = signed_in("admin").get(settings_url(org))
    assert page.status_code == 200
    for fragment in (
        'type="password" value="" id="f-api_token"',
        '<option value="us">',
        'value="50"',
    ):
        assert fragment in page.text
    assert "Where events are posted." in page.text


def test_the_settings_page_says_whom_they_apply_to_without_repeating_the_plugin(signed_in, org):
    page = signed_in("admin").get(settings_url(org)).text
    assert (
        "<h1>Probe settings</h1>" in page
        and "These settings apply to Acme Council ICT only." in page
    )
    assert "Settings of" not in page


def test_htmx_gets_only_the_form(signed_in, org):
    page = signed_in("admin").get(settings_url(org), headers=HTMX_HEADERS)
    assert "<form" in page.text and "<html" not in page.text


def test_only_admins_open_the_settings_page(signed_in, org):
    assert signed_in("manager").get(settings_url(org)).status_code == 403


def test_a_plugin_without_settings_has_no_settings_page(signed_in, org):
    assert signed_in("admin").get(settings_url(org, "probe_reports")).status_code == 404


def test_invalid_values_are_refused_with_422_and_the_input_kept(signed_in, org):
    client = signed_in("admin")
    response = save_form(client, org, api_token=TOKEN, batch_size="lots", webhook="ftp://x")
    assert response.status_code == 422
    assert "Enter a whole number" in response.text and 'value="lots"' in response.text
    assert "Enter a web address" in response.text
    assert TOKEN not in response.text  # not even the secret just typed
    assert not PluginSetting.select().exists()


def test_a_missing_required_secret_is_an_error(signed_in, org):
    response = save_form(signed_in("admin"), org, batch_size="5")
    assert response.status_code == 422 and "Enter API token." in response.text


def test_the_manifest_declares_an_integers_bounds(probe):
    assert (probe.setting("batch_size").min, probe.setting("batch_size").max) == (1, 500)
    assert (probe.setting("retries").min, probe.setting("retries").max) == (0, None)


@pytest.mark.parametrize(
    "batch_size, message",
    [
        ("0", "Enter a whole number from 1 to 500."),
        ("501", "Enter a whole number from 1 to 500."),
        ("-3", "Enter a whole number from 1 to 500."),
    ],
)
def test_an_integer_outside_its_bounds_is_refused_with_the_input_kept(
    signed_in, org, batch_size, message
):
    response = save_form(signed_in("admin"), org, api_token=TOKEN, batch_size=batch_size)
    assert response.status_code == 422
    assert message in response.text and f'value="{batch_size}"' in response.text
    assert not PluginSetting.select().exists()


def test_a_required_integer_left_empty_is_an_error_not_the_default(signed_in, org):
    response = save_form(signed_in("admin"), org, api_token=TOKEN, batch_size="")
    assert response.status_code == 422
    assert "Enter a whole number from 1 to 500." in response.text
    assert not PluginSetting.select().exists()


def test_a_choice_outside_its_choices_is_refused(signed_in, org):
    response = save_form(signed_in("admin"), org, api_token=TOKEN, batch_size="5", region="zz")
    assert response.status_code == 422
    assert "Choose one of the options for region." in response.text


def test_saving_stores_the_values(bound, signed_in, org):
    response = save_form(
        signed_in("admin"), org, api_token=TOKEN, region="us", batch_size="7", notify="on"
    )
    assert response.status_code == 303
    values = plugin_settings.get(org, "probe")
    assert (values["api_token"], values["region"], values["batch_size"]) == (TOKEN, "us", 7)
    assert values["notify"] is True


def test_a_stored_secret_is_shown_as_set_never_in_full(accord_settings, probe, signed_in, org):
    set_token(accord_settings, probe, org)
    page = signed_in("admin").get(settings_url(org)).text
    assert "•••• (set)" in page and TOKEN not in page and TOKEN[-4:] not in page


def test_an_empty_secret_input_keeps_the_stored_secret(
    bound, accord_settings, probe, signed_in, org
):
    set_token(accord_settings, probe, org)
    assert save_form(signed_in("admin"), org, region="us", batch_size="50").status_code == 303
    assert plugin_settings.get(org, "probe")["api_token"] == TOKEN


def test_the_clear_box_removes_a_stored_secret(bound, accord_settings, probe, signed_in, org):
    set_token(accord_settings, probe, org)
    plugin_settings.save(accord_settings.secret_key, probe, org, {"signing_key": "k1"})
    client = signed_in("admin")
    response = save_form(client, org, region="eu", batch_size="50", **{"signing_key-clear": "on"})
    assert response.status_code == 303
    assert plugin_settings.get(org, "probe")["signing_key"] is None


def test_a_required_secret_cannot_be_cleared(accord_settings, probe, signed_in, org):
    set_token(accord_settings, probe, org)
    client = signed_in("admin")
    response = save_form(client, org, region="eu", batch_size="50", **{"api_token-clear": "on"})
    assert response.status_code == 422 and "API token is required" in response.text


def test_changes_are_audited_without_secret_values(signed_in, org):
    save_form(signed_in("admin"), org, api_token=TOKEN, region="us", batch_size="50")
    entry = AuditEntry.get(AuditEntry.action == "plugin.settings")
    assert entry.changes == {"api_token": "secret changed", "region": ["eu", "us"]}
    assert entry.plugin == "probe" and TOKEN not in json.dumps(entry.changes)


def test_the_plugins_page_links_to_the_settings(accord_settings, probe, signed_in, org):
    set_token(accord_settings, probe, org)
    page = signed_in("admin").get(f"/o/{org.slug}/settings/plugins").text
    assert f'href="{settings_url(org)}">Settings</a>' in page


def test_the_plugins_page_says_configure_first_instead_of_enable(signed_in, org):
    page = signed_in("admin").get(f"/o/{org.slug}/settings/plugins").text
    row = page.split('id="plugin-probe"')[1].split("</tr>")[0]
    assert "Configure first" in row and "settings/plugins/probe/enable" not in row


def test_enabling_from_the_page_without_settings_says_what_to_set(signed_in, org):
    client = signed_in("admin")
    plugins_url = f"/o/{org.slug}/settings/plugins"
    response = post_form(client, f"{plugins_url}/probe/enable", token_from=plugins_url)
    assert response.status_code == 303
    assert "set API token first" in client.get(plugins_url).text


# ---- the command line -------------------------------------------------------------------


@pytest.fixture
def accord(accord_settings, accord_db, accord_extra_modules, tmp_path, org):
    config = tmp_path / "accord.toml"
    builtin = [*accord_settings.get("plugins", "builtin"), *accord_extra_modules]
    config.write_text(f"[plugins]\nbuiltin = {json.dumps(builtin)}\n")
    env = {
        "ACCORD_HOME": str(accord_settings.home),
        "ACCORD_CONFIG": str(config),
        "ACCORD_DATABASE_URL": accord_settings.database_url,
        "ACCORD_SECRET_KEY": accord_settings.secret_key,
        "ACCORD_SAFE_MODE": "1",
    }

    def run(*args):
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


def test_the_cli_shows_settings_with_secrets_masked(accord, accord_settings, probe, org):
    set_token(accord_settings, probe, org)
    result = accord("plugins", "settings", "probe", "--org", "acme", "--json")
    assert result.exit_code == 0, result.output
    rows = {row["key"]: row for row in json.loads(result.output)}
    assert rows["api_token"]["value"] == "•••• (set)" and TOKEN not in result.output
    assert (rows["region"]["value"], rows["region"]["source"]) == ("eu", "default")


def test_the_cli_sets_values_then_the_plugin_can_be_enabled(accord, accord_host, org):
    args = ("plugins", "settings", "probe", "--org", "acme")
    result = accord(*args, "--set", f"api_token={TOKEN}", "--set", "notify=yes")
    assert result.exit_code == 0, result.output
    assert TOKEN not in result.output
    assert accord("plugins", "enable", "probe", "--org", "acme").exit_code == 0


def test_the_cli_refuses_invalid_values_and_changes_nothing(accord):
    args = ("plugins", "settings", "probe", "--org", "acme")
    result = accord(*args, "--set", "batch_size=lots", "--set", "colour=red")
    assert result.exit_code == 1
    assert "batch_size: Enter a whole number" in result.output and "'colour=red'" in result.output
    assert not PluginSetting.select().exists()


def test_the_cli_enable_says_which_settings_are_missing(accord):
    result = accord("plugins", "enable", "probe", "--org", "acme")
    assert result.exit_code == 1 and "set API token first" in result.output


def test_the_cli_refuses_a_value_outside_the_bounds(accord):
    args = ("plugins", "settings", "probe", "--org", "acme")
    result = accord(*args, "--set", "batch_size=9999")
    assert (
        result.exit_code == 1 and "batch_size: Enter a whole number from 1 to 500." in result.output
    )
    assert not PluginSetting.select().exists()
