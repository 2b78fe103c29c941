"""An Ansible inventory (YAML or INI) into inventory hosts, groups and defaults.

Both formats are first read into the same tree (groups with vars, hosts and children; hosts
with vars), then translated: ``ansible_host/port/user`` -> hostname/port/username,
``ansible_network_os`` -> platform (ictops/data/import_platforms.yaml), passwords -> references,
``ansible_ssh_private_key_file`` -> ssh_key, ``site``/``district`` -> the same keys, other
``ansible_*`` settings listed as not imported, every other variable kept under ``data``. The vars of ``all`` become defaults.yaml.
A host with no ``ansible_network_os`` anywhere is a Linux server. Vault-encrypted values are
refused with their line: ictops does not decrypt vaults.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ictops.errors import InputError
from ictops.inventory.door import SECRET_KEY
from ictops.inventory.importers.draft import Draft, Entry, LeftOut, Spot, ordered
from ictops.inventory.importers.platform_rules import PlatformRules
from ictops.inventory.importers.refs import SecretRefs
from ictops.platforms import platforms

VAR_KEYS = {
    "ansible_host": "hostname", "ansible_ssh_host": "hostname",
    "ansible_port": "port", "ansible_ssh_port": "port",
    "ansible_user": "username", "ansible_ssh_user": "username",
    "ansible_ssh_private_key_file": "ssh_key", "ansible_private_key_file": "ssh_key",
    "ansible_network_os": "platform",
}
PASSWORDS = ("ansible_password", "ansible_ssh_pass", "ansible_ssh_password")
BECOME_PASSWORDS = ("ansible_become_password", "ansible_become_pass", "ansible_sudo_pass")
IMPLIED = ("ansible_connection", "ansible_become", "ansible_become_method", "ansible_become_user")
TYPED = ("site", "district")  # plain variables that are inventory keys
ALL, UNGROUPED = "all", "ungrouped"
_VAULT_TAG = re.compile(r"^\s*(?:-\s+)?([^\s:#][^:#]*?)\s*:\s*!vault\b")


@dataclass
class Node:
    """A group or a host of the Ansible tree, with each variable's place."""

    name: str
    spot: Spot
    vars: dict[str, tuple[Any, Spot]] = field(default_factory=dict)
    hosts: list[str] = field(default_factory=list)  # groups: direct members
    children: list[str] = field(default_factory=list)  # groups: child groups
    groups: list[str] = field(default_factory=list)  # hosts: direct groups


@dataclass
class Tree:
    file: str
    groups: dict[str, Node] = field(default_factory=dict)
    hosts: dict[str, Node] = field(default_factory=dict)

    def group(self, name: str, spot: Spot) -> Node:
        return self.groups.setdefault(name, Node(name, spot))

    def host(self, name: str, group: str, spot: Spot) -> Node:
        node = self.hosts.setdefault(name, Node(name, spot))
        if group not in (ALL, UNGROUPED) and group not in node.groups:
            node.groups.append(group)
        members = self.groups[group].hosts
        if name not in members:
            members.append(name)
        return node


def _owner(lines: list[str], index: int) -> str:
    """"host 'sw1': " or "group 'switches': " for the YAML key on ``lines[index]``, found by
    indentation (a vault value cannot be parsed, so its place is read from the text)."""
    path: list[str] = []
    indent = len(lines[index]) - len(lines[index].lstrip())
    for line in reversed(lines[:index]):
        stripped = line.strip()
        depth = len(line) - len(line.lstrip())
        if stripped and not stripped.startswith("#") and depth < indent and stripped.endswith(":"):
            path.insert(0, stripped[:-1].strip().strip("'\""))
            indent = depth
    if "hosts" in path[:-1]:
        return f"host '{path[len(path) - 1 - path[::-1].index('hosts') + 1]}': "
    if path[-1:] == ["vars"] and len(path) > 1:
        return f"group '{path[-2]}': "
    return ""


def refuse_vault(text: str, shown: str) -> None:
    """Raise naming every vault-encrypted value (or the encrypted file) with its line."""
    if text.lstrip().startswith("$ANSIBLE_VAULT;"):
        raise InputError(
            "the file is encrypted with Ansible Vault; ictops does not decrypt vaults: import "
            "a decrypted copy (ansible-vault decrypt --output COPY FILE)", shown, 1)
    errors = []
    tagged = False
    lines = text.splitlines()
    for number, line in enumerate(lines, 1):
        match = _VAULT_TAG.match(line)
        if match:
            errors.append(InputError(
                f"{_owner(lines, number - 1)}{match.group(1)} is encrypted with Ansible Vault (!vault); ictops does not "
                "decrypt vaults: import a decrypted copy (ansible-vault decrypt --output COPY "
                "FILE), whose passwords become references, or remove the value", shown, number))
            tagged = True
        elif "$ANSIBLE_VAULT;" in line and not tagged:
            errors.append(InputError(
                "an Ansible Vault value; ictops does not decrypt vaults: import a decrypted "
                "copy (ansible-vault decrypt --output COPY FILE)", shown, number))
        elif line.strip() and "$ANSIBLE_VAULT;" not in line and not re.fullmatch(r"\s*[0-9a-f]+\s*", line):
            tagged = False
    if errors:
        from ictops.errors import InputErrors

        raise errors[0] if len(errors) == 1 else InputErrors(errors)


