"""Generate the state of a district for the dashboard benchmark: N hosts, M nightly runs.

Written with the project's own writers: the trail with AuditTrail, the backups with
BackupStore transactions, the saved audits with actions.audit.audit_document, plans with
PlanStore. 500 hosts over 50 schools (Thai site names) in 5 districts, a third of them Linux
servers; each night backs up and audits every host, changes the config of a few, and writes
a report; a few plans wait for approval, some are approved, some were run.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from pathlib import Path

from ictops.actions.audit import audit_document
from ictops.audit.trail import AuditTrail
from ictops.backup.store import BackupStore
from ictops.compliance import HostCompliance, RuleResult, Verdict, load_pack
from ictops.inventory import load_inventory
from ictops.playbook.plans import Approval, Plan, PlanStore
from ictops.project import Project

DISTRICTS = ("ภูเขียว", "แก้งคร้อ", "จัตุรัส", "คอนสาร", "บ้านแท่น")
PLATFORMS = ("linux", "cisco_ios", "huawei_vrp")
CHANGED_PER_NIGHT = 10
CONFIG = """hostname {name}
!
enable secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ{night}
username admin privilege 15 secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyz
ntp server 203.158.118.2
logging host 10.10.10.5
{lines}
interface Vlan10
 description school network night {night}
line vty 0 4
 transport input ssh
