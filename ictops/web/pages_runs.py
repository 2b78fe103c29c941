"""Runs, plans (pending approval, approved, run) and the director's reports."""

from __future__ import annotations

from flask import Flask, abort, render_template, request, send_file

from ictops.web.app import snapshot

RUNS_SHOWN = 200
PLAN_STATES = ("planned", "approved", "run")
# A report is our own file, but it is still shown in a sandbox: no script, no outside fetch.
REPORT_CSP = ("sandbox; default-src 'none'; style-src 'unsafe-inline'; font-src data:; "
              "img-src data:")


def register(app: Flask) -> None:
    @app.get("/runs")
    def runs():
        snap = snapshot()
        state = request.args.get("plan_state", "")
        plans = [p for p in snap.plans if not state or p.state == state]
        return render_template("runs.html", snap=snap, runs=snap.runs[:RUNS_SHOWN],
                               more=max(0, len(snap.runs) - RUNS_SHOWN), plans=plans,
                               plan_state=state, plan_states=PLAN_STATES)

    @app.get("/plans/<plan_id>")
    def plan(plan_id: str):
        snap = snapshot()
        found = next((p for p in snap.plans if p.id == plan_id), None)
        if found is None:
            abort(404, description=plan_id)
        return render_template("plan.html", snap=snap, plan=found)

    @app.get("/reports")
    def reports():
        return render_template("reports.html", snap=snapshot())

    @app.get("/reports/<name>")
    def report_file(name: str):
        found = next((r for r in snapshot().reports if r.name == name), None)
        if found is None or not found.path.is_file():
            abort(404, description=name)
        kind = "application/pdf" if found.path.suffix == ".pdf" else "text/html"
        response = send_file(found.path, mimetype=kind, conditional=True, max_age=0)
        response.headers["Content-Security-Policy"] = REPORT_CSP
        return response
