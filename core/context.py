"""What a request knows once the core has authenticated it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from starlette.requests import Request

    from .host import HookSubset
    from .models import Membership, Organisation, Session, User


@dataclass
class RequestContext:
    """The signed-in user, their organisation and what they may do there.

    Views find it at ``request.state.ctx``; per-request hooks receive it.
    """

    request: Request
    session: Session | None = None
    user: User | None = None
    org: Organisation | None = None
    membership: Membership | None = None
    memberships: list[Membership] = field(default_factory=list)
    enabled: frozenset[str] = frozenset()
    permissions: frozenset[str] = frozenset()
    hooks: HookSubset | Any = None
    plugin: str | None = None

    @property
    def role(self) -> str | None:
        return self.membership.role if self.membership else None

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def url(self, name: str, **params: Any) -> str:
        """URL of a named route; organisation pages get the current org filled in."""
        # A name lookup instead of Starlette's scan of every route: menus and
        # widgets build many URLs per page.
        route = self.request.app.state.accord.routes_by_name.get(name)
        if route is None:
            return str(self.request.url_for(name, **params).path)
        if self.org is not None and "org" not in params and "org" in route.param_convertors:
            params = {"org": self.org.slug, **params}
        return self.request.scope.get("root_path", "") + str(route.url_path_for(name, **params))
