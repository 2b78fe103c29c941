"""Load, validate and resolve the inventory (inventory/hosts.yaml, groups.yaml, defaults.yaml).

Every problem found is reported with its file and line; inheritance (host, then
its groups depth-first in order, then defaults) is resolved once, here.
"""

from __future__ import annotations

from dataclasses import fields as dc_fields
from pathlib import Path
from typing import Any, Mapping, NamedTuple

from pydantic import BaseModel, ValidationError

from ictops.errors import InputError, InputErrors, InventoryError
from ictops.inventory import connopts
from ictops.inventory.door import Door
from ictops.inventory.host import Host, Limits, School, Timeouts
from ictops.inventory.inventory import Inventory
from ictops.inventory.limit import ALL
from ictops.inventory.schema import DefaultsModel, GroupModel, HostModel, SecretRefModel
from ictops.platforms import platforms
from ictops.secrets import SecretRef
from ictops.validation import pydantic_errors, suggest
from ictops.yamlfile import YamlDoc, load_yaml

_SCALARS = (
    "hostname", "port", "platform", "username", "ssh_key", "sudo", "role", "site", "district",
    "school", "backup_files",
)
_SECRETS = ("password", "enable_secret", "sudo_password")
_TIMEOUT_KEYS = tuple(f.name for f in dc_fields(Timeouts))
_LIMIT_KEYS = tuple(f.name for f in dc_fields(Limits))


class _Layer(NamedTuple):
    """A host, one of its groups or the defaults, as one layer of the host's values."""

    model: Any  # HostModel | GroupModel | DefaultsModel
    source: str  # "inventory/hosts.yaml, host 'sw-1'", for secret errors
    data: Mapping[str, Any]  # the layer's data: with SecretRefs (ictops.inventory.door)


def _read(directory: Path, name: str, root: Path, required: bool) -> YamlDoc | None:
    path = directory / name
    shown = _shown(path, root)
    if not path.exists():
        if required:
            raise InventoryError(
                "file not found; create it (see README, 'Inventory') or pass --project DIR",
                shown,
            )
        return None
    doc = load_yaml(path, shown, InventoryError)
    if doc.data is None:
        hint = "add at least one host" if name == "hosts.yaml" else "add entries, or write {} for none"
        raise InventoryError(f"file is empty; {hint}", shown, 1)
    if not isinstance(doc.data, dict):
        raise InventoryError(
            "the file must be a mapping of names to settings (name: then indented keys)",
            shown,
            doc.line(()),
        )
    return doc


def _shown(path: Path, root: Path) -> str:
    try:  # the file itself is not resolved: a link is shown under its own name
        return str((path.parent.resolve() / path.name).relative_to(root))
    except ValueError:
        return str(path)


def _validate(
    doc: YamlDoc, model: type[BaseModel], kind: str, errors: list[InputError]
) -> dict[str, BaseModel]:
    """Validate each entry of a hosts/groups file; collect errors instead of stopping."""
    result: dict[str, BaseModel] = {}
    for name, body in doc.data.items():
        if not isinstance(name, str) or not name:
            errors.append(doc.error((name,), f"{kind} name must be text, not {name!r}", InventoryError))
            continue
        if name == ALL:
            errors.append(doc.error((name,), f"{kind} name 'all' is reserved (-l all selects "
                                    "every host); rename it", InventoryError))
            continue
        if body is None:
            body = {}
        if not isinstance(body, dict):
            errors.append(
                doc.error((name,), f"{kind} '{name}' must be a mapping of keys (hostname:, platform: ...)", InventoryError)
            )
            continue
        try:
            result[name] = model.model_validate(body)
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, model, doc, (name,), f"{kind} '{name}'", InventoryError))
    return result


def _check_platform(
    entry: BaseModel, doc: YamlDoc, path: tuple[Any, ...], what: str, errors: list[InputError]
) -> None:
    platform = getattr(entry, "platform", None)
    if platform is not None and platform not in platforms():
        known = sorted(platforms())
        errors.append(
            doc.error(
                path + ("platform",),
                f"{what}: unknown platform '{platform}'{suggest(platform, known)}; "
                f"known platforms: {', '.join(known)}",
                InventoryError,
            )
        )


