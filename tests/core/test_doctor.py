"""Seeing what the plugins do: template collisions, hook order, ``accord plugins doctor``."""

from __future__ import annotations

import json
import logging
import sys
import textwrap

import pytest
from click.testing import CliRunner

from accord import hookimpl, plugin_settings
from accord.cli import cli
from accord.cli.plugins import hook_order
from accord.models import PluginEnablement
from accord.templating import build_environment, template_collisions
from accord.testing import manifest


def write_templates(folder, templates):
    for name, text in templates.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return folder


class Templates:
    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def register_template_dir(self):
        return self.folder


# ---- template collisions ----------------------------------------------------------------


def test_a_template_two_plugins_provide_is_a_collision(tmp_path):
    first = write_templates(tmp_path / "a", {"shared/page.html": "a"})
    second = write_templates(tmp_path / "b", {"shared/page.html": "b", "b/own.html": "b"})
    [found] = template_collisions([("alpha", first), ("beta", second)], shell=tmp_path / "none")
    assert (found.name, found.used, found.shadowed) == ("shared/page.html", "alpha", "beta")


def test_a_plugin_template_named_like_a_shell_template_is_an_override(tmp_path):
    shell = write_templates(tmp_path / "shell", {"base.html": "shell"})
    plugin = write_templates(tmp_path / "a", {"base.html": "mine"})
    [found] = template_collisions([("alpha", plugin)], shell=shell)
    assert (
        found.overrides_shell
        and str(found) == "base.html: plugin alpha overrides the shell's template"
    )


@pytest.fixture
def colliding(tmp_path, accord_plugins):
    """Plugins alpha and beta both provide ``x/p.html``; pluggy would answer beta first."""
    for plugin_id in ("beta", "alpha"):
        folder = write_templates(tmp_path / plugin_id, {"x/p.html": plugin_id})
        accord_plugins.append((Templates(folder), manifest(plugin_id)))


def test_the_first_loaded_plugins_template_is_used_and_the_collision_logged(
    colliding, accord_host, caplog
):
    with caplog.at_level(logging.WARNING, logger="accord.templates"):
        env = build_environment(accord_host)
    assert env.get_template("x/p.html").render() == "alpha"
    assert "x/p.html: plugin alpha's template hides plugin beta's" in caplog.text
    assert [c.shadowed for c in env.globals["template_collisions"]] == ["beta"]


def test_the_plugins_page_lists_template_collisions(colliding, signed_in, org):
    page = signed_in("admin").get(f"/o/{org.slug}/settings/plugins").text
    assert "Templates that hide others" in page and "<code>x/p.html</code>" in page


# ---- hook order -------------------------------------------------------------------------


def recorder(name, calls, **marks):
    class Plugin:
        @hookimpl(**marks)
        def startup(self, settings):
            calls.append(name)

    return Plugin()


@pytest.fixture
def calls(accord_plugins):
    """Four plugins implementing ``startup``; each call is recorded in order."""
    made: list[str] = []
    marks = {"alpha": {"tryfirst": True}, "delta": {"trylast": True}}
    for plugin_id in ("alpha", "beta", "gamma", "delta"):
        accord_plugins.append(
            (recorder(plugin_id, made, **marks.get(plugin_id, {})), manifest(plugin_id))
        )
    return made


def test_hooks_are_listed_in_the_order_they_actually_run(calls, accord_host, accord_settings):
    accord_host.hook.startup(settings=accord_settings)
    listed = [
        i
        for i in hook_order(accord_host.pm)["startup"]
        if i["plugin"] in set(calls) | {"alpha", "beta", "gamma", "delta"}
    ]
    assert [impl["plugin"] for impl in listed] == calls == ["alpha", "gamma", "beta", "delta"]
    assert listed[0]["flags"] == ["tryfirst"] and listed[-1]["flags"] == ["trylast"]


# ---- accord plugins list --hooks / doctor -------------------------------------------------


@pytest.fixture
def site(tmp_path, monkeypatch):
    """Write plugin packages that the command line loads through the configuration."""
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    written: list[str] = []

    def write(name, toml="", code="", templates=None, migrations=None):
        package = root / name
        package.mkdir()
        header = (
            f'id = "{name}"\ntitle = "{name.title()}"\nversion = "1.0"\ncore_api = ">=1.0,<2"\n'
        )
        (package / "plugin.toml").write_text(header + textwrap.dedent(toml))
        (package / "__init__.py").write_text(
            "from pathlib import Path\nfrom accord import hookimpl\n" + textwrap.dedent(code)
        )
        write_templates(package / "templates", templates or {})
        for file_name, text in (migrations or {}).items():
            (package / "migrations").mkdir(exist_ok=True)
            (package / "migrations" / file_name).write_text(textwrap.dedent(text))
        written.append(name)
        return name

    yield write
    for name in written:
        for module in [m for m in sys.modules if m == name or m.startswith(name + ".")]:
            del sys.modules[module]


