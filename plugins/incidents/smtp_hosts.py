"""Which SMTP servers an organisation may name: a real host name, and one the instance allows.

The server an organisation types is one the worker will connect to from inside
the instance's network, so it must not become a way to probe internal ports.
The instance may list the hosts mail may go through (``[mail]
allowed_smtp_hosts``: names, ``*.example.net`` patterns, addresses or
networks; empty allows any public host). Loopback, private and link-local
addresses, and ``localhost``, are refused unless that list names them.
"""

from __future__ import annotations

import fnmatch
import ipaddress
import re
from typing import Any

from accord import Settings

_LABEL = re.compile(r"^(?!-)[a-z0-9-]{1,63}(?<!-)$")


def _address(host: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None


def is_host_name(host: str) -> bool:
    """A DNS name or an IP address, nothing else: no scheme, port, path or spaces."""
    if _address(host) is not None:
        return True
    labels = host.rstrip(".").split(".")
    return len(host) <= 253 and all(_LABEL.match(label) for label in labels)


def _internal(host: str) -> bool:
    address = _address(host)
    if address is None:
        return host.rstrip(".") == "localhost" or host.rstrip(".").endswith(".localhost")
    return not address.is_global


def _listed(host: str, entry: str) -> bool:
    entry = entry.strip().lower()
    address = _address(host)
    if address is not None and "/" in entry:
        try:
            return address in ipaddress.ip_network(entry, strict=False)
        except ValueError:
            return False
    return fnmatch.fnmatchcase(host, entry)


def allowed_hosts(settings: Settings) -> list[str]:
    return [str(entry) for entry in settings.get("mail", "allowed_smtp_hosts", []) or []]


def problem(settings: Settings, host: str) -> str | None:
    """Why ``host`` may not be the SMTP server, in words; None when it may."""
    host = host.strip().lower()
    if not host:
        return None
    if not is_host_name(host):
        return (
            "Enter only the server's name or address, like smtp.example.org: "
            "no smtp://, port, spaces or path (the port has its own field)."
        )
    allowed = allowed_hosts(settings)
    if any(_listed(host, entry) for entry in allowed):
        return None
    if allowed:
        return "This Accord sends mail only through these servers: " + ", ".join(allowed) + "."
    if _internal(host):
        return (
            "This is an address inside the server's own network, which Accord does not "
            "send mail through unless the instance's administrator allows it "
            "([mail] allowed_smtp_hosts)."
        )
    return None


# The instance's list, bound at startup, for the worker's check before it connects.
_allowed: list[str] = []


def bind(settings: Settings) -> None:
    _allowed[:] = allowed_hosts(settings)


def refused_at_send(host: str) -> bool:
    """Whether the instance's list (when it has one) leaves ``host`` out.

    Settings saved before the list was set, or not through the form, are still
    held to it when the worker connects.
    """
    host = host.strip().lower()
    return bool(_allowed) and not any(_listed(host, entry) for entry in _allowed)


def settings_problems(settings: Settings, values: dict[str, Any]) -> dict[str, str]:
    """The incidents settings form's errors about the SMTP server, by setting key."""
    found = problem(settings, str(values.get("smtp_host") or ""))
    return {"smtp_host": found} if found else {}
