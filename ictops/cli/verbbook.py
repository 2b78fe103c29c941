"""``ictops package`` and ``ictops patch`` are one-step playbooks: the verb writes the step to
``state/verbs/<name>.yaml`` and runs it with ``ictops run``, so planning (--check, ictops
plan), approval, ``--plan ID``, the trail and the recap are exactly a playbook's. A verb
that changes servers is not routine: without --check it needs an approved plan."""

from __future__ import annotations

import hashlib
import re
from typing import Any

import click
import yaml

from ictops.backup.files import write_atomic
from ictops.project import Project

HEADER = ("# Written by `{verb}`: the one-step playbook it runs (docs/playbooks.md, \"CLI verbs\").\n"
          "# Its plan, approval and run are a playbook's: ictops plan {path} -l ...\n")


def verb_playbook(project: Project, verb: str, title: str, action: str, args: dict[str, Any]) -> str:
    """The project-relative path of the verb's playbook for these arguments (written when new)."""
    step = {"name": title, "step": 5, action: args}
    body = yaml.safe_dump({"name": title, "process": 2, "steps": [step]}, sort_keys=False,
                          allow_unicode=True, width=1000)
    digest = hashlib.sha256(body.encode()).hexdigest()[:10]
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:60]
    rel = f"state/verbs/{slug}-{digest}.yaml"
    target = project.root / rel
    text = HEADER.format(verb=verb, path=rel) + body
    if not target.is_file() or target.read_text(encoding="utf-8") != text:
        write_atomic(target, text.encode(), mode=0o644)
    return rel


def run_playbook(ctx: click.Context, path: str, **options: Any) -> Any:
    """``ictops run PATH`` with these options (the same checks, refusals and output)."""
    from ictops.cli.run_cmd import run

    defaults = {"limit": None, "check": False, "show_diff": False, "plan_id": None, "tags": "",
                "skip_tags": "", "forks": 50, "as_json": False}
    return ctx.invoke(run, playbook=path, **{**defaults, **options})
