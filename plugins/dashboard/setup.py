"""The "Getting started" card: every enabled plugin's setup steps, until all are done."""

from __future__ import annotations

from dataclasses import dataclass

from accord import RequestContext, SetupStep, plugin_settings

HIDE = "hide_getting_started"
PERMISSION = "dashboard.setup"


@dataclass(frozen=True)
class Checklist:
    steps: list[SetupStep]

    @property
    def done(self) -> int:
        return sum(step.done for step in self.steps)

    @property
    def finished(self) -> bool:
        return self.done == len(self.steps)


def checklist(ctx: RequestContext) -> Checklist | None:
    """The steps to show, or None: nothing to do, all done, or hidden by an administrator."""
    if plugin_settings.get(ctx.org, "dashboard").get(HIDE):
        return None
    batches = ctx.hooks.register_setup_steps(ctx=ctx)
    steps = sorted((s for batch in batches for s in batch or []), key=lambda s: s.order)
    found = Checklist(steps)
    return None if not steps or found.finished else found
