"""Commands for plugins: list, enable, disable, settings, doctor."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
import pluggy
from rich.table import Table

from .. import accounts, enablement, plugin_settings
from ..components.fields import ValidationError
from ..db import database
from ..manifest import Manifest
from ..models import Organisation
from ..plugin_settings import PluginSetting
from ..schema import pending
from ..templating import plugin_template_dirs, template_collisions
from .base import Env, InstanceError, clean_errors, cli, console, one_line, pass_env


@cli.group()
def plugins() -> None:
    """Installed plugins and where they are enabled."""


def hook_order(pm: pluggy.PluginManager) -> dict[str, list[dict[str, Any]]]:
    """Every hook with its implementations in the order pluggy calls them.

    pluggy calls ``get_hookimpls()`` from the end: wrappers first, then
    ``tryfirst``, then the others last-registered first, ``trylast`` at the end.
    """
    order: dict[str, list[dict[str, Any]]] = {}
    for name, caller in sorted(vars(pm.hook).items()):
        order[name] = [
            {
                "plugin": impl.plugin_name,
                "flags": [
                    flag
                    for flag in ("wrapper", "hookwrapper", "tryfirst", "trylast", "optionalhook")
                    if getattr(impl, flag, False)
                ],
            }
            for impl in reversed(caller.get_hookimpls())
        ]
    return order


def _print_hooks(order: dict[str, list[dict[str, Any]]], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(order, indent=2))
        return
    table = Table("hook", "implementations, in the order they run")
    for name, impls in order.items():
        called = [
            impl["plugin"] + (f" ({', '.join(impl['flags'])})" if impl["flags"] else "")
            for impl in impls
        ]
        table.add_row(name, " → ".join(called) or "—")
    console.print(table)


@plugins.command("list")
@click.option("--org", "org_slug", help="Show whether each plugin is enabled there.")
@click.option("--hooks", is_flag=True, help="Show each hook's implementations in call order.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def plugins_list(env: Env, org_slug: str | None, hooks: bool, as_json: bool) -> None:
    """List plugins, loaded and quarantined, with the reason a plugin did not load."""
    host = env.host
    if hooks:
        _print_hooks(hook_order(host.pm), as_json)
        return
    enabled: frozenset[str] | None = None
    if org_slug:
        with env.db():
            enabled = enablement.enabled_plugins(host, accounts.get_org(org_slug))
    rows: list[dict[str, Any]] = []
    for info in host.plugins.values():
        m = info.manifest
        rows.append(
            {
                "id": info.id,
                "title": m.title if m else "",
                "version": m.version if m else "",
                "status": info.status,
                "reason": info.reason,
                "warning": info.warning,
                "source": info.source,
                "depends": list(m.depends) if m else [],
                "always_on": bool(m and m.always_on),
                **({"enabled": info.id in enabled} if enabled is not None else {}),
            }
        )
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table(
        "id", "version", "status", "needs", *(["enabled"] if enabled is not None else []), "notes"
    )
    for row in rows:
        extra = ["yes" if row.get("enabled") else "no"] if enabled is not None else []
        note = (
            row["reason"]
            or row["warning"]
            or ("core, always on" if row["always_on"] else row["source"])
        )
        table.add_row(
            row["id"], row["version"], row["status"], ", ".join(row["depends"]), *extra, note
        )
    console.print(table)


@plugins.command("enable")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@pass_env
@clean_errors
def plugins_enable(env: Env, plugin_id: str, org_slug: str) -> None:
    """Enable a plugin (and what it needs) for an organisation."""
    with env.db():
        added = enablement.enable(env.host, accounts.get_org(org_slug), plugin_id)
    if not added:
        click.echo(f"plugin {plugin_id} is already enabled for org {org_slug}; nothing to enable.")
    for pid in added:
        why = "" if pid == plugin_id else f" (needed by {plugin_id})"
        click.echo(f"enabled {pid} for {org_slug}{why}")


@plugins.command("disable")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@pass_env
@clean_errors
def plugins_disable(env: Env, plugin_id: str, org_slug: str) -> None:
    """Disable a plugin for an organisation; its data is kept."""
    with env.db():
        was_on = enablement.disable(env.host, accounts.get_org(org_slug), plugin_id)
    if not was_on:
        click.echo(f"plugin {plugin_id} is not enabled for org {org_slug}; nothing to disable.")
        return
    click.echo(f"disabled {plugin_id} for {org_slug} (its data is kept)")


def _loaded_manifest(env: Env, plugin_id: str) -> Manifest:
    info = env.host.plugins.get(plugin_id)
    if info is None:
        raise click.ClickException(f"there is no plugin {plugin_id!r}")
    if not info.loaded:
        raise click.ClickException(f"plugin {plugin_id} is not loaded: {info.reason}")
    return env.host.manifest(plugin_id)


BOOLEANS = {"true": True, "yes": True, "on": True, "1": True}
BOOLEANS |= {"false": False, "no": False, "off": False, "0": False}


def _parse(manifest: Manifest, pairs: tuple[str, ...]) -> tuple[dict[str, Any], set[str]]:
    """``key=value`` texts as cleaned values and secrets to clear; one error lists every mistake."""
    values: dict[str, Any] = {}
    clear: set[str] = set()
    errors: list[str] = []
    for pair in pairs:
        key, sep, text = pair.partition("=")
        spec = manifest.setting(key.strip())
        if not sep or spec is None:
            known = ", ".join(s.key for s in manifest.settings)
            errors.append(f"{pair!r}: expected KEY=VALUE with a key among {known}")
        elif spec.type == "boolean":
            if text.strip().lower() in BOOLEANS:
                values[spec.key] = BOOLEANS[text.strip().lower()]
            else:
                errors.append(f"{spec.key}: enter true or false")
        elif spec.secret and not text:
            if spec.required:
                errors.append(f"{spec.key}: it is required; set a new value instead")
            clear.add(spec.key)
        else:
            try:
                values[spec.key] = plugin_settings.field_for(spec).clean(text)
            except ValidationError as exc:
                errors.append(f"{spec.key}: {exc}")
    if errors:
        raise click.ClickException("; ".join(errors))
    return values, clear


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else "" if value is None else json.dumps(value)


@plugins.command("settings")
@click.argument("plugin_id")
@click.option("--org", "org_slug", required=True)
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change a setting (repeatable). KEY= with nothing after clears a secret.",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def plugins_settings(
    env: Env, plugin_id: str, org_slug: str, assignments: tuple[str, ...], as_json: bool
) -> None:
    """Show a plugin's settings in an organisation (secrets masked), or change them."""
    manifest = _loaded_manifest(env, plugin_id)
    if not manifest.settings:
        raise click.ClickException(f"plugin {plugin_id} has no settings")
    values, clear = _parse(manifest, assignments)
    with env.db():
        org = accounts.get_org(org_slug)
        if values or clear:
            with database.atomic():
                plugin_settings.save(env.secret_key, manifest, org, values, clear=clear)
        rows = plugin_settings.shown(manifest, org)
        unset = {spec.key for spec in plugin_settings.missing(manifest, org)}
    rows = [{**row, "missing": row["key"] in unset} for row in rows]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    table = Table("key", "label", "type", "value", "from")
    for row in rows:
        value = "(required, not set)" if row["missing"] else _shown(row["value"])
        table.add_row(row["key"], row["label"], row["type"], value, row["source"])
    console.print(table)


