"""``connection_options``: Nornir's per-plugin connection settings, where ictops can honour them.

ictops reaches a server with paramiko and a switch with netmiko, so those two plugins' options
are read; any other plugin (napalm, scrapli, netconf...) is an error naming it. Each plugin
takes Nornir's keys (hostname, port, username, password, platform, extras); ``extras`` holds
only what ictops really passes to the connection, each mapped to the inventory key it stands
for (``conn_timeout`` -> timeouts.connect, ``secret`` -> enable_secret...). Resolution follows
Nornir's ``get_connection_parameters``: each key from the first layer (host, groups, defaults)
whose options set it, ``extras`` whole from the first layer that has it; what is set wins over
the host's plain keys. ``platform`` must name the host's own platform: ictops picks the
connection driver from ``platform:``. The models that validate these keys are in schema.py.
"""

from __future__ import annotations

from typing import Any, Sequence

from ictops.platforms import platforms

# extras key -> the inventory key it stands for (ictops.inventory.host.Host field or timeouts.X)
PARAMIKO_EXTRAS = {
    "key_filename": "ssh_key",
    "timeout": "timeouts.connect",
    "banner_timeout": "timeouts.banner",
    "auth_timeout": "timeouts.auth",
    "channel_timeout": "timeouts.channel",
}
NETMIKO_EXTRAS = {
    "secret": "enable_secret",
    "key_file": "ssh_key",
    "conn_timeout": "timeouts.connect",
    "banner_timeout": "timeouts.banner",
    "auth_timeout": "timeouts.auth",
    "read_timeout_override": "timeouts.command",
}
EXTRAS = {"paramiko": PARAMIKO_EXTRAS, "netmiko": NETMIKO_EXTRAS}
KEYS = ("hostname", "port", "username", "password", "platform")


def plugin_for(kind: str) -> str:
    """The plugin ictops connects with: paramiko for a server, netmiko for a switch."""
    return "paramiko" if kind == "server" else "netmiko"


def _of(model: Any, plugin: str) -> Any:
    options = getattr(model, "connection_options", None)
    return getattr(options, plugin, None) if options is not None else None


def resolve(models: Sequence[Any], kind: str) -> dict[str, Any]:
    """The host's effective connection values from its layers' options, as inventory keys
    (hostname, port, username, password, platform, ssh_key, enable_secret, timeouts.X)."""
    plugin = plugin_for(kind)
    layers = [o for o in (_of(m, plugin) for m in models) if o is not None]
    if not layers:
        return {}
    values: dict[str, Any] = {}
    for key in KEYS:
        found = next((getattr(o, key) for o in layers if getattr(o, key) is not None), None)
        if found is not None:
            values[key] = found
    extras = next((o.extras for o in layers if o.extras is not None), None)
    if extras is not None:
        for name, target in EXTRAS[plugin].items():
            if getattr(extras, name) is not None:
                values[target] = getattr(extras, name)
    return values


def platform_problem(value: str | None, platform: str) -> str | None:
    """Why ``connection_options.X.platform`` does not fit the host's platform, or None."""
    if value is None:
        return None
    own = platforms()[platform]
    if value in (platform, own.netmiko):
        return None
    return (
        f"its connection_options platform '{value}' is not its platform '{platform}' "
        f"({own.netmiko or 'paramiko'}); ictops picks the connection from platform:, so remove "
        "the option or make the two agree"
    )


def unused_plugin(model: Any, kind: str) -> str | None:
    """The plugin a host's own options name that its kind never uses, or None."""
    other = "netmiko" if kind == "server" else "paramiko"
    return other if _of(model, other) is not None else None