end
"""


def inventory(root: Path, hosts: int) -> None:
    """inventory/hosts.yaml and groups.yaml: ``hosts`` hosts, 10 per school."""
    inv = root / "inventory"
    inv.mkdir(parents=True, exist_ok=True)
    groups, lines = [], []
    for school in range(hosts // 10 or 1):
        district = DISTRICTS[school % len(DISTRICTS)]
        groups.append(
            f"sch_{school:03d}:\n  site: {district}-{school:03d}\n  district: {district}\n"
            f"  school: {{name: โรงเรียน{district}วิทยา {school}, code: \"10363{school:05d}\"}}\n")
    for i in range(hosts):
        platform = PLATFORMS[i % 3]
        lines.append(f"h{i:04d}:\n  hostname: 127.250.{i // 250}.{i % 250 + 1}\n  platform: {platform}\n"
                     f"  role: {'server' if platform == 'linux' else 'switch'}\n"
                     f"  groups: [sch_{(i // 10):03d}]\n")
    (inv / "groups.yaml").write_text("".join(groups), encoding="utf-8")
    (inv / "hosts.yaml").write_text("".join(lines), encoding="utf-8")


def _compliance(pack, hosts, rng: random.Random) -> list[HostCompliance]:
    out = []
    for host in hosts:
        results = []
        for rule in pack.rules:
            if rule.check_for(host.platform_name) is None:
                status = Verdict.NA
            else:
                status = rng.choices([Verdict.PASS, Verdict.FAIL, Verdict.WARN, Verdict.ERROR],
                                     [70, 22, 5, 3])[0]
            results.append(RuleResult(
                rule_id=rule.id, title_th=rule.title.th, title_en=rule.title.en, status=status,
                severity=rule.severity, message="" if status == Verdict.PASS else f"{rule.id} {status.value}",
                evidence="3" if rule.id == "LNX-PATCH-01" else "", feature=rule.feature))
        out.append(HostCompliance(host=host.name, platform=host.platform_name, pack=pack.name,
                                  source="backup", results=tuple(results)))
    return out


def generate(root: Path, hosts: int = 500, nights: int = 90, seed: int = 14) -> Project:
    """A project at ``root`` with ``nights`` nightly runs over ``hosts`` hosts."""
    rng = random.Random(seed)
    inventory(root, hosts)
    repo = Path(__file__).resolve().parents[1]
    (root / "rules").mkdir(exist_ok=True)
    (root / "rules" / "th-baseline.yaml").write_bytes((repo / "rules" / "th-baseline.yaml").read_bytes())
    project = Project.at(root)
    inv = load_inventory(project.inventory_dir, project.root)
    members = list(inv.hosts.values())
    pack = load_pack(project.root / "rules" / "th-baseline.yaml")
    first = dt.datetime(2026, 9, 1, 19, 0, tzinfo=dt.timezone.utc)  # 02:00 in Bangkok
    store = BackupStore(project.backups_dir)
    base = audit_document("x", first, pack.name, "backup", _compliance(pack, members, rng))
    base_text = json.dumps(base)
    (project.state_dir / "compliance").mkdir(parents=True, exist_ok=True)
    (project.state_dir / "reports").mkdir(parents=True, exist_ok=True)
    moment = first
    trail = AuditTrail.in_state(project.state_dir, fsync=False, operator="ictops",
                                clock=lambda: moment)
    for night in range(nights):
        moment = first + dt.timedelta(days=night)
        run_id = moment.strftime("%Y%m%dT%H%M%SZ") + f"-{night:06x}"
        changed = set(rng.sample(range(hosts), CHANGED_PER_NIGHT))
        with store.begin_run(run_id, "ictops") as txn:
            for i, host in enumerate(members):
                if night and i not in changed:
                    continue
                extra = "\n".join(f"vlan {v}" for v in range(10, 10 + (night if i in changed else 0) % 7))
                text = CONFIG.format(name=host.name, night=night if i in changed else 0, lines=extra)
                files = ({"running-config.txt": text.encode(), "startup-config.txt": text.encode()}
                         if host.is_switch else {"files/etc/ssh/sshd_config": text.encode()})
                txn.stage(host, files, {"host": host.name, "platform": host.platform_name,
                                        "taken_at": moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                        "running_equals_startup": True if host.is_switch else None})
            txn.commit()
        doc = json.loads(base_text)  # a copy, faster than deepcopy
        doc.update(run_id=run_id, time=moment.strftime("%Y-%m-%dT%H:%M:%SZ"))
        for entry in doc["hosts"].values():  # drift: a few verdicts move each night
            for result in entry["results"]:
                if result["status"] in ("pass", "fail") and rng.random() < 0.03:
                    result["status"] = "fail" if result["status"] == "pass" else "pass"
        (project.state_dir / "compliance" / f"{run_id}.json").write_text(
            json.dumps(doc, ensure_ascii=False), encoding="utf-8")
        with trail.batch():
            trail.append(action="playbook.start", status="ok", kind="event", process=2, step=5,
                         run_id=run_id, summary=f"playbooks/nightly.yaml on {hosts} host(s)",
                         data={"playbook": "playbooks/nightly.yaml", "hosts": hosts,
                               "check": False, "routine": True})
            for i, host in enumerate(members):
                status = rng.choices(["ok", "changed", "failed", "unreachable"], [90, 0, 6, 4])[0]
                if i in changed:
                    status = "changed"
                trail.append(action="backup", status=status, host=host.name, process=2, step=5,
                             run_id=run_id, summary="unchanged" if status == "ok" else status)
                trail.append(action="audit", status="ok", host=host.name, process=2, step=5,
                             run_id=run_id, summary=f"score {doc['hosts'][host.name]['score']}")
            report = project.state_dir / "reports" / f"{moment:%Y-%m-%d}-{run_id}.html"
            report.write_text(f"<!doctype html><title>report {run_id}</title><p>night {night}</p>",
                              encoding="utf-8")
            trail.append(action="report", status="changed", host="-", process=2, step=6,
                         run_id=run_id, summary=f"report written: {report.name}")
            trail.append(action="playbook.end", status="ok", kind="event", process=2, step=5,
                         run_id=run_id, summary="finished")
    trail.close()
    _plans(project, first, members[:20])
    return project


def _plans(project: Project, first: dt.datetime, hosts) -> None:
    store = PlanStore(project)
    for n, state in enumerate(("planned",) * 4 + ("approved",) * 3 + ("run",) * 5):
        at = (first + dt.timedelta(days=80 + n)).strftime("%Y-%m-%dT%H:%M:%SZ")
        plan = Plan(
            id=f"plan-2026112{n % 10}T030000Z-{n:06x}", playbook="playbooks/patch.yaml",
            name="Security updates", process=2, limit="role=server", files={}, inventory={},
            planned_by="pimchanok", planned_at=at,
            hosts={h.name: [{"step": 5, "name": "Install security updates", "action": "cmd",
                             "status": "changed", "message": "3 package(s) to upgrade"}]
                   for h in hosts},
            would_change=len(hosts),
            approval=Approval("Director", "area director", at, "ที่ 12/2570") if state != "planned" else None,
            runs=[f"run-{n}"] if state == "run" else [],
        )
        store.save(plan)
