"""Change switch configurations: some features, to the lines or the template given.

    - name: NTP from the Thai time sources, and the log server
      step: 5
      hosts: role=switch
      switch_config:
        lines: [ntp server time1.nimt.or.th, ntp server time.navy.mi.th]
        features: [ntp]
        save: true
    - switch_config: {template: templates/switch/cisco_ios.j2, save: true}
    - switch_config: {golden: true}

The intended config is ``lines``, ``template`` (templates/ of the project) or ``golden: true``
(each host's golden template: ``data.golden_template``, else templates/switch/<platform>.j2,
what ``ictops audit golden`` compares), rendered with Jinja2 in the sandbox, undefined names
refused, the host's attributes and data (group data merged) as variables:
``{{ data.log_server }}``. ``features`` (ictops/data/
golden_features.yaml; default: those the intended config has lines of) are the only part of
the switch compared and changed: what the intended config lacks in them is removed, everything
else on the switch is left alone. ``merge``: the lines are added to what the switch has
instead (``no X`` removes X, a new value replaces a single-valued line; nothing else in the
features is removed): for a rule pack's remediation commands. ``save``: write the
running-config to the startup-config after the change is verified (default false).

The plan is the exact ordered command list from the running-config read now; apply takes a
pre-change backup, sends it, verifies, saves when asked and rolls back on any failure
(ictops/actions/switchpush.py, docs/switch-config.md).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from ictops.actions.base import Context
from ictops.actions.switchpush import KeepsPreChange, PreChange, apply_switch, plan_switch
from ictops.compliance.templating import render_intended, render_text
from ictops.errors import InputError
from ictops.facts import RUNNING_CONFIG
from ictops.inventory.host import Host
from ictops.project import Project
from ictops.results import ErrorKind, HostFailure, Outcome, Plan
from ictops.switchconfig.features import FEATURES_FILE, all_features
from ictops.switchconfig.merge import merged
from ictops.validation import StrictModel


class Args(StrictModel):
    lines: list[str] | None = None  # config lines in show-run form ("ntp server X")
    template: str | None = None  # templates/switch/<file>.j2
    golden: bool = False  # each host's golden template, as `ictops audit golden` compares
    features: list[str] | None = None  # default: the features the intended config has lines of
    merge: bool = False  # add the lines to what the switch has instead of replacing its features
    save: bool = False  # write memory / save, after verify


def validate(args: Args, project: Project, names: Collection[str] = ()) -> None:
    """At load time: one of lines/template, a template that exists, features that exist.
    (``names``, the variables hosts and vars provide, is what every action's validate gets.)"""
    if sum((args.lines is not None, args.template is not None, args.golden)) != 1:
        raise InputError("give the intended config as lines:, template: or golden: true "
                         "(one of them)")
    if args.lines is not None and not any(line.strip() for line in args.lines):
        raise InputError("lines: is empty; list the config lines the features should have")
    if args.template is not None:
        name = template_name(args.template)
        if not (project.templates_dir / name).is_file():
            raise InputError(f"no template templates/{name}; templates live under templates/")
    known = {name for features in all_features().values() for name in features}
    for name in args.features or ():
        if name not in known:
            raise InputError(f"unknown feature '{name}'; known: {', '.join(sorted(known))} "
                             f"(see {FEATURES_FILE})")
    if args.features is not None and not args.features:
        raise InputError("features: is empty; name the features to change, or leave it out")


def template_name(path: str) -> str:
    """``templates/switch/x.j2`` or ``switch/x.j2`` -> ``switch/x.j2``; InputError when it
    leaves templates/."""
    parts = PurePosixPath(path).parts
    if parts[:1] == ("templates",):
        parts = parts[1:]
    if not parts or PurePosixPath(path).is_absolute() or ".." in parts:
        raise InputError(f"template: '{path}' must be a file under templates/ "
                         "(templates/switch/<file>.j2)")
    return "/".join(parts)


def build(args: Args, project: Project) -> SwitchConfig:
    """The playbook's ``switch_config:`` step."""
    validate(args, project)
    return SwitchConfig(lines=tuple(args.lines) if args.lines is not None else None,
                        template=template_name(args.template) if args.template else None,
                        golden=args.golden,
                        features=tuple(args.features) if args.features else None,
                        merge=args.merge, save=args.save)


@dataclass
class SwitchConfig(KeepsPreChange):
    """Bring ``features`` of each switch to ``lines`` or ``template`` (see the module doc)."""

    lines: tuple[str, ...] | None = None
    template: str | None = None
    golden: bool = False
    features: tuple[str, ...] | None = None
    merge: bool = False
    save: bool = False
    keeper: PreChange = field(default_factory=PreChange)
    name: str = "switch_config"
    changes_hosts = True

    def plan(self, ctx: Context) -> Plan:
        host = ctx.host
        if not host.is_switch:
            raise HostFailure(f"{host.name} is not a switch: give switch_config switches only "
                              "(hosts: role=switch, or when:)", ErrorKind.CONFIG_ERROR)
        features = self.features
        try:
            intended = self.intended(host, ctx.project)
            if self.merge:
                running = ctx.facts.get(RUNNING_CONFIG)
                intended, features = merged(host.platform_name, running, intended, features,
                                            what=self.what)
        except InputError as exc:
            raise HostFailure(str(exc), ErrorKind.CONFIG_ERROR) from None
        return plan_switch(ctx, intended, features, save=self.save, what=self.what)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        return apply_switch(ctx, plan, self.keeper, f"switch_config, run {ctx.run.run_id}")

    @property
    def what(self) -> str:
        if self.golden:
            what = "the golden template"
        else:
            what = f"templates/{self.template}" if self.template else "the lines given"
        return what + (" (merged)" if self.merge else "")

    def intended(self, host: Host, project: Project) -> str:
        """The intended config for ``host``: the template or the lines, rendered."""
        if self.golden or self.template is not None:
            return render_intended(project.templates_dir, host, self.template)
        return render_text("\n".join(self.lines or ()), host, "switch_config lines") + "\n"
