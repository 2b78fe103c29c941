"""A Nornir SimpleInventory (hosts.yaml, groups.yaml, defaults.yaml) into the inventory.

ictops reads Nornir's layout itself, so this import keeps every key and only makes the files
something ``ictops inventory check`` accepts: passwords (top level, under connection_options,
secret-looking data keys) become references; platform names become ictops platforms
(``ios`` -> cisco_ios); keys Nornir leaves empty are dropped; hosts of platforms ictops does not
manage, connection options of other plugins, and extras ictops does not pass on are left out,
each listed with its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ictops.errors import InputError
from ictops.inventory.connopts import EXTRAS, plugin_for
from ictops.inventory.door import SECRET_KEY
from ictops.inventory.importers.draft import Draft, Entry, LeftOut, Spot
from ictops.inventory.importers.platform_rules import PlatformRules
from ictops.inventory.importers.refs import SecretRefs
from ictops.platforms import platforms
from ictops.yamlfile import YamlDoc, load_yaml

KEYS = ("hostname", "port", "username", "password", "platform", "groups", "data", "connection_options")
FILES = (("hosts", "hosts.yaml"), ("groups", "groups.yaml"), ("defaults", "defaults.yaml"))


class _Reader:
    def __init__(self, draft: Draft, rules: PlatformRules, refs: SecretRefs):
        self.draft = draft
        self.rules = rules
        self.refs = refs

    def leave(self, spot: Spot, what: str, reason: str) -> None:
        self.draft.left_out.append(LeftOut(spot.where(), what, reason))

    def platform(self, value: Any, spot: Spot, what: str) -> tuple[str | None, str]:
        return self.rules.named(value, spot, self.draft.errors, f"{what}: platform '{value}'")

    def data(self, value: Any, doc: YamlDoc, path: tuple[Any, ...], entry: Entry, section: str, keys: tuple[str, ...] = ()) -> Any:
        if isinstance(value, dict):
            out = {}
            for key, item in value.items():
                here = (*keys, key)
                if isinstance(key, str) and SECRET_KEY.search(key) and item is not None and not isinstance(item, dict):
                    spot = Spot(doc.file, doc.line(path + (key,)))
                    out[key] = self.refs.reference(section, entry.name, ("data", *here), spot)
                else:
                    out[key] = self.data(item, doc, path + (key,), entry, section, here)
                entry.spots[("data", *here)] = Spot(doc.file, doc.line(path + (key,)))
            return out
        return value

    def options(self, value: Any, doc: YamlDoc, path: tuple[Any, ...], entry: Entry, section: str, kind: str | None) -> dict[str, Any]:
        """connection_options: the paramiko/netmiko keys ictops uses (kind: the host's)."""
        out: dict[str, Any] = {}
        what = _what(section, entry.name)
        for plugin, options in (value or {}).items():
            spot = Spot(doc.file, doc.line(path + (plugin,)))
            if plugin not in EXTRAS:
                self.leave(spot, f"{what} connection_options.{plugin}",
                           "ictops connects with paramiko (servers) and netmiko (switches) only")
                continue
            if kind is not None and plugin != plugin_for(kind):
                self.leave(spot, f"{what} connection_options.{plugin}",
                           f"ictops reaches a {kind} with {plugin_for(kind)}, never {plugin}")
                continue
            kept: dict[str, Any] = {}
            for key, item in (options or {}).items():
                here = path + (plugin, key)
                place = Spot(doc.file, doc.line(here))
                if item is None or item == {}:
                    continue
                if key == "password":
                    item = self.refs.reference(section, entry.name, ("connection_options", plugin, key), place)
                elif key == "platform":
                    item, _ = self.platform(item, place, what)
                    if item is None:
                        continue
                elif key == "extras":
                    item = self.extras(plugin, item, doc, here, entry, section)
                    if not item:
                        continue
                kept[key] = item
                entry.spots[("connection_options", plugin, key)] = place
            if kept:
                out[plugin] = kept
        return out

    def extras(self, plugin: str, value: Any, doc: YamlDoc, path: tuple[Any, ...], entry: Entry, section: str) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for key, item in (value or {}).items() if isinstance(value, dict) else ():
            spot = Spot(doc.file, doc.line(path + (key,)))
            if key not in EXTRAS[plugin]:
                self.leave(spot, f"{_what(section, entry.name)} connection_options.{plugin}.extras.{key}",
                           f"ictops passes only {', '.join(EXTRAS[plugin])} to {plugin}")
            elif key == "secret" and item is not None:
                kept[key] = self.refs.reference(section, entry.name, ("connection_options", plugin, "extras", key), spot)
            elif item is not None:
                kept[key] = item
        return kept

    def entry(self, name: str, body: Any, doc: YamlDoc, base: tuple[Any, ...], section: str, kind: str | None) -> Entry:
        spot = Spot(doc.file, doc.line(base))
        entry = Entry(name, {}, spot)
        what = _what(section, name)
        if body is not None and not isinstance(body, dict):
            self.draft.errors.append(spot.error(f"{what} must be a mapping of keys"))
            return entry
        for key, value in (body or {}).items():
            place = Spot(doc.file, doc.line(base + (key,)))
            if key not in KEYS or (key == "groups" and section == "defaults"):
                self.draft.errors.append(place.error(
                    f"{what}: '{key}' is not a SimpleInventory key ({', '.join(KEYS)}); "
                    "Nornir would ignore it: move it under data:"))
                continue
            if value is None or (key in ("groups", "data", "connection_options") and not value):
                continue
            if key == "password":
                value = self.refs.reference(section, name, ("password",), place)
            elif key == "platform":
                value, reason = self.platform(value, place, what)
                if value is None:
                    if reason and section != "hosts":
                        self.leave(place, f"{what} platform", reason)
                    continue
            elif key == "data":
                value = self.data(value, doc, base + ("data",), entry, section)
            elif key == "connection_options":
                value = self.options(value, doc, base + (key,), entry, section, kind)
                if not value:
                    continue
            entry.body[key] = value
            entry.spots[(key,)] = place
            if key == "platform":
                entry.body["role"] = "server" if platforms()[value].kind == "server" else "switch"
                entry.spots[("role",)] = place
        return entry


def _what(section: str, name: str) -> str:
    return {"hosts": f"host '{name}'", "groups": f"group '{name}'"}.get(section, "defaults")


def _docs(directory: Path, shown: str) -> dict[str, YamlDoc]:
    docs = {}
    for section, name in FILES:
        path = directory / name
        if path.exists() or section == "hosts":
            doc = load_yaml(path, f"{shown}/{name}", InputError)
            if doc.data is not None and not isinstance(doc.data, dict):
                raise InputError("a SimpleInventory file is a mapping of names to keys", doc.file, 1)
            docs[section] = doc
    return docs


def _host_platform(name: str, docs: dict[str, YamlDoc]) -> Any:
    """The platform a host gets in Nornir: its own, its groups' (depth-first), the defaults'."""
    hosts = docs["hosts"].data or {}
    groups = docs["groups"].data or {} if "groups" in docs else {}
    seen: set[str] = set()

    def walk(body: Any) -> Any:
        if not isinstance(body, dict):
            return None
        if body.get("platform") is not None:
            return body["platform"]
        for group in body.get("groups") or ():
            if group in groups and group not in seen:
                seen.add(group)
                found = walk(groups[group])
                if found is not None:
                    return found
        return None

    found = walk(hosts.get(name))
    defaults = docs["defaults"].data or {} if "defaults" in docs else {}
    return found if found is not None else defaults.get("platform") if isinstance(defaults, dict) else None


def draft_from_nornir(directory: Path, shown: str, rules: PlatformRules, secrets: str) -> Draft:
    """The draft of a SimpleInventory directory."""
    docs = _docs(directory, shown)
    draft = Draft(source=shown, kind="nornir")
    reader = _Reader(draft, rules, SecretRefs(draft, secrets))
    if "defaults" in docs:
        draft.defaults = reader.entry("", docs["defaults"].data, docs["defaults"], (), "defaults", None)
    for name, body in (docs["groups"].data or {}).items() if "groups" in docs else ():
        draft.groups[str(name)] = reader.entry(str(name), body, docs["groups"], (name,), "groups", None)
    hosts_doc = docs["hosts"]
    for name, body in (hosts_doc.data or {}).items():
        spot = Spot(hosts_doc.file, hosts_doc.line((name,)))
        value = _host_platform(name, docs)
        if value is None:
            draft.errors.append(spot.error(f"host '{name}': no platform on the host, its groups or the defaults"))
            continue
        platform, reason = reader.platform(value, spot, f"host '{name}'")
        if platform is None:
            if reason:
                reader.leave(spot, f"host '{name}'", reason)
            continue
        draft.hosts[str(name)] = reader.entry(str(name), body, hosts_doc, (name,), "hosts", platforms()[platform].kind)
    return draft
