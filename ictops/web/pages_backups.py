"""The backup pages: every host's last good backup, a host's history, masked diffs and files.

Everything goes through ``BackupStore``'s readers, which mask secrets (``ictops.masking``)
before text leaves the store; revisions are only ever full or short hex commit ids.
"""

from __future__ import annotations

import re

from flask import Flask, abort, render_template, request

from ictops.backup.gitrepo import EMPTY_TREE
from ictops.backup.store import BackupStore
from ictops.errors import InputError
from ictops.web import sources
from ictops.web.app import project, snapshot
from ictops.web.filters import HostFilter

REV = re.compile(r"^[0-9a-f]{7,40}$")
MAX_SHOWN = 2 * 1024 * 1024  # characters of a diff or file shown on a page


def _store() -> BackupStore:
    return sources.backup_store(project())


def _rev(value: str | None) -> str | None:
    if not value:
        return None
    if not REV.match(value):
        abort(400, description=f"'{value}' is not a revision")
    return value


def register(app: Flask) -> None:
    @app.get("/backups")
    def backups():
        snap = snapshot()
        chosen = HostFilter.of(request.args, (r.info for r in snap.fleet))
        rows = [r for r in snap.fleet if chosen.keep(r.info)]
        return render_template("backups.html", snap=snap, rows=rows, chosen=chosen)

    @app.get("/backups/<name>")
    def backup_host(name: str):
        snap, store = snapshot(), _store()
        info = snap.host(name)
        ref = info.host if info and info.host else name
        try:
            history = store.history(ref) if store.path.is_dir() else []
        except InputError:
            history = []
        if not history and info is None:
            abort(404, description=name)
        a, b = _rev(request.args.get("a")), _rev(request.args.get("b"))
        diff = None
        if history:
            newest = b or history[0].rev
            oldest = a or (history[1].rev if len(history) > 1 else EMPTY_TREE)
            try:
                diff = store.diff(ref, oldest, newest)
            except InputError as exc:
                abort(400, description=str(exc))
            a, b = oldest, newest
        files = []
        if history:
            try:
                files = store.list_files(ref, b)
            except InputError:
                files = []
        return render_template(
            "backup_host.html", snap=snap, name=name, info=info, history=history, a=a, b=b,
            empty_tree=EMPTY_TREE, diff=_cut(diff), files=[f for f in files if f != "meta.json"],
            status=next((r for r in snap.fleet if r.info.name == name), None),
        )

    @app.get("/backups/<name>/file")
    def backup_file(name: str):
        snap, store = snapshot(), _store()
        info = snap.host(name)
        ref = info.host if info and info.host else name
        rev = _rev(request.args.get("rev"))
        wanted = request.args.get("path", "")
        try:
            known = store.list_files(ref, rev)
        except InputError as exc:
            abort(404, description=str(exc))
        if wanted not in known or wanted == "meta.json":
            abort(404, description=wanted)
        try:
            text = store.show(ref, rev, wanted)
        except InputError as exc:
            abort(404, description=str(exc))
        return render_template("backup_file.html", snap=snap, name=name, rev=rev or "",
                               path=wanted, text=_cut(text))


def _cut(text: str | None) -> str | None:
    if text is None or len(text) <= MAX_SHOWN:
        return text
    return text[:MAX_SHOWN] + f"\n... ({len(text) - MAX_SHOWN} more characters not shown)\n"
