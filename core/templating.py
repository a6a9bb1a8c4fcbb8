"""Jinja2 for every plugin: one base layout, namespaced plugin templates, fragments."""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from jinja2_fragments import render_block
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse

from . import csrf, history, htmx, notifications, submissions
from .clock import local_time
from .slots import render_slot

if TYPE_CHECKING:
    from .context import RequestContext
    from .host import PluginHost
    from .types import MenuItem


log = logging.getLogger("accord.templates")
SHELL = "shell"


def web_dir() -> Path:
    """The installed ``web/`` folder (templates and static files of the shell)."""
    return Path(str(resources.files("accord.web")))


@dataclass(frozen=True)
class TemplateCollision:
    """Template ``name`` is provided by ``used`` and also by ``shadowed``, which never renders.

    ``used`` is the plugin loaded first; ``shadowed`` is a later plugin, or ``"shell"``
    when a plugin overrides one of ``web/templates`` (reachable as ``default:<name>``).
    """

    name: str
    used: str
    shadowed: str

    @property
    def overrides_shell(self) -> bool:
        return self.shadowed == SHELL

    def __str__(self) -> str:
        if self.overrides_shell:
            return f"{self.name}: plugin {self.used} overrides the shell's template"
        return f"{self.name}: plugin {self.used}'s template hides plugin {self.shadowed}'s"


def _names(folder: Path) -> list[str]:
    if not folder.is_dir():
        return []
    return sorted(
        path.relative_to(folder).as_posix() for path in folder.rglob("*") if path.is_file()
    )


def template_collisions(
    template_dirs: list[tuple[str, Path]], shell: Path | None = None
) -> list[TemplateCollision]:
    """Templates of ``(plugin, folder)`` pairs (in load order) that another one hides."""
    owner: dict[str, str] = {}
    found: list[TemplateCollision] = []
    for plugin_id, folder in template_dirs:
        for name in _names(folder):
            if name in owner:
                found.append(TemplateCollision(name, owner[name], plugin_id))
            else:
                owner[name] = plugin_id
    shell_names = set(_names(shell or web_dir() / "templates"))
    found += [TemplateCollision(n, pid, SHELL) for n, pid in owner.items() if n in shell_names]
    return found