class _Translate:
    """The Ansible tree into a draft."""

    def __init__(self, tree: Tree, rules: PlatformRules, draft: Draft, refs: SecretRefs):
        self.tree = tree
        self.rules = rules
        self.draft = draft
        self.refs = refs
        self.unused: Counter[str] = Counter()

    def lineage(self, group: str, seen: tuple[str, ...] = ()) -> list[str]:
        """The group and its parents, nearest first (Ansible: children override parents)."""
        order = [group]
        for parent, node in self.tree.groups.items():
            if group in node.children and parent not in seen and parent != ALL:
                order += [g for g in self.lineage(parent, seen + (group,)) if g not in order]
        return order

    def resolved(self, host: Node, var: str) -> tuple[Any, Spot] | None:
        if var in host.vars:
            return host.vars[var]
        for group in host.groups:
            for g in self.lineage(group):
                if var in self.tree.groups[g].vars:
                    return self.tree.groups[g].vars[var]
        return self.tree.groups[ALL].vars.get(var) if ALL in self.tree.groups else None

    def platform(self, value: Any, spot: Spot) -> tuple[str | None, str]:
        """(managed platform or None, why not); an unknown name is an error."""
        return self.rules.named(value, spot, self.draft.errors, f"ansible_network_os '{value}'")

    def body(self, node: Node, section: str, kind: str) -> Entry:
        """A group's or host's variables as inventory keys; ``kind``: server, switch or mixed
        (a group of both: a become password is then sudo_password and enable_secret)."""
        entry = Entry(node.name, {}, node.spot)
        data: dict[str, Any] = {}
        for var, (value, spot) in node.vars.items():
            key = VAR_KEYS.get(var) or (var if var in TYPED else None)
            if key == "platform":
                continue  # decided by the caller, who knows what the host inherits
            if key:
                value = int(value) if key == "port" and str(value).isdigit() else value
                entry.body[key], entry.spots[(key,)] = value, spot
            elif var in PASSWORDS:
                entry.body["password"] = self.refs.reference(section, node.name, ("password",), spot)
                entry.spots[("password",)] = spot
            elif var in BECOME_PASSWORDS:
                keys = {"server": ["sudo_password"], "switch": ["enable_secret"]}.get(
                    kind, ["sudo_password", "enable_secret"])
                ref = self.refs.reference(section, node.name, (keys[0],), spot)
                for key in keys:
                    entry.body[key], entry.spots[(key,)] = ref, spot
            elif var == "ansible_become" and kind != "switch":
                entry.body["sudo"] = str(value).lower() in ("true", "yes", "1")
                entry.spots[("sudo",)] = spot
            elif var.startswith("ansible_"):
                if var not in IMPLIED:
                    self.unused[var] += 1
            elif SECRET_KEY.search(var):
                data[var] = self.refs.reference(section, node.name, ("data", var), spot)
                entry.spots[("data", var)] = spot
            else:
                data[var] = value
                entry.spots[("data", var)] = spot
        if data:
            entry.body["data"] = data
        return entry

    def set_platform(self, entry: Entry, platform: str, spot: Spot) -> None:
        entry.body["platform"] = platform
        entry.body["role"] = "server" if platforms()[platform].kind == "server" else "switch"
        entry.spots[("platform",)] = entry.spots[("role",)] = spot

    def groups(self) -> None:
        for name, node in self.tree.groups.items():
            if name in (ALL, UNGROUPED):
                continue
            setting = node.vars.get("ansible_network_os")
            platform = self.platform(*setting)[0] if setting else None
            kind = platforms()[platform].kind if platform else self.group_kind(name)
            entry = self.body(node, "groups", kind)
            if platform:
                self.set_platform(entry, platform, setting[1])  # type: ignore[index]
            parents = [p for p, n in self.tree.groups.items() if name in n.children and p not in (ALL, UNGROUPED)]
            if parents:
                entry.body["groups"] = parents
            entry.body = ordered(entry.body)
            self.draft.groups[name] = entry

    def group_kind(self, name: str) -> str:
        """server, switch or mixed: from the platform the group (or a parent) sets, else
        from the hosts under it."""
        for g in self.lineage(name):
            setting = self.tree.groups[g].vars.get("ansible_network_os")
            if setting:
                verdict = self.rules.name(str(setting[0]))
                if verdict and verdict.platform:
                    return platforms()[verdict.platform].kind
        kinds = {self.host_kind(h) for h in self.members(name)} - {None}
        return kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "server"

    def members(self, name: str, seen: frozenset[str] = frozenset()) -> set[str]:
        node = self.tree.groups[name]
        hosts = set(node.hosts)
        for child in node.children:
            if child not in seen:
                hosts |= self.members(child, seen | {name})
        return hosts

    def host_kind(self, name: str) -> str | None:
        setting = self.resolved(self.tree.hosts[name], "ansible_network_os")
        verdict = self.rules.name(str(setting[0])) if setting else None
        platform = "linux" if setting is None else verdict.platform if verdict else None
        return platforms()[platform].kind if platform else None

    def hosts(self) -> None:
        for name, node in self.tree.hosts.items():
            setting = self.resolved(node, "ansible_network_os")
            platform, reason = self.platform(*setting) if setting else ("linux", "")
            if platform is None:
                if reason:
                    self.draft.left_out.append(LeftOut(node.spot.where(), f"host '{name}'", reason))
                continue
            connection = self.resolved(node, "ansible_connection")
            if connection and str(connection[0]) in ("local", "winrm", "psrp"):
                self.draft.left_out.append(LeftOut(
                    node.spot.where(), f"host '{name}'",
                    f"ansible_connection {connection[0]}: ictops reaches hosts over SSH"))
                continue
            entry = self.body(node, "hosts", platforms()[platform].kind)
            if not setting or "ansible_network_os" in node.vars:
                self.set_platform(entry, platform, setting[1] if setting else node.spot)
            if self.resolved(node, "ansible_host") is None:
                entry.body["hostname"] = name
            if node.groups:
                entry.body["groups"] = list(node.groups)
            entry.body = ordered(entry.body)
            self.draft.hosts[name] = entry

    def defaults(self) -> None:
        node = self.tree.groups.get(ALL)
        if node and node.vars:
            kinds = {self.host_kind(h) for h in self.tree.hosts} - {None}
            kind = kinds.pop() if len(kinds) == 1 else "mixed" if kinds else "server"
            self.draft.defaults = self.body(node, "defaults", kind)
            setting = node.vars.get("ansible_network_os")
            if setting:
                platform = self.platform(*setting)[0]
                if platform:
                    self.set_platform(self.draft.defaults, platform, setting[1])