class _Resolver:
    """Resolves group lineage (with cycle detection) and host inheritance."""

    def __init__(self, groups: Mapping[str, GroupModel], doc: YamlDoc | None, errors: list[InputError]):
        self.groups = groups
        self.doc = doc
        self.errors = errors
        self._lineage: dict[str, tuple[str, ...]] = {}

    def check_groups(self) -> None:
        for name, group in self.groups.items():
            for i, parent in enumerate(group.groups):
                if parent not in self.groups:
                    self._unknown(parent, self.doc, (name, "groups", i), f"group '{name}'")
        for name in self.groups:
            self._find_cycle(name, [])

    def _unknown(self, group: str, doc: YamlDoc | None, path: tuple[Any, ...], what: str) -> None:
        if self.doc is not None and isinstance(self.doc.data, dict) and group in self.doc.data:
            return  # defined, but refused: its own errors say why
        hint = suggest(group, list(self.groups)) or "; define it in inventory/groups.yaml"
        message = f"{what}: unknown group '{group}'{hint}"
        self.errors.append(
            doc.error(path, message, InventoryError) if doc else InventoryError(message)
        )

    def _find_cycle(self, name: str, stack: list[str]) -> None:
        if name in stack:
            cycle = stack[stack.index(name):] + [name]
            if cycle[0] == min(cycle[:-1]):  # report each cycle once
                assert self.doc is not None
                self.errors.append(
                    self.doc.error(
                        (cycle[0], "groups"),
                        f"group cycle: {' -> '.join(cycle)}; a group cannot be its own parent",
                        InventoryError,
                    )
                )
            return
        group = self.groups.get(name)
        if group is None:
            return
        for parent in group.groups:
            self._find_cycle(parent, stack + [name])

    def lineage(self, name: str) -> tuple[str, ...]:
        """The group and its ancestors, depth-first, each once (Nornir's order)."""
        cached = self._lineage.get(name)
        if cached is not None:
            return cached
        self._lineage[name] = (name,)  # cycle guard (cycles are already reported)
        order: list[str] = [name]
        group = self.groups.get(name)
        for parent in group.groups if group else ():
            if parent not in self.groups:  # reported by check_groups
                continue
            for g in self.lineage(parent):
                if g not in order:
                    order.append(g)
        self._lineage[name] = tuple(order)
        return self._lineage[name]


def _secret(ref: SecretRefModel | None, source: str) -> SecretRef | None:
    if ref is None:
        return None
    return SecretRef(env=ref.env, file=ref.file, source=source)


def _deep_merge(into: dict[str, Any], layer: Mapping[str, Any]) -> None:
    """Merge ``layer`` over ``into``: mappings merge key by key, anything else replaces."""
    for key, value in layer.items():
        current = into.get(key)
        if isinstance(value, Mapping) and isinstance(current, dict):
            merged = dict(current)
            _deep_merge(merged, value)
            into[key] = merged
        else:
            into[key] = value


def _section(layers: list[_Layer], name: str, keys: tuple[str, ...]) -> dict[str, Any]:
    """Each key of a nested section (timeouts, limits) from the first layer that sets it."""
    values: dict[str, Any] = {}
    for key in keys:
        for model, *_ in layers:
            section = getattr(model, name)
            if section is not None and getattr(section, key) is not None:
                values[key] = getattr(section, key)
                break
    return values


def _resolve_host(
    name: str,
    host: HostModel,
    layers: list[_Layer],
    all_groups: tuple[str, ...],
    connection: Mapping[str, Any],
) -> Host:
    """Merge a host with its layers (host first, defaults last) into a Host; ``connection``
    (its connection_options resolved, ictops.inventory.connopts) wins over plain keys."""
    values: dict[str, Any] = {}
    for key in _SCALARS:
        values[key] = next((getattr(m, key) for m, *_ in layers if getattr(m, key) is not None), None)
    secrets: dict[str, SecretRef | None] = {}
    for key in _SECRETS:
        secrets[key] = next(
            (_secret(getattr(m, key), src) for m, src, _ in layers if getattr(m, key) is not None),
            None,
        )
    timeouts = _section(layers, "timeouts", _TIMEOUT_KEYS)
    limits = _section(layers, "limits", _LIMIT_KEYS)
    for key, value in connection.items():
        if key.startswith("timeouts."):
            timeouts[key.split(".", 1)[1]] = value
        elif key in _SECRETS:
            secrets[key] = _secret(value, f"{layers[0].source}, connection_options")
        elif key != "platform":
            values[key] = value
    data: dict[str, Any] = {}
    for layer in reversed(layers):
        _deep_merge(data, layer.data)
    school = values["school"]
    return Host(
        name=name,
        hostname=values["hostname"],
        platform_name=values["platform"],
        port=values["port"] or 22,
        username=values["username"],
        password=secrets["password"],
        enable_secret=secrets["enable_secret"],
        ssh_key=values["ssh_key"],
        sudo=bool(values["sudo"]),
        sudo_password=secrets["sudo_password"],
        timeouts=Timeouts(**timeouts),
        limits=Limits(**limits),
        role=values["role"],
        site=values["site"],
        district=values["district"],
        school=School(name=school.name, code=school.code) if school else None,
        groups=tuple(host.groups),
        all_groups=all_groups,
        backup_files=tuple(values["backup_files"] or ()),
        data=data,
        source=layers[0].source,
    )


