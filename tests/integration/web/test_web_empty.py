"""The dashboard of a project that has done nothing yet: every page says so, none fails."""

from __future__ import annotations

from ictops.project import Project
from tests.integration.web.dashboard import LOCAL, browser, full_screenshot, serve

HOSTS = """\
sw-phukhieo:
  hostname: 127.0.0.9
  platform: cisco_ios
  site: ภูเขียว
  district: ภูเขียว
  school: {name: โรงเรียนภูเขียว, code: "1036390001"}
"""
PAGES = {
    "/": "empty-state", "/compliance": "no-compliance", "/backups": "no-backups",
    "/backups/sw-phukhieo": "no-backup", "/trail": "no-records", "/runs": "no-plans",
    "/reports": "no-reports",
}


def test_an_empty_state_shows_what_to_do_on_every_page(tmp_path):
    (tmp_path / "inventory").mkdir()
    (tmp_path / "inventory" / "hosts.yaml").write_text(HOSTS, encoding="utf-8")
    project = Project.at(tmp_path)
    driver = browser()
    try:
        with serve(project.root, bind=LOCAL, login=False) as (url, _, _):
            for page, marker in PAGES.items():
                driver.get(url + page)
                assert driver.find_element("id", marker).text, page
                assert "500" not in driver.title
                full_screenshot(driver, tmp_path / "screenshots" / f"empty{page.replace('/', '-') or '-'}.png")
            driver.get(url + "/")
            assert "ictops backup" in driver.find_element("id", "empty-state").text
            row = driver.find_element("css selector", "#fleet tr[data-host='sw-phukhieo']")
            assert "ภูเขียว" in row.text and "ยังไม่เคย" in row.text
            driver.get(url + "/trail")
            assert driver.find_element("id", "verify-status").text == "บันทึกครบถ้วน ไม่ถูกแก้ไข"
    finally:
        driver.quit()
    assert not (project.state_dir).exists()  # reading made no state directory