def plugin_template_dirs(host: PluginHost) -> list[tuple[str, Path]]:
    """``(plugin, folder)`` in load order: the order the loader searches them."""
    # Hooks answer last-registered first (pluggy is LIFO); the first-loaded plugin wins instead.
    rank = {pid: i for i, pid in enumerate(host.order)}
    return sorted(
        ((pid, Path(folder)) for pid, folder in host.impls_by_plugin("register_template_dir")),
        key=lambda item: rank.get(item[0], len(rank)),
    )


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept for the process, shared by every environment it builds.

    Each app compiles its templates afresh; a process that builds many apps (the
    test suite builds one per test) spent a fifth of its time in Jinja's
    compiler. Jinja checks each entry against its source's checksum, so an
    edited template is compiled anew.
    """

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def build_environment(host: PluginHost, *, reload: bool = False) -> jinja2.Environment:
    """Plugin template folders first, then ``web/templates``; ``default:`` reaches the latter.

    Where two plugins provide the same template name the first loaded wins and
    each collision is logged; ``env.globals["template_collisions"]`` lists them
    for Settings → Plugins (``accord plugins doctor`` finds them without an app).

    Templates are loaded once per process unless ``reload`` (``[server]
    reload_templates``): checking every file of a page for changes (a ``stat``
    per template, extends and includes counted) was a tenth of a list page's time.
    """
    shell = jinja2.FileSystemLoader(str(web_dir() / "templates"))
    dirs = plugin_template_dirs(host)
    plugin_dirs = [str(folder) for _, folder in dirs]
    collisions = template_collisions(dirs)
    for collision in collisions:
        log.warning("template %s", collision)
    loader = jinja2.ChoiceLoader(
        [
            jinja2.PrefixLoader({"default": shell}, delimiter=":"),
            jinja2.FileSystemLoader(plugin_dirs),
            shell,
        ]
    )
    env = jinja2.Environment(
        loader=loader,
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        bytecode_cache=_COMPILED,
        auto_reload=reload,
    )
    env.filters["datetime"] = local_datetime
    env.globals["history"] = page_history
    env.globals["template_collisions"] = tuple(collisions)
    return env


@jinja2.pass_context
def local_datetime(context: Any, moment: datetime.datetime | None) -> str:
    """A stored (naive UTC) moment in the page's organisation's time zone: 2026-03-31 14:30 BST."""
    return local_time(context.get("org"), moment)


@jinja2.pass_context
def page_history(context: Any, entries: Any, **options: Any) -> list[history.Story]:
    """Audit entries in words for a template: ``{% for story in history(entries) %}``."""
    return history.describe(list(entries), context.get("org"), **options)


def menu_sections(ctx: RequestContext) -> list[tuple[str, list[MenuItem]]]:
    items: list[MenuItem] = [
        item for batch in ctx.hooks.register_menu_items(ctx=ctx) for item in batch or []
    ]
    sections: dict[str, list[MenuItem]] = defaultdict(list)
    for item in sorted(items, key=lambda i: (i.order, i.label)):
        sections[item.section].append(item)
    return list(sections.items())


def current_menu_url(menu: list[tuple[str, list[MenuItem]]], path: str) -> str | None:
    """The menu entry the page belongs to: the longest whose address starts the path.

    So ``/complaints/report`` marks "Complaints report", not "Complaints" too.
    """
    urls = [item.url for _, items in menu for item in items if path.startswith(item.url)]
    return max(urls, key=len, default=None)


class FormTokens:
    """``{{ csrf_input }}``: the CSRF token, and a new submission id each time it is written.

    Each form on a page gets its own id, so sending one never makes another
    look already sent.
    """

    def __init__(self, token: str) -> None:
        self.token = token

    def __html__(self) -> str:
        return (
            f'<input type="hidden" name="csrf_token" value="{self.token}">'
            f'<input type="hidden" name="{submissions.FIELD}" value="{submissions.new_id()}">'
        )

    __str__ = __html__


def page_context(request: Request, context: dict[str, Any], *, full: bool) -> dict[str, Any]:
    ctx = getattr(request.state, "ctx", None)
    token = csrf.token_for(request)
    base: dict[str, Any] = {
        "request": request,
        "ctx": ctx,
        "org": ctx.org if ctx else None,
        "user": ctx.user if ctx else None,
        "csrf_token": token,
        "csrf_input": FormTokens(token),
        "url": (ctx.url if ctx else lambda name, **p: str(request.url_for(name, **p).path)),
        "static": lambda path: f"/static/{path}",
        "menu": [],
        "menu_current": None,
        "bell": None,
        "flashes": [],
        "slot": lambda name, **values: render_slot(ctx, name, **values),
    }
    if full and ctx is not None and ctx.org is not None:
        base["menu"] = menu_sections(ctx)
        base["menu_current"] = current_menu_url(base["menu"], request.url.path)
        base["bell"] = notification_bell(ctx)
    if full and ctx is not None and ctx.session is not None:
        base["flashes"] = pop_flashes(ctx)
    base.update(context)
    return base


def notification_bell(ctx: RequestContext) -> dict[str, Any] | None:
    """The header's bell: the notifications page and the unread count (no page: no bell)."""
    if ctx.user is None or "notifications:index" not in ctx.request.app.state.accord.routes_by_name:
        return None
    unread = notifications.unread_count(ctx.org, ctx.user)
    return {
        "url": ctx.url("notifications:index"),
        "unread": unread,
        "shown": notifications.shown(unread),
    }


def flash(request: Request, message: str, kind: str = "success") -> None:
    """Show ``message`` on the next full page this browser renders."""
    session = request.state.ctx.session
    session.data = {**session.data, "flash": [*session.data.get("flash", []), [kind, message]]}
    session.save(only=["data"])


def pop_flashes(ctx: RequestContext) -> list[tuple[str, str]]:
    session = ctx.session
    assert session is not None
    messages = session.data.get("flash", [])
    if messages:
        session.data = {k: v for k, v in session.data.items() if k != "flash"}
        session.save(only=["data"])
    return [tuple(m) for m in messages]


def render_to_string(
    request: Request, template: str, context: dict[str, Any] | None = None
) -> Markup:
    """Render ``template`` to markup for a widget or slot (no menu, flashes untouched)."""
    env: jinja2.Environment = request.app.state.accord.templates
    values = page_context(request, context or {}, full=False)
    return Markup(env.get_template(template).render(**values))


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render ``template``, or only its ``block`` when htmx asked for a fragment."""
    env: jinja2.Environment = request.app.state.accord.templates
    fragment = block is not None and htmx.wants_fragment(request)
    values = page_context(request, context or {}, full=not fragment)
    if fragment:
        html = render_block(env, template, block, **values)
    else:
        html = env.get_template(template).render(**values)
    response = HTMLResponse(html, status_code=status_code, headers=headers)
    return htmx.add_vary(response)  # type: ignore[return-value]