def _connection(
    name: str, host: HostModel, layers: list[_Layer], doc: YamlDoc, errors: list[InputError]
) -> dict[str, Any] | None:
    """The host's connection_options for the plugin ictops reaches it with; None on error."""
    platform = next(m.platform for m, *_ in layers if m.platform)
    if platform not in platforms():
        return {}  # reported by _check_platform
    kind = platforms()[platform].kind
    plugin = connopts.plugin_for(kind)
    unused = connopts.unused_plugin(host, kind)
    if unused:
        errors.append(doc.error(
            (name, "connection_options", unused),
            f"host '{name}' is a {platform} {kind}, reached with {plugin}: its "
            f"connection_options.{unused} would never be used; move the settings to "
            f"connection_options.{plugin} or remove them",
            InventoryError,
        ))
        return None
    connection = connopts.resolve([m for m, *_ in layers], kind)
    problem = connopts.platform_problem(connection.get("platform"), platform)
    if problem:
        errors.append(doc.error((name,), f"host '{name}': {problem}", InventoryError))
        return None
    return connection


def load_inventory(
    directory: Path, project_root: Path | None = None, check_files: bool = False
) -> Inventory:
    """Load the inventory in ``directory``. Raises InventoryError(s) with file:line.

    ``check_files``: also refuse secret files that others can read or that are not regular
    files (``ictops inventory check``; other commands find out when they connect)."""
    root = (project_root or directory.parent).resolve()
    hosts_doc = _read(directory, "hosts.yaml", root, required=True)
    groups_doc = _read(directory, "groups.yaml", root, required=False)
    defaults_doc = _read(directory, "defaults.yaml", root, required=False)
    assert hosts_doc is not None
    errors: list[InputError] = []

    hosts = _validate(hosts_doc, HostModel, "host", errors)
    groups = _validate(groups_doc, GroupModel, "group", errors) if groups_doc else {}
    defaults = DefaultsModel()
    if defaults_doc:
        try:
            defaults = DefaultsModel.model_validate(defaults_doc.data)
        except ValidationError as exc:
            errors.extend(pydantic_errors(exc, DefaultsModel, defaults_doc, (), "defaults", InventoryError))
        _check_platform(defaults, defaults_doc, (), "defaults", errors)
    for name, host in hosts.items():
        _check_platform(host, hosts_doc, (name,), f"host '{name}'", errors)
    for name, group in groups.items():
        assert groups_doc is not None
        _check_platform(group, groups_doc, (name,), f"group '{name}'", errors)

    resolver = _Resolver(groups, groups_doc, errors)  # type: ignore[arg-type]
    resolver.check_groups()
    resolved: dict[str, Host] = {}
    # each layer with where it comes from, for secret errors (no line: computing lines is slow)
    door = Door(errors)
    group_layers: dict[str, _Layer] = {}
    for n, group in groups.items():
        assert groups_doc is not None
        src = f"{groups_doc.file}, group '{n}'"
        group_layers[n] = _Layer(group, src, door.entry(group, groups_doc, (n,), f"group '{n}'", src))
    defaults_layer = _Layer(defaults, defaults_doc.file if defaults_doc else "defaults", {})
    if defaults_doc:
        defaults_layer = defaults_layer._replace(
            data=door.entry(defaults, defaults_doc, (), "defaults", defaults_doc.file)
        )
    for name, host in hosts.items():
        all_groups: list[str] = []
        for i, group in enumerate(host.groups):  # type: ignore[attr-defined]
            if group not in groups:
                resolver._unknown(group, hosts_doc, (name, "groups", i), f"host '{name}'")
                continue
            for g in resolver.lineage(group):
                if g not in all_groups:
                    all_groups.append(g)
        source = f"{hosts_doc.file}, host '{name}'"
        what = f"host '{name}'"
        layers = [_Layer(host, source, door.entry(host, hosts_doc, (name,), what, source))]
        layers += [group_layers[g] for g in all_groups]
        layers.append(defaults_layer)
        if not any(m.hostname for m, *_ in layers):
            errors.append(
                hosts_doc.error(
                    (name,),
                    f"host '{name}': missing hostname; set hostname: (its address) on the host, "
                    "one of its groups or in defaults.yaml",
                    InventoryError,
                )
            )
            continue
        if not any(m.platform for m, *_ in layers):
            errors.append(
                hosts_doc.error(
                    (name,),
                    f"host '{name}': missing platform; set platform: ({', '.join(sorted(platforms()))}) "
                    "on the host, one of its groups or in defaults.yaml",
                    InventoryError,
                )
            )
            continue
        connection = _connection(name, host, layers, hosts_doc, errors)
        if connection is None:
            continue
        resolved[name] = _resolve_host(name, host, layers, tuple(all_groups), connection)  # type: ignore[arg-type]

    if check_files:
        door.check_files(root)
    if errors:
        errors.sort(key=lambda e: (e.file or "", e.line or 0))
        raise errors[0] if len(errors) == 1 else InputErrors(errors)
    return Inventory(hosts=resolved, groups=tuple(groups), root=root)
