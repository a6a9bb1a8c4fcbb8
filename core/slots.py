"""Named slots on pages that other plugins fill with fragments."""

from __future__ import annotations

import logging
from typing import Any

from markupsafe import Markup, escape

from .context import RequestContext

log = logging.getLogger("accord.slots")


def render_slot(ctx: RequestContext | None, name: str, **context: Any) -> Markup:
    """Every enabled plugin's fragment for slot ``name``, in load order.

    One plugin failing costs only its own fragment: users see nothing there,
    admins a placeholder naming the plugin, and the error is logged.
    """
    if ctx is None or ctx.hooks is None:
        return Markup("")
    parts: list[str] = []
    for impl in reversed(ctx.hooks.fill_slot.get_hookimpls()):
        try:
            html = impl.function(ctx=ctx, slot=name, context=context)
        except Exception:  # a plugin's bug must not take the page down
            log.exception("plugin %s failed to fill slot %s", impl.plugin_name, name)
            if ctx.role == "admin":
                parts.append(
                    f'<p class="slot-error badge badge-danger">{escape(impl.plugin_name)}'
                    f" could not show its part here; see the server log.</p>"
                )
            continue
        if html:
            parts.append(str(html))
    return Markup("".join(parts))