def draft_from_tree(tree: Tree, rules: PlatformRules, kind: str, secrets: str) -> Draft:
    draft = Draft(source=tree.file, kind=kind)
    translate = _Translate(tree, rules, draft, SecretRefs(draft, secrets))
    translate.defaults()
    translate.groups()
    translate.hosts()
    for var, count in sorted(translate.unused.items()):
        draft.notes.append(f"not imported (an Ansible setting ictops does not use): {var} ({count}x)")
    return draft


def read_yaml_tree(path: Path, shown: str) -> Tree:
    """An Ansible YAML inventory into a tree (errors name file and line)."""
    from ictops.yamlfile import load_yaml, read_input

    refuse_vault(read_input(path, shown, InputError).decode("utf-8", "replace"), shown)
    doc = load_yaml(path, shown, InputError)
    tree = Tree(shown)
    if not isinstance(doc.data, dict):
        raise InputError("an Ansible YAML inventory is a mapping of groups (all:, hosts:, children:)", shown, 1)
    spot = lambda path: Spot(shown, doc.line(path))  # noqa: E731

    def group(name: str, body: Any, path: tuple[Any, ...], parent: str | None) -> None:
        node = tree.group(str(name), spot(path))
        if parent is not None and node.name not in tree.groups[parent].children:
            tree.groups[parent].children.append(node.name)
        if body is None:
            return
        if not isinstance(body, dict):
            raise spot(path).error(f"group '{name}' must be a mapping (hosts:, vars:, children:)")
        for key in body:
            if key not in ("hosts", "vars", "children"):
                raise spot(path + (key,)).error(
                    f"group '{name}': '{key}' is not part of an Ansible group; a group has hosts:, vars: and children:")
        for var, value in (body.get("vars") or {}).items():
            node.vars[str(var)] = (value, spot(path + ("vars", var)))
        for host, hvars in (body.get("hosts") or {}).items():
            hnode = tree.host(str(host), node.name, spot(path + ("hosts", host)))
            if hvars is not None and not isinstance(hvars, dict):
                raise spot(path + ("hosts", host)).error(f"host '{host}': its variables must be a mapping")
            for var, value in (hvars or {}).items():
                hnode.vars[str(var)] = (value, spot(path + ("hosts", host, var)))
        for child, cbody in (body.get("children") or {}).items():
            group(child, cbody, path + ("children", child), node.name)

    tree.group(ALL, Spot(shown, 1))
    for name, body in doc.data.items():
        group(name, body, (name,), None if name == ALL else ALL)
    return tree
