"""The dashboard in a real browser against a state a small lab district made.

The district (127.<net>.60.x: a server, a Cisco and a Huawei switch, and a Cisco switch at
the Thai site ภูเขียว) is backed up, audited, planned and run through the nightly playbook with
the real ``ictops`` command; then the lab is stopped (the dashboard reads only the state) and
headless Chromium reads every page. Screenshots go under the test's basetemp.
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from ictops.audit import verify
from ictops.audit.recorder import trail_path
from ictops.backup.gitrepo import EMPTY_TREE
from ictops.backup.store import BackupStore
from ictops.connections.factory import open_session
from ictops.web.auth import hash_password
from tests.integration.district import make_project, register_routine, start_district, stop_district
from tests.integration.web.dashboard import (
    BEYOND, LOCAL, browser, full_screenshot, serve, tree_digest,
)
from tests.net import LAB

pytestmark = pytest.mark.lab

REPO = Path(__file__).resolve().parents[3]
PASSWORD = "ภูเขียว-dashboard-2569"
THAI_SWITCH = f"""
sw-phukhieo:
  hostname: {LAB}.60.13
  groups: [cisco]
  site: ภูเขียว
  district: ภูเขียว
  school: {{name: โรงเรียนภูเขียว, code: "1036390001"}}
"""
TEAM = """\
office: สำนักงานทดสอบ
unknown_operator: refuse
appointment: {{number: "ที่ 1/2569", date: 2025-10-01, signed_by: director}}
members:
  - {{name: นายทดสอบ ระบบ, username: tester, web_password_hash: "{digest}"}}
  - {{name: Night, username: ictops, role: service}}
approvers:
  - {{name: Director Wichian, position: area director, username: wichian}}