@pytest.fixture
def accord(accord_settings, accord_db, tmp_path):
    def run(*args, plugins=(), secret_key=None):
        config = tmp_path / "accord.toml"
        builtin = [*accord_settings.get("plugins", "builtin"), *plugins]
        config.write_text(f"[plugins]\nbuiltin = {json.dumps(builtin)}\n")
        env = {
            "ACCORD_HOME": str(accord_settings.home),
            "ACCORD_CONFIG": str(config),
            "ACCORD_DATABASE_URL": accord_settings.database_url,
            "ACCORD_SECRET_KEY": secret_key or accord_settings.secret_key,
            "ACCORD_SAFE_MODE": "1",
        }
        return CliRunner().invoke(cli, list(args), env=env, catch_exceptions=False)

    return run


TEMPLATE_DIR = """
@hookimpl
def register_template_dir():
    return Path(__file__).parent / "templates"
"""

MIGRATIONS_DIR = """
@hookimpl
def register_migrations():
    return Path(__file__).parent / "migrations"
"""

REQUIRED_TOKEN = """
[settings.token]
type = "secret"
label = "Token"
required = true
"""


def test_list_hooks_shows_each_hook_with_its_implementations_as_json(accord):
    result = accord("plugins", "list", "--hooks", "--json")
    hooks = json.loads(result.output)
    assert hooks["render_error"] == [{"plugin": "errors", "flags": ["trylast"]}]
    assert {"plugin": "catalogue", "flags": []} in hooks["search"]


def test_list_hooks_as_a_table_names_each_hook(accord):
    result = accord("plugins", "list", "--hooks")
    assert result.exit_code == 0 and "render_error" in result.output and "trylast" in result.output


def test_doctor_on_a_healthy_instance_exits_0(accord):
    result = accord("plugins", "doctor")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "No problems found."


def test_doctor_reports_a_quarantined_plugin_and_why(accord, site):
    broken = site("broken", code="raise RuntimeError('no licence file')")
    result = accord("plugins", "doctor", plugins=[broken])
    assert result.exit_code == 1
    assert (
        "problem: plugin broken not loaded: failed to import: RuntimeError: no licence file"
        in result.output
    )


def test_doctor_reports_pending_migrations(accord, site):
    migrating = site(
        "migrating",
        code=MIGRATIONS_DIR,
        migrations={"0001_initial.py": "def up(migrator, db):\n    pass\n"},
    )
    result = accord("plugins", "doctor", "--json", plugins=[migrating])
    assert result.exit_code == 1
    assert json.loads(result.output)["pending_migrations"] == ["migrating:0001_initial"]


def test_doctor_reports_template_collisions(accord, site):
    first = site("first", code=TEMPLATE_DIR, templates={"shared/x.html": "1"})
    second = site("second", code=TEMPLATE_DIR, templates={"shared/x.html": "2"})
    result = accord("plugins", "doctor", "--json", plugins=[first, second])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["template_collisions"] == [
        {"template": "shared/x.html", "used": "first", "shadowed": "second"}
    ]


def test_doctor_only_warns_about_a_plugin_overriding_the_shell(accord, site):
    theme = site("theme", code=TEMPLATE_DIR, templates={"_plain.html": "mine"})
    result = accord("plugins", "doctor", plugins=[theme])
    assert result.exit_code == 0
    assert (
        "warning: template _plain.html: plugin theme overrides the shell's template"
        in result.output
    )


def test_doctor_reports_an_enabled_plugin_without_its_required_settings(accord, site, org):
    # Enabled before an upgrade added a required setting: enabling now would be refused.
    tokened = site("tokened", toml=REQUIRED_TOKEN)
    PluginEnablement.create(org=org, plugin="tokened", enabled=True)
    result = accord("plugins", "doctor", "--json", plugins=[tokened])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["missing_settings"] == [
        {"org": "acme", "plugin": "tokened", "settings": ["token"]}
    ]


def test_doctor_reports_secrets_the_secret_key_cannot_read(accord, site, org, accord_settings):
    tokened = site("tokened", toml=REQUIRED_TOKEN)
    from accord.manifest import read_manifest

    spec = read_manifest("tokened")
    plugin_settings.save(accord_settings.secret_key, spec, org, {"token": "t-1"})
    result = accord("plugins", "doctor", "--json", plugins=[tokened], secret_key="a new key")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["unreadable_secrets"] == [
        {"org": "acme", "plugin": "tokened", "setting": "token"}
    ]
