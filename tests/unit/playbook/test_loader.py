"""Playbook input errors: one line, file:line, what to fix."""

from __future__ import annotations

import pytest

from ictops.playbook import PlaybookError, load_playbook
from tests.unit.playbook.helpers import fake_registry, project

GOOD = """\
name: test
process: 2
hosts: a
vars: {wanted: gold}
steps:
  - name: look
    step: 5
    cmd: {command: uptime, changes: false}
    when: "tier == wanted"
    notify: [again]
  - include: tasks/more.yaml
handlers:
  - name: again
    cmd: {command: "true"}
"""
MORE = """\
- name: more
  step: 5
  tags: [x]
  cmd: {command: hostname}
"""


def load(tmp_path, text, extra=None):
    proj, inv = project(tmp_path, {"playbooks/p.yaml": text, **(extra or {})})
    return load_playbook("playbooks/p.yaml", proj, inv, registry=fake_registry())


def error(tmp_path, text, extra=None) -> str:
    with pytest.raises(PlaybookError) as caught:
        load(tmp_path, text, extra)
    message = str(caught.value)
    assert "\n" not in message and "Traceback" not in message
    return message


def test_good_playbook_loads_with_includes_and_handlers(tmp_path):
    book = load(tmp_path, GOOD, {"tasks/more.yaml": MORE})
    assert [s.name for s in book.steps] == ["look", "more"]
    assert book.steps[1].source == "tasks/more.yaml:1"
    assert book.handlers[0].step == 5  # the process's carry-out step by default
    assert book.files == ("playbooks/p.yaml", "tasks/more.yaml")
    assert book.steps[0].args.changes is False


def test_malformed_yaml(tmp_path):
    assert error(tmp_path, "name: x\nsteps: [\n").startswith("playbooks/p.yaml:3: malformed YAML")


def test_unknown_top_key_suggests(tmp_path):
    msg = error(tmp_path, GOOD.replace("hosts: a", "hots: a"), {"tasks/more.yaml": MORE})
    assert msg.startswith("playbooks/p.yaml:3:") and "did you mean 'hosts'" in msg


def test_unknown_process_names_valid_ones(tmp_path):
    msg = error(tmp_path, GOOD.replace("process: 2", "process: 42"))
    assert msg.startswith("playbooks/p.yaml:2:") and "unknown process 42" in msg and "1, 2, 3" in msg


def test_unknown_step(tmp_path):
    msg = error(tmp_path, GOOD.replace("step: 5\n    cmd", "step: 9\n    cmd"))
    assert msg.startswith("playbooks/p.yaml:7:") and "unknown step 9" in msg and "1, 2, 3, 4, 5, 6" in msg


def test_unknown_action_suggests(tmp_path):
    msg = error(tmp_path, GOOD.replace("    cmd: {command: uptime, changes: false}", "    bakup: {}"))
    assert msg.startswith("playbooks/p.yaml:8:") and "unknown key 'bakup'" in msg and "did you mean 'backup'" in msg


def test_unknown_step_key_suggests(tmp_path):
    msg = error(tmp_path, GOOD.replace("    when:", "    wen:"))
    assert msg.startswith("playbooks/p.yaml:9:") and "did you mean 'when'" in msg


def test_bad_action_argument(tmp_path):
    msg = error(tmp_path, GOOD.replace("changes: false", "chnages: false"), {"tasks/more.yaml": MORE})
    assert msg.startswith("playbooks/p.yaml:8:") and "did you mean 'changes'" in msg


def test_two_actions(tmp_path):
    msg = error(tmp_path, GOOD.replace("    when:", "    backup: {}\n    when:"))
    assert "two actions" in msg


def test_bad_when_syntax(tmp_path):
    msg = error(tmp_path, GOOD.replace('"tier == wanted"', '"tier =="'))
    assert msg.startswith("playbooks/p.yaml:9:") and "cannot read the condition" in msg


def test_when_unknown_name(tmp_path):
    msg = error(tmp_path, GOOD.replace('"tier == wanted"', '"rol == \'server\'"'))
    assert msg.startswith("playbooks/p.yaml:9:") and "did you mean 'role'" in msg


def test_include_missing(tmp_path):
    msg = error(tmp_path, GOOD)
    assert msg.startswith("playbooks/p.yaml:11:") and "file not found: tasks/more.yaml" in msg


def test_include_cycle(tmp_path):
    cyc = "- include: tasks/two.yaml\n"
    msg = error(tmp_path, GOOD, {"tasks/more.yaml": cyc, "tasks/two.yaml": "- include: tasks/more.yaml\n"})
    assert msg.startswith("tasks/two.yaml:1:") and "include cycle" in msg
    assert "tasks/more.yaml -> tasks/two.yaml -> tasks/more.yaml" in msg


def test_notify_unknown_handler(tmp_path):
    msg = error(tmp_path, GOOD.replace("notify: [again]", "notify: [agian]"), {"tasks/more.yaml": MORE})
    assert msg.startswith("playbooks/p.yaml:6:") and "did you mean 'again'" in msg


def test_hosts_selecting_nothing(tmp_path):
    msg = error(tmp_path, GOOD.replace("hosts: a", "hosts: nosuch"), {"tasks/more.yaml": MORE})
    assert msg.startswith("playbooks/p.yaml:3:") and "hosts" in msg


def test_bad_serial(tmp_path):
    msg = error(tmp_path, GOOD.replace("hosts: a", "hosts: a\nserial: '150%'"), {"tasks/more.yaml": MORE})
    assert msg.startswith("playbooks/p.yaml:4:") and "serial" in msg


def test_run_level_step_takes_no_when(tmp_path):
    text = GOOD.replace("  - include: tasks/more.yaml\n", "  - name: r\n    step: 6\n    report: {}\n    when: 'true'\n")
    assert "takes no when" in error(tmp_path, text)


def test_notify_mapping_is_the_notify_action(tmp_path):
    text = GOOD.replace("  - include: tasks/more.yaml\n", "  - name: tell\n    step: 4\n    notify: {}\n")
    book = load(tmp_path, text)
    assert book.steps[1].action == "notify" and book.steps[1].run_level


def test_catalogue_error_in_office_file(tmp_path):
    from ictops.audit import Catalogue
    from ictops.errors import InputError

    bad = tmp_path / "cat.yaml"
    bad.write_text("manual: {title_th: x, title_en: y}\nprocesses:\n  - number: 1\n    nme_th: x\n")
    with pytest.raises(InputError) as caught:
        Catalogue.load(bad, "cat.yaml")
    assert "cat.yaml:4: catalogue: unknown key 'processes.0.nme_th'" in str(caught.value)