"""
MARK = "description web-dashboard-revision-2"


def _copy(root: Path, *relative: str) -> None:
    for rel in relative:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / rel, target)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """A project whose state was made by backup, audit, plan and the nightly on the lab."""
    if not Path("/usr/sbin/sshd").exists():
        pytest.skip("openssh-server is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("web-lab")
    project = make_project(root, servers=[f"{LAB}.60.1"], cisco=[f"{LAB}.60.11"],
                           huawei=[f"{LAB}.60.12"], extra_hosts=THAI_SWITCH)
    (root / "inventory" / "team.yaml").write_text(TEAM.format(digest=hash_password(PASSWORD)),
                                                   encoding="utf-8")
    _copy(root, "rules/th-baseline.yaml", "tasks/backup.yaml", "playbooks/nightly.yaml",
          "inventory/notify.yaml")
    register_routine(project)  # the nightly is routine: the team's register approves it as it is
    old = os.environ.get("ICTOPS_OPERATOR")
    os.environ["ICTOPS_OPERATOR"] = "tester"
    district = start_district(project)
    try:
        for args in (("backup",), ("audit",), ("plan", "playbooks/nightly.yaml")):
            proc = district.ictops(*args)
            assert proc.returncode in (0, 1), (args, proc.stdout, proc.stderr)
        session = open_session(district.inventory.hosts["sw-phukhieo"], project)
        try:  # a second revision for the diff page
            session.configure(["interface GigabitEthernet1/0/2", MARK])
        finally:
            session.close()
        proc = district.ictops("run", "playbooks/nightly.yaml")
        assert proc.returncode in (0, 1), (proc.stdout, proc.stderr)
    finally:
        district.lab.down()  # the dashboard needs no lab: it reads the state only
        if old is None:
            os.environ.pop("ICTOPS_OPERATOR", None)
        else:
            os.environ["ICTOPS_OPERATOR"] = old
    yield district
    stop_district(district)


@pytest.fixture(scope="module")
def chrome():
    driver = browser()
    try:
        yield driver
    finally:
        driver.quit()


def _nightly(project) -> dict:
    from ictops.web.runs import summarise_runs
    from ictops.audit.show import read_records

    runs = [r for r in summarise_runs(read_records(trail_path(project)))
            if r.title == "playbooks/nightly.yaml" and not r.check]
    assert len(runs) == 1, runs
    return runs[0]


def _secrets(project, host: str, rev: str) -> list[str]:
    """The values the store's masking hides in the host's running config (raw vs masked)."""
    store = BackupStore(project.backups_dir)
    raw = store.show(host, rev, "running-config.txt", masked=False).splitlines()
    masked = store.show(host, rev, "running-config.txt").splitlines()
    hidden = []
    for before, after in zip(raw, masked):
        if before != after:
            hidden += [w for w in before.split() if w not in after.split() and len(w) >= 4]
    return hidden


def _follow(driver, element) -> None:
    """Click and wait (with a deadline) until the answer replaced the page: a loaded machine
    may take a while (the password check, a page)."""
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    element.click()
    WebDriverWait(driver, 60).until(expected_conditions.staleness_of(element))


def _submit(driver) -> None:
    _follow(driver, driver.find_element("id", "sign-in"))


def _text(driver, css: str) -> str:
    return driver.find_element("css selector", css).text


def test_every_page_shows_the_lab_state_in_thai_and_changes_nothing(made, chrome, tmp_path):
    project = made.project
    shots = tmp_path / "screenshots"
    nightly = _nightly(project)
    audit = json.loads(sorted((project.state_dir / "compliance").glob("*.json"))[-1].read_text())
    before = None
    with serve(project.root, bind=LOCAL, login=False) as (url, _, _):
        before = tree_digest(project.state_dir)

        chrome.get(url + "/")
        assert chrome.title.startswith("สถานะเครื่อง")
        rows = {tr.get_attribute("data-host"): tr for tr in
                chrome.find_elements("css selector", "#fleet tbody tr")}
        assert set(rows) == {"srv-1", "sw-cisco-1", "sw-huawei-1", "sw-phukhieo"}
        thai = rows["sw-phukhieo"].text
        assert "โรงเรียนภูเขียว" in thai and "ภูเขียว" in thai
        assert "เปลี่ยนแปลง" in rows["sw-phukhieo"].find_element("css selector", ".last-run").text
        assert "ปกติ" in rows["sw-huawei-1"].find_element("css selector", ".last-run").text
        for name, row in rows.items():  # last run: the nightly; dates in the Buddhist Era
            link = row.find_element("css selector", ".last-run a").get_attribute("href")
            assert nightly.run_id in link, (name, link)
            assert "2569" in row.find_element("css selector", ".backup").text or \
                "2570" in row.find_element("css selector", ".backup").text
            score = audit["hosts"][name]["score"]
            assert row.find_element("css selector", ".score-cell").text == f"{score:.1f}"
        assert rows["srv-1"].find_element("css selector", ".pending").text != "-"
        assert "บันทึกครบถ้วน" in _text(chrome, "#trail-tile")
        full_screenshot(chrome, shots / "fleet-th.png")

        chrome.get(url + "/compliance")
        points = chrome.find_element("id", "trend").get_attribute("data-points")
        assert points is not None and int(points) >= 1  # Chart.js ran and drew the trend
        hosts = [tr.get_attribute("data-host") for tr in
                 chrome.find_elements("css selector", "#compliance-hosts tbody tr")]
        assert sorted(hosts) == ["srv-1", "sw-cisco-1", "sw-huawei-1", "sw-phukhieo"]
        full_screenshot(chrome, shots / "compliance-th.png")
        for query, wanted in (("district=ภูเขียว", 4), ("platform=huawei_vrp", 1),
                              ("school=โรงเรียนภูเขียว&district=ภูเขียว", 1)):
            chrome.get(url + "/compliance?" + query)
            assert len(chrome.find_elements("css selector", "#compliance-hosts tbody tr")) == wanted
        chrome.get(url + "/compliance?school=โรงเรียนภูเขียว&severity=critical")
        hosts = [tr.get_attribute("data-host") for tr in
                 chrome.find_elements("css selector", "#compliance-hosts tbody tr")]
        assert hosts == ["sw-phukhieo"]
        severities = {td.text for td in
                      chrome.find_elements("css selector", "#compliance-rules tbody tr td:nth-child(3)")}
        assert severities == {"วิกฤต"}
        chrome.get(url + "/compliance/host/sw-phukhieo")
        assert _text(chrome, "#host-score") == f"{audit['hosts']['sw-phukhieo']['score']:.1f}"
        rules = {tr.get_attribute("data-rule") for tr in
                 chrome.find_elements("css selector", "#host-results tbody tr")}
        assert rules == {r["rule"] for r in audit["hosts"]["sw-phukhieo"]["results"]}

        chrome.get(url + "/backups/sw-phukhieo")
        revisions = [tr.get_attribute("data-rev") for tr in
                     chrome.find_elements("css selector", "#history tbody tr")]
        assert len(revisions) == 2
        diff = _text(chrome, "#diff")
        assert MARK in diff and "+" in diff
        chrome.get(f"{url}/backups/sw-phukhieo?a={revisions[1]}&b={revisions[0]}")
        assert MARK in _text(chrome, "#diff")
        secrets = _secrets(project, "sw-phukhieo", revisions[0])
        assert secrets, "the lab switch config has no secret to mask?"
        chrome.get(f"{url}/backups/sw-phukhieo?a={EMPTY_TREE}&b={revisions[0]}")  # every line
        assert "<removed>" in _text(chrome, "#diff")
        assert not [s for s in secrets if s in chrome.page_source]
        full_screenshot(chrome, shots / "backup-diff.png")
        _follow(chrome, chrome.find_element("css selector", "#files a[href*='running-config']"))
        assert "<removed>" in _text(chrome, "#file")
        assert not [s for s in secrets if s in chrome.page_source]
        full_screenshot(chrome, shots / "backup-file.png")

        chrome.get(url + "/trail")
        assert "บันทึกครบถ้วน" in _text(chrome, "#verify-status")
        expected = verify(trail_path(project)).records
        assert f"{expected} รายการ" in _text(chrome, "#verify")
        assert len(chrome.find_elements("css selector", "#trail tbody tr")) == min(expected, 100)
        full_screenshot(chrome, shots / "trail-th.png")
        chrome.get(f"{url}/trail?host=sw-phukhieo&process=2&step=5&status=changed&run={nightly.run_id}")
        seqs = [tr.get_attribute("data-seq") for tr in chrome.find_elements("css selector", "#trail tbody tr")]
        assert len(seqs) == 1  # the nightly's backup of the changed switch
        chrome.get(url + "/trail?since=2400-01-01&until=2400-01-02")  # B.E. 2400 = 1857 C.E.
        assert chrome.find_element("id", "no-records")
        full_screenshot(chrome, shots / "trail-none-th.png")

        chrome.get(url + "/runs")
        states = {tr.get_attribute("data-plan"): tr.get_attribute("data-state") for tr in
                  chrome.find_elements("css selector", "#plans tbody tr")}
        assert list(states.values()) == ["planned"]
        plan_id = next(iter(states))
        runs = [tr.get_attribute("data-run") for tr in chrome.find_elements("css selector", "#runs tbody tr")]
        assert nightly.run_id in runs and runs[0] == nightly.run_id
        full_screenshot(chrome, shots / "runs-th.png")
        chrome.get(f"{url}/plans/{plan_id}")
        assert _text(chrome, "#plan-state") == "รออนุมัติ"
        assert {tr.get_attribute("data-host") for tr in
                chrome.find_elements("css selector", "#plan-hosts tbody tr")} >= {"sw-phukhieo"}

        chrome.get(url + "/reports")
        reports = [tr.get_attribute("data-report") for tr in chrome.find_elements("css selector", "#reports tbody tr")]
        assert reports and all(r.endswith((".pdf", ".html")) for r in reports)
        with urllib.request.urlopen(f"{url}/reports/{urllib.request.quote(reports[0])}") as answer:
            assert answer.status == 200 and answer.read(4) in (b"%PDF", b"<!DO", b"<!do", b"<htm")
        full_screenshot(chrome, shots / "reports-th.png")

        chrome.get(url + "/")
        _follow(chrome, chrome.find_element("id", "lang-switch"))
        assert chrome.title.startswith("Fleet")
        assert "changed" in _text(chrome, "#fleet tr[data-host='sw-phukhieo'] .last-run")
        full_screenshot(chrome, shots / "fleet-en.png")
        chrome.get(url + "/compliance")
        full_screenshot(chrome, shots / "compliance-en.png")
        _follow(chrome, chrome.find_element("id", "lang-switch"))  # back to Thai for the others
        assert chrome.title.startswith("ความสอดคล้อง")

        for verb in ("POST", "PUT", "DELETE"):
            request = urllib.request.Request(url + "/backups/sw-phukhieo", method=verb, data=b"x=1")
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request)
            assert refused.value.code == 405
        assert tree_digest(project.state_dir) == before  # nothing the pages did wrote anything


PHONE_PAGES = ("/", "/compliance", "/compliance/host/sw-phukhieo", "/backups",
               "/backups/sw-phukhieo", "/trail", "/runs", "/reports")
SIDEWAYS = """
const wide = [...document.querySelectorAll('table')].filter(table =>
  table.getBoundingClientRect().width > window.innerWidth
  || (table.rows[0] && table.rows[0].cells.length > 3
      && getComputedStyle(table.tBodies[0].rows[0] || table.rows[0]).display !== 'block'));
