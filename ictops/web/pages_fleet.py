"""The fleet page: every host's last run, last good backup, compliance score, pending updates."""

from __future__ import annotations

from flask import Flask, g, render_template, request

from ictops.web.app import snapshot
from ictops.web.filters import HostFilter
from ictops.web.runs import SEVERITY

STATUSES = tuple(SEVERITY)


def register(app: Flask) -> None:
    @app.get("/")
    def fleet():
        snap = snapshot()
        chosen = HostFilter.of(request.args, (r.info for r in snap.fleet))
        status = request.args.get("status", "")
        rows = [
            r for r in snap.fleet
            if chosen.keep(r.info)
            and (not status or (r.last_run.status if r.last_run else "never") == status)
        ]
        totals = dict.fromkeys((*STATUSES, "never"), 0)
        for row in rows:
            totals[row.last_run.status if row.last_run else "never"] += 1
        scored = [r.score for r in rows if r.score is not None]
        pending = {r.info.name: snap.compliance.pending_for(r.info.name, g.lang) for r in rows}
        return render_template(
            "fleet.html", snap=snap, rows=rows, chosen=chosen, status=status, statuses=STATUSES,
            totals=totals, pending=pending,
            average=round(sum(scored) / len(scored), 1) if scored else None,
        )