def _settings_problems(env: Env) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Required settings missing where their plugin is on; secrets this key cannot read."""
    host, key, unset, unreadable = env.host, env.settings.secret_key, [], []
    for org in Organisation.select().order_by(Organisation.slug):
        for pid in sorted(enablement.enabled_plugins(host, org)):
            specs = plugin_settings.missing(host.manifest(pid), org)
            if specs:
                unset.append({"org": org.slug, "plugin": pid, "settings": [s.key for s in specs]})
    for row in PluginSetting.select().order_by(PluginSetting.plugin, PluginSetting.key):
        info = host.plugins.get(row.plugin)
        spec = info.manifest.setting(row.key) if info and info.loaded and info.manifest else None
        # Without a key (none made yet) there is nothing to try the secrets with.
        if key and spec and spec.secret and plugin_settings.decrypt(key, row) is None:
            unreadable.append({"org": row.org.slug, "plugin": row.plugin, "setting": row.key})
    return unset, unreadable


def diagnose(env: Env) -> dict[str, Any]:
    """What ``doctor`` finds: ``problems`` make it fail, ``warnings`` do not."""
    host = env.host
    report: dict[str, Any] = {
        "quarantined": [
            {"id": i.id, "source": i.source, "reason": i.reason} for i in host.quarantined()
        ],
        "template_collisions": [],
        "template_overrides": [],
        "pending_migrations": [],
        "missing_settings": [],
        "unreadable_secrets": [],
    }
    problems = [f"plugin {q['id']} not loaded: {q['reason']}" for q in report["quarantined"]]
    warned: list[str] = []
    for found in template_collisions(plugin_template_dirs(host)):
        entry = {"template": found.name, "used": found.used, "shadowed": found.shadowed}
        if found.overrides_shell:  # deliberate theming is allowed, but said out loud
            report["template_overrides"].append(entry)
            warned.append(f"template {found}")
        else:
            report["template_collisions"].append(entry)
            problems.append(f"template {found}")
    try:
        with env.db(migrated=False):
            report["pending_migrations"] = [item.label for item in pending(host)]
            if PluginSetting.table_exists():
                report["missing_settings"], report["unreadable_secrets"] = _settings_problems(env)
    except InstanceError as exc:
        problems.append(str(exc))
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        problems.append(f"database error: {one_line(exc)}")
    if report["pending_migrations"]:
        labels = ", ".join(report["pending_migrations"])
        problems.append(f"migrations pending: {labels}; run `accord migrate`")
    problems += [
        f"{m['org']}: plugin {m['plugin']} is on without its required {', '.join(m['settings'])}"
        for m in report["missing_settings"]
    ]
    problems += [
        f"{u['org']}: secret {u['setting']} of plugin {u['plugin']} cannot be decrypted "
        "(was the secret key changed?)"
        for u in report["unreadable_secrets"]
    ]
    report["problems"], report["warnings"] = problems, warned
    return report


@plugins.command("doctor")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@pass_env
@clean_errors
def plugins_doctor(env: Env, as_json: bool) -> None:
    """Check plugins: quarantine, migrations, template collisions, settings. Exit 1 on a problem."""
    report = diagnose(env)
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        for line in report["problems"]:
            click.echo(f"problem: {line}")
        for line in report["warnings"]:
            click.echo(f"warning: {line}")
        count = len(report["problems"])
        click.echo("No problems found." if not count else f"{count} problem(s).")
    if report["problems"]:
        sys.exit(1)
