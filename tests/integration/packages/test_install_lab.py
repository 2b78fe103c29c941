"""Installing packages and config files on lab servers in their own Debian roots (127.N.64.x):
CHANGED then OK, check mode changes nothing, a template's masked diff, atomic upload and one
restart through its handler, a plan refused on the host changed by hand, and bad input."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.lab.rooted import ok, rooted_district
from tests.integration.packages.helpers import (
    ictops,
    ictops_json,
    installed,
    plan_id,
    prepare,
    results,
    run_planned,
)
from tests.net import LAB

pytestmark = pytest.mark.lab

SERVERS = {f"in-{i}": (f"{LAB}.64.{i}", "typical") for i in range(1, 5)}
CONF = "/etc/ictops-lab-hello.conf"
TOKEN = "tok-Zq81-never-shown"


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    with rooted_district(tmp_path_factory.mktemp("install"), SERVERS) as district:
        prepare(district)
        yield district


def starts(lab, name: str) -> int:
    """How many times ictops-lab-hello started on the server (its own log)."""
    log = ok(lab, name, "cat /var/log/ictops-lab-hello.log 2>/dev/null; true")
    return len(re.findall(r" start version=", log))


def test_package_install_changed_then_ok(lab) -> None:
    verb = ["package", "install", "ictops-lab-tools", "-l", "in-1"]
    code, check = ictops_json(lab, *verb, "--check")
    assert code == 0, check
    assert results(check)["in-1"]["message"] == "check: would install ictops-lab-tools 1.1-1"
    assert installed(lab, "in-1").get("ictops-lab-tools") is None  # check changed nothing
    checked = [r for r in trail(lab) if r.get("action") == "package" and r.get("run_id") == check["run_id"]]
    assert [(r["process"], r["step"], r["data"]["check"], r["data"]["carry_out_step"])
            for r in checked] == [(2, 2, True, 5)]  # a check is recorded under the plan step

    refused = ictops(lab, *verb)
    assert refused.returncode == 2
    path = re.search(r"ictops plan (state/verbs/\S+\.yaml)", refused.stderr).group(1)
    assert "is not routine: make a plan first" in refused.stderr

    found = plan_id(lab, path, "-l", "in-1")
    code, first = ictops_json(lab, *verb, "--plan", found)
    assert code == 0, first
    assert (results(first)["in-1"]["status"], results(first)["in-1"]["message"]) == (
        "changed", "installed ictops-lab-tools 1.1-1")
    done = [r for r in trail(lab) if r.get("action") == "package" and r.get("run_id") == first["run_id"]]
    assert [(r["process"], r["step"], r["status"]) for r in done] == [(2, 5, "changed")]
    assert installed(lab, "in-1")["ictops-lab-tools"] == "1.1-1"

    code, second = ictops_json(lab, *verb, "--plan", plan_id(lab, path, "-l", "in-1"))
    assert code == 0, second
    assert (results(second)["in-1"]["status"], results(second)["in-1"]["message"]) == (
        "ok", "already ictops-lab-tools 1.1-1")


def trail(lab) -> list[dict]:
    path = lab.project.root / "state" / "audit" / "trail.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_patch_list_reads_and_is_recorded(lab) -> None:
    code, listed = ictops_json(lab, "patch", "list", "-l", "in-4")
    assert code == 0, listed
    [host] = listed["hosts"]
    assert host["message"] == "2 pending (1 security)"
    assert [(u["name"], u["current"], u["candidate"], u["security"]) for u in host["listing"]["updates"]] == [
        ("ictops-lab-hello", "1.0-1", "1.1-1", None), ("ictops-lab-kernel", "1.0-1", "1.1-1", "1.1-1")]
    records = [r for r in trail(lab) if r.get("run_id") == listed["run_id"] and r.get("host") == "in-4"]
    assert [(r["action"], r["process"], r["step"], r["status"]) for r in records] == [
        ("patch list", 2, 5, "ok")]
    kept = json.loads((lab.project.root / "state" / "patches" / "in-4.json").read_text())
    assert (kept["source"], kept["run_id"]) == ("patch list", listed["run_id"])


def fingerprint(lab, name: str) -> str:
    """dpkg's state and the hashes of the files a check could touch."""
    return ok(lab, name, "sha256sum /var/lib/dpkg/status /etc/ictops-lab-hello.conf "
                         "/var/log/ictops-lab-hello.log; ls -la --time-style=+%s /etc | sha256sum; "
                         "ls /var/run/reboot-required* 2>/dev/null; true", sudo=True)


def test_check_mode_changes_nothing(lab) -> None:
    before = fingerprint(lab, "in-2")
    for args in (["run", "playbooks/install.yaml", "-l", "in-2", "--check", "--diff"],
                 ["run", "playbooks/patch.yaml", "-l", "in-2", "--check"],
                 ["package", "remove", "ictops-lab-hello", "-l", "in-2", "--check"],
                 ["patch", "-l", "in-2", "--reboot", "always", "--check"]):
        code, run = ictops_json(lab, *args)
        assert code == 0, run
        assert {r["status"] for r in results(run).values()} == {"changed"}, run  # would change
    assert fingerprint(lab, "in-2") == before


