"""`ictops audit --files`: configs not in the backup store, platform recognised, lines as given."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from ictops.compliance import Verdict
from ictops.compliance.files import FILE_NA, audit_files, detect_platform, load_files
from ictops.errors import InputError
from tests.conftest import REPO
from tests.fixtures import CORPUS, corpus_files, fixture

from .conftest import GOOD_IOS


@pytest.mark.parametrize("name", corpus_files())
def test_every_corpus_config_is_recognised(name: str) -> None:
    text = fixture(f"corpus/{name}").read_text(encoding="utf-8")
    assert detect_platform(text, name) == name.split("/")[0]


def test_huawei_is_recognised() -> None:
    vrp = "#\n sysname sw-huawei\n#\ninterface Vlanif1\n#\nuser-interface vty 0 4\n#\nreturn\n"
    assert detect_platform(vrp, "x") == "huawei_vrp"


def test_lines_are_the_files_own_and_backup_rules_do_not_apply(tmp_path: Path, pack) -> None:
    # a school's export: CRLF line ends and a header before the config, kept as they are
    text = "Building configuration...\r\n\r\nCurrent configuration : 1234 bytes\r\n" + GOOD_IOS.replace(
        "\n", "\r\n").replace("line vty 0 4\r\n access-class MGMT-ACCESS in\r\n", "line vty 0 4\r\n")
    path = tmp_path / "sw-school.cfg"
    path.write_bytes(text.encode())
    configs, skipped = load_files([path])
    assert skipped == [] and [(c.platform, c.detected) for c in configs] == [("cisco_ios", True)]
    (result,) = audit_files(pack, configs)
    by_rule = {r.rule_id: r for r in result.results}
    mgmt = by_rule["NET-MGMT-02"]
    assert mgmt.status == Verdict.FAIL
    line = int(mgmt.where.rsplit(":", 1)[1])
    assert mgmt.where.startswith(f"{path}:") and text.splitlines()[line - 1] == "line vty 0 4"
    assert (by_rule["NET-BAK-01"].status, by_rule["NET-BAK-01"].message) == (Verdict.NA, FILE_NA)
    assert result.host == "sw-school.cfg" and result.source == f"file {path}"
    assert not [r for r in result.results if r.status == Verdict.ERROR]


def test_directories_skip_what_is_not_a_config_and_named_files_do_not(tmp_path: Path) -> None:
    (tmp_path / "sent").mkdir()
    (tmp_path / "sent" / "a.cfg").write_text(GOOD_IOS)
    (tmp_path / "sent" / "notes.txt").write_text("please check our switch\n")
    (tmp_path / "sent" / ".hidden").write_text(GOOD_IOS)
    configs, skipped = load_files([tmp_path / "sent"])
    assert [Path(c.shown).name for c in configs] == ["a.cfg"]
    assert len(skipped) == 1 and "notes.txt: not recognised as a switch configuration" in skipped[0]
    with pytest.raises(InputError, match="notes.txt: not recognised .*give --platform"):
        load_files([tmp_path / "sent" / "notes.txt"])
    with pytest.raises(InputError, match="missing.cfg: no such file or directory"):
        load_files([tmp_path / "missing.cfg"])
    with pytest.raises(InputError, match="--platform junos: unknown platform; use one of"):
        load_files([tmp_path / "sent"], "junos")
    (tmp_path / "bin.cfg").write_bytes(b"hostname x\x00\x01")
    with pytest.raises(InputError, match="bin.cfg: binary data"):
        load_files([tmp_path / "bin.cfg"])


def _ictops(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("ICTOPS_PROJECT", "ICTOPS_AUDIT_KEY_FILE")}
    env.update(ICTOPS_OPERATOR="tester", COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "ictops", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=120, check=False)


def test_cli_takes_several_files_as_a_shell_glob_gives_them(tmp_path: Path) -> None:
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text("{}\n")
    (tmp_path / "rules").symlink_to(REPO / "rules")
    ios = sorted(CORPUS.glob("cisco_ios/*.cfg"))[:2]
    proc = _ictops(tmp_path, "audit", "--files", *map(str, ios), "--fail-on", "never",
                   "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [h["host"] for h in doc["hosts"]] == [p.name for p in ios] and doc["mode"] == "files"
    assert f"note: {ios[0]}: recognised as cisco_ios" in proc.stderr
    failing = _ictops(tmp_path, "audit", "--files", str(ios[0]))  # default --fail-on high
    assert failing.returncode == 1
    trail = (tmp_path / "state" / "audit" / "trail.jsonl").read_text().splitlines()
    rec = json.loads(trail[0])
    assert (rec["action"], rec["process"], rec["step"], rec["operator"]) == ("audit.files", 7, 4, "tester")
    assert rec["data"]["files"] == [str(p) for p in ios]
    bad = _ictops(tmp_path, "audit", "--files", str(ios[0]), "-l", "all")
    assert bad.returncode == 2 and "--files audits files" in bad.stderr
    alone = _ictops(tmp_path, "audit", "--platform", "cisco_ios")
    assert alone.returncode == 2 and "--platform goes with --files" in alone.stderr
