"""Which role holds which permission, from every plugin's ``register_permissions``."""

from __future__ import annotations

from functools import lru_cache

from .host import PluginHost
from .models import ROLES
from .types import Permission


class PermissionTable:
    def __init__(self, host: PluginHost) -> None:
        self.by_name: dict[str, Permission] = {}
        self.plugin_of: dict[str, str] = {}
        for plugin_id in host.order:
            declared = host.manifest(plugin_id).permissions
            for name, (description, roles) in declared.items():
                self.by_name[name] = Permission(name, description, roles)
                self.plugin_of[name] = plugin_id
        for plugin_id, perms in host.impls_by_plugin("register_permissions"):
            for perm in perms:
                unknown = set(perm.roles) - set(ROLES)
                if unknown:
                    raise ValueError(
                        f"{plugin_id}: permission {perm.name} names unknown roles {unknown}"
                    )
                self.by_name[perm.name] = perm
                self.plugin_of[perm.name] = plugin_id
        self._for = lru_cache(maxsize=1024)(self._compute)

    def for_role(self, role: str | None, enabled: frozenset[str]) -> frozenset[str]:
        """Permissions ``role`` holds from the plugins in ``enabled``."""
        return self._for(role, enabled)

    def _compute(self, role: str | None, enabled: frozenset[str]) -> frozenset[str]:
        if role is None:
            return frozenset()
        return frozenset(
            name
            for name, perm in self.by_name.items()
            if role in perm.roles and self.plugin_of[name] in enabled
        )
