"""The compliance pages: scores per host and per rule, the trend, one host's results."""

from __future__ import annotations

from flask import Flask, abort, g, render_template, request

from ictops.web.app import snapshot
from ictops.web.compliance_data import SEVERITIES, rule_rows, score_of, trend
from ictops.web.filters import HostFilter
from ictops.web.i18n import day


def register(app: Flask) -> None:
    @app.get("/compliance")
    def compliance():
        snap = snapshot()
        data = snap.compliance
        infos = [r.info for r in snap.fleet if r.info.name in data.hosts]
        chosen = HostFilter.of(request.args, infos)
        severity = request.args.get("severity", "")
        if severity not in SEVERITIES:
            severity = ""
        names = [i.name for i in infos if chosen.keep(i)]
        hosts = []
        for info in infos:
            if info.name not in names:
                continue
            current = data.hosts[info.name]
            results = [r for r in current.results.values()
                       if not severity or r.severity.value == severity]
            fails = sum(1 for r in results if r.status.value == "fail")
            hosts.append((info, score_of(results), fails, current))
        points = trend(data, names)
        chart = {"labels": [day(d, g.lang) for d, _ in points], "values": [v for _, v in points],
                 "label": g.t["fleet_score"]}
        scored = [s for _, s, _, _ in hosts if s is not None]
        return render_template(
            "compliance.html", snap=snap, data=data, chosen=chosen, severity=severity,
            severities=SEVERITIES, hosts=sorted(hosts, key=lambda h: (h[1] is None, h[1] or 0)),
            rules=rule_rows(data, names, severity or None), chart=chart, points=points,
            average=round(sum(scored) / len(scored), 1) if scored else None,
        )

    @app.get("/compliance/host/<name>")
    def compliance_host(name: str):
        snap = snapshot()
        current = snap.compliance.hosts.get(name)
        if current is None:
            abort(404, description=name)
        info = snap.host(name)
        points = list(current.trend)
        chart = {"labels": [day(d, g.lang) for d, _ in points], "values": [v for _, v in points],
                 "label": name}
        rules = snap.compliance.rules
        results = sorted(current.results.values(),
                         key=lambda r: (_order(r.status.value), -r.severity.rank, r.rule))
        return render_template("compliance_host.html", snap=snap, info=info, current=current,
                               results=results, rules=rules, chart=chart,
                               pending=snap.compliance.pending_for(name, g.lang))


def _order(verdict: str) -> int:
    return {"fail": 0, "error": 1, "warn": 2, "pass": 3}.get(verdict, 4)