def test_template_masked_diff_atomic_upload_and_one_restart(lab) -> None:
    root = lab.project.root
    # the shipped install playbook, with a token in the template (a secret the diff must mask)
    book = (root / "playbooks" / "install.yaml").read_text()
    (root / "playbooks" / "install-token.yaml").write_text(
        book.replace("ictops-lab-hello.conf.j2", "hello-token.conf.j2")
        .replace("greeting: สวัสดีจากสำนักงานเขต", f"greeting: สวัสดีจากสำนักงานเขต\n  token: {TOKEN}"))
    template = (root / "templates" / "servers" / "ictops-lab-hello.conf.j2").read_text()
    (root / "templates" / "servers" / "hello-token.conf.j2").write_text(template + "api_token = {{ token }}\n")
    inode = ok(lab, "in-3", f"stat -c %i {CONF}")
    before = starts(lab, "in-3")

    shown = ictops(lab, "plan", "playbooks/install-token.yaml", "-l", "in-3", "--diff")
    assert shown.returncode == 0, shown.stderr
    assert "+api_token = <removed>" in shown.stdout and "+greeting = สวัสดีจากสำนักงานเขต" in shown.stdout
    assert TOKEN not in shown.stdout

    code, run = run_planned(lab, "playbooks/install-token.yaml", "-l", "in-3")
    assert code == 0, run
    assert results(run, "template")["in-3"]["status"] == "changed"
    assert TOKEN not in str(run) and "<removed>" in results(run, "template")["in-3"]["diff"]
    assert results(run, "service")["in-3"]["message"] == "ictops-lab-hello restarted"
    assert starts(lab, "in-3") == before + 1  # restarted once, by the handler
    assert TOKEN in ok(lab, "in-3", f"cat {CONF}", sudo=True)  # the host has the real value
    assert ok(lab, "in-3", f"stat -c %i {CONF}") != inode  # renamed into place, not rewritten
    assert ok(lab, "in-3", "ls -a /etc | grep -c '^[.].*[.]ictops-' ; true").strip() == "0"  # no temporary
    trail = (root / "state" / "audit" / "trail.jsonl").read_text()
    assert TOKEN not in trail

    code, again = run_planned(lab, "playbooks/install-token.yaml", "-l", "in-3")
    assert code == 0, again
    assert results(again, "template")["in-3"]["message"] == f"file unchanged: {CONF}"
    assert "service" not in {s["action"] for s in again["steps"] if s["handler"]}
    assert starts(lab, "in-3") == before + 1  # no restart on the second run


def test_validate_refusal_keeps_the_old_file(lab) -> None:
    root = lab.project.root
    (root / "playbooks" / "bad-conf.yaml").write_text(
        "name: a config the validate refuses\nprocess: 2\nhosts: in-4\nsteps:\n"
        "  - name: write it\n    step: 5\n"
        f"    copy: {{content: \"hello = no greeting here\\n\", dest: {CONF}, "
        "validate: \"grep -q '^greeting' %s\"}\n")
    before = ok(lab, "in-4", f"sha256sum {CONF}", sudo=True)
    code, run = run_planned(lab, "playbooks/bad-conf.yaml")
    assert code == 1, run
    result = results(run)["in-4"]
    assert result["status"] == "failed"
    assert result["message"].startswith("not replaced: validate 'grep -q '^greeting' %s' refused")
    assert ok(lab, "in-4", f"sha256sum {CONF}", sudo=True) == before
    assert ok(lab, "in-4", "ls -a /etc | grep -c '^[.].*[.]ictops-' ; true").strip() == "0"


def test_run_plan_refuses_the_host_changed_by_hand_and_runs_the_others(lab) -> None:
    hosts = "in-1 or in-2"
    found = plan_id(lab, "playbooks/patch.yaml", "-l", hosts)
    # after the approval, someone installs the kernel update on in-2 by hand
    ok(lab, "in-2", "DEBIAN_FRONTEND=noninteractive apt-get install -y -q ictops-lab-kernel "
                    "</dev/null", sudo=True)
    code, run = ictops_json(lab, "run", "playbooks/patch.yaml", "--plan", found, timeout=600)
    assert code == 1, run
    got = results(run, "patch")
    assert got["in-2"]["status"] == "failed" and got["in-2"]["error_kind"] == "plan_moved"
    assert got["in-1"]["status"] == "changed", got["in-1"]
    assert installed(lab, "in-1")["ictops-lab-kernel"] == "1.1-1"


BAD = [
    ("package: {name: ictops-lab-hello, state: installed}", "state"),
    ("template: {src: templates/nope.j2, dest: /etc/x.conf}", "template not found: templates/nope.j2"),
    ("template: {src: templates/undefined.j2, dest: /etc/x.conf}", "uses 'no_such_var'"),
    ("copy: {content: x, dest: etc/x.conf}", "must be an absolute file path"),
]


@pytest.mark.parametrize("step, words", BAD)
def test_bad_input_is_one_line_file_line_exit_2(lab, step, words) -> None:
    root = lab.project.root
    (root / "templates" / "undefined.j2").write_text("a = {{ no_such_var }}\n")
    (root / "playbooks" / "bad.yaml").write_text(
        "name: bad\nprocess: 2\nsteps:\n  - name: the step\n    step: 5\n    " + step + "\n")
    proc = ictops(lab, "run", "playbooks/bad.yaml", "--check")
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("ictops: error: playbooks/bad.yaml:6: ") and words in lines[0], lines
