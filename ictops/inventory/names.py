"""The names a host offers to ``when:`` conditions and templates: its typed keys, each key of
its data, and the playbook's vars (one namespace, so a name means the same in both)."""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from ictops.inventory.host import Host

HOST_NAMES = (
    "name", "hostname", "platform", "port", "role", "site", "district", "username", "school",
    "school_name", "school_code", "kind", "groups", "data",
)


def known_names(hosts: Iterable[Host], variables: Mapping[str, Any]) -> set[str]:
    names = set(HOST_NAMES) | set(variables)
    for host in hosts:
        names.update(str(k) for k in host.data)
    return names


def host_namespace(host: Host, variables: Mapping[str, Any]) -> dict[str, Any]:
    """What a condition or template sees for ``host``: vars, then host data, then typed keys."""
    space: dict[str, Any] = dict(variables)
    space.update({str(k): v for k, v in host.data.items()})
    space.update({k: host.attribute(k) for k in HOST_NAMES if k not in ("groups", "data")})
    space["groups"] = list(host.all_groups)
    space["data"] = dict(host.data)
    return space
