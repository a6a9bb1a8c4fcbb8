"""A plugin's settings in the organisation: a form built from the plugin's manifest.

Secrets are never sent back to the browser: their input is always empty,
an empty input keeps what is stored, and a "clear" box removes it.
"""

from __future__ import annotations

from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from accord import Form, flash, form_data, forms, plugin_settings, redirect, render_form
from accord.manifest import Manifest

CLEAR = "-clear"  # a suffix no setting key can have, so the box never clashes with a setting


def _manifest(request: Request) -> Manifest:
    host = request.app.state.accord.host
    info = host.plugins.get(request.path_params["plugin"])
    if info is None or not info.loaded or not host.manifest(info.id).settings:
        raise HTTPException(404)
    return host.manifest(info.id)


def _form_class(manifest: Manifest) -> type[Form]:
    declared: dict[str, Any] = {}
    for spec in manifest.settings:
        declared[spec.key] = plugin_settings.field_for(spec)
        if spec.secret:
            declared[spec.key + CLEAR] = forms.Checkbox(f"Clear the stored {_lower(spec.label)}")
    return type(f"{manifest.id.title()}SettingsForm", (Form,), declared)


def _lower(label: str) -> str:
    """ "Signing key" reads "signing key" mid-sentence; "API token" stays as it is."""
    return label if label[:2].isupper() else label[:1].lower() + label[1:]


def _fit_secrets(form: Form, manifest: Manifest, stored: set[str]) -> None:
    """A stored secret is optional (empty keeps it) and shows only that it is set."""
    for spec in manifest.settings:
        if not spec.secret:
            continue
        if spec.key in stored:
            field = form.fields[spec.key]
            field.required = False
            field.hint = " ".join(
                [f"{plugin_settings.MASK}. Leave empty to keep it.", spec.help]
            ).strip()
        else:
            del form.fields[spec.key + CLEAR]


def _check_secrets(form: Form, manifest: Manifest, stored: set[str]) -> set[str]:
    """The secrets to clear; errors when that is contradictory or not allowed."""
    clear = set()
    for spec in manifest.settings:
        if not spec.secret or spec.key not in stored or not form.cleaned.get(spec.key + CLEAR):
            continue
        if form.cleaned.get(spec.key):
            form.add_error(spec.key, "Enter a new value or clear it, not both.")
        elif spec.required:
            form.add_error(spec.key + CLEAR, f"{spec.label} is required: enter a new value.")
        else:
            clear.add(spec.key)
    return clear


def _check_with_plugins(request: Request, form: Form, manifest: Manifest) -> None:
    """What the plugins say is wrong with the values (``check_plugin_settings``)."""
    state = request.app.state.accord
    values = {spec.key: form.cleaned.get(spec.key) for spec in manifest.settings}
    for problems in state.host.hook.check_plugin_settings(
        settings=state.settings, org=request.state.ctx.org, plugin_id=manifest.id, values=values
    ):
        for key, message in (problems or {}).items():
            if key in form.fields:
                form.add_error(key, message)


def _page(request: Request, form: Form, manifest: Manifest) -> Response:
    ctx = request.state.ctx
    return render_form(
        request,
        form,
        title=f"{manifest.title} settings",
        action=ctx.url("settings:plugin_settings", plugin=manifest.id),
        cancel_url=ctx.url("settings:plugins"),
        template="settings/plugin_settings.html",
        context={"manifest": manifest},
    )


def edit(request: Request) -> Response:
    """GET the form with the current values; POST validates and saves (422 with input kept)."""
    manifest = _manifest(request)
    ctx = request.state.ctx
    stored = set(plugin_settings.stored(ctx.org, manifest.id))
    form_class = _form_class(manifest)
    if request.method == "GET":
        initial = {row["key"]: row["value"] for row in plugin_settings.shown(manifest, ctx.org)}
        form = form_class(initial=initial)
        _fit_secrets(form, manifest, stored)
        return _page(request, form, manifest)
    form = form_class(form_data(request))
    _fit_secrets(form, manifest, stored)
    clear = _check_secrets(form, manifest, stored) if form.is_valid() else set()
    if not form.errors:
        _check_with_plugins(request, form, manifest)
    if form.errors:
        for spec in manifest.settings:
            if spec.secret:  # never echo a secret, not even the one just typed
                form.values[spec.key] = ""
        return _page(request, form, manifest)
    values = {spec.key: form.cleaned[spec.key] for spec in manifest.settings}
    secret_key = request.app.state.accord.settings.secret_key
    changes = plugin_settings.save(secret_key, manifest, ctx.org, values, clear=clear)
    flash(request, f"{manifest.title} settings saved." if changes else "Nothing was changed.")
    return redirect(request, ctx.url("settings:plugins"))
