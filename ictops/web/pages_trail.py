"""The audit trail page: records filtered as ``ictops log show`` filters them, newest first,
with the result of ``ictops log verify`` on top."""

from __future__ import annotations

import fnmatch

from flask import Flask, abort, render_template, request

from ictops.audit.show import filter_records
from ictops.errors import InputError
from ictops.web.app import snapshot

PAGE_SIZE = 100
FIELDS = ("process", "step", "host", "status", "run", "action", "operator", "since", "until")


def register(app: Flask) -> None:
    @app.get("/trail")
    def trail():
        snap = snapshot()
        picked = {k: request.args.get(k, "").strip() for k in FIELDS}
        filters = {k: v for k, v in picked.items() if v}
        for key in ("process", "step"):
            if key in filters and not filters[key].isdigit():
                abort(400, description=f"{key} must be a number, not '{filters[key]}'")
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        try:
            matching = list(filter_records(_candidates(snap, filters), **filters))
        except InputError as exc:
            abort(400, description=str(exc))
        start = (page - 1) * PAGE_SIZE
        shown = matching[start:start + PAGE_SIZE]
        return render_template(
            "trail.html", snap=snap, picked=picked, records=shown, total=len(matching),
            page=page, pages=max(1, -(-len(matching) // PAGE_SIZE)),
            choices=snap.choices, names=snap.catalogue_names,
        )



def _candidates(snap, filters: dict[str, str]) -> list[dict]:
    """The records a host or run filter can match, newest first (a superset: the filters
    themselves decide), found through the snapshot's indexes instead of a scan."""
    narrowed: set[int] | None = None
    for key, index in (("host", snap.by_host), ("run", snap.by_run)):
        if key in filters:
            keys = [k for k in index if fnmatch.fnmatchcase(k, filters[key])] \
                if any(c in filters[key] for c in "*?[") else [filters[key]]
            found = {i for k in keys for i in index.get(k, ())}
            narrowed = found if narrowed is None else narrowed & found
    if narrowed is None:
        return snap.records[::-1]
    return [snap.records[i] for i in sorted(narrowed, reverse=True)]