return [document.documentElement.scrollWidth, wide.map(t => t.id)];
"""


def test_a_phone_sees_every_page_without_sideways_scrolling(made, tmp_path):
    """On a phone every page fits the screen: wide tables become one card per row."""
    phone = browser(390, 844, phone=True)
    try:
        with serve(made.project.root, bind=LOCAL, login=False) as (url, _, _):
            phone.get(url + "/")
            row = phone.find_element("css selector", "#fleet tr[data-host='sw-phukhieo']")
            assert phone.execute_script("return window.innerWidth") == 390
            assert row.size["width"] <= 390  # one card per host, no sideways scrolling
            label = phone.execute_script(
                "return getComputedStyle(arguments[0], '::before').content",
                row.find_element("css selector", ".score-cell"))
            assert "คะแนน" in label
            for page in PHONE_PAGES:
                phone.get(url + page)
                width, wide = phone.execute_script(SIDEWAYS)
                assert (page, width, wide) == (page, 390, [])
                name = page.strip("/").replace("/", "-") or "fleet"
                full_screenshot(phone, tmp_path / "screenshots" / f"phone-{name}.png")
    finally:
        phone.quit()


def test_beyond_loopback_the_dashboard_asks_for_a_team_password(made, chrome, tmp_path):
    with serve(made.project.root, bind=BEYOND, login=True) as (url, proc, said):
        with urllib.request.urlopen(url + "/trail") as answer:  # redirected to the sign-in
            assert answer.url.startswith(url + "/login") and "ictops_session" not in str(answer.headers)
            assert "รหัสผ่าน" in answer.read().decode()
        chrome.delete_all_cookies()
        chrome.get(url + "/backups/sw-phukhieo")
        assert chrome.current_url.startswith(url + "/login")
        assert chrome.find_element("id", "login-why")
        chrome.find_element("id", "username").send_keys("tester")
        chrome.find_element("id", "password").send_keys("wrong password")
        _submit(chrome)
        assert "ไม่ถูกต้อง" in _text(chrome, "#login-error")
        full_screenshot(chrome, tmp_path / "screenshots" / "login-refused.png")
        chrome.find_element("id", "username").clear()
        chrome.find_element("id", "username").send_keys("tester")
        chrome.find_element("id", "password").send_keys(PASSWORD)
        _submit(chrome)
        assert chrome.current_url == url + "/backups/sw-phukhieo"  # back where it was going
        assert "tester" in chrome.find_element("css selector", ".user").text
        full_screenshot(chrome, tmp_path / "screenshots" / "signed-in.png")
        proc.send_signal(2)
        _, err = proc.communicate(timeout=10)
    assert f"http://{BEYOND}:" in said and "sign-in required" in err


def test_beyond_loopback_without_any_password_hash_it_refuses_to_start(made, tmp_path):
    root = tmp_path / "no-login"
    shutil.copytree(made.project.root / "inventory", root / "inventory")
    team = (root / "inventory" / "team.yaml").read_text(encoding="utf-8")
    start = team.index(", web_password_hash")
    (root / "inventory" / "team.yaml").write_text(team[:start] + "}" + team[team.index("\n", start):],
                                                 encoding="utf-8")
    proc = made.ictops("--project", str(root), "web", "--bind", BEYOND, "--port", "18799")
    assert proc.returncode == 2
    assert "web_password_hash" in proc.stderr and "Traceback" not in proc.stderr
