"""Rule-pack input errors: one line each, naming file:line, what is wrong and what to do."""

from __future__ import annotations

import textwrap

import pytest

from ictops.compliance import RulePackError, load_pack
from ictops.errors import ExitCode, InputError

HEADER = """\
pack: test
title: {th: ทดสอบ, en: test}
vars:
  limit: 10
rules:
"""

RULE = """\
  - id: NET-TIME-01
    title: {th: เวลา, en: time}
    severity: high
    platforms: [cisco_ios]
    basis:
      - {ref: "MICT 2550", clause: "cl.9", verified: true}
    check:
      kind: line
      pattern: '^ntp server (\\S+)'
    remediation:
      text: {th: แก้, en: fix}
"""


def load(tmp_path, body: str):
    path = tmp_path / "rules" / "pack.yaml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(
        HEADER + textwrap.dedent(body) if not body.startswith("pack") else body, encoding="utf-8"
    )
    return load_pack(path, "rules/pack.yaml")


def error_of(tmp_path, body: str) -> str:
    with pytest.raises(InputError) as caught:
        load(tmp_path, body)
    message = str(caught.value)
    assert "\n" not in message, message
    assert caught.value.exit_code == ExitCode.BAD_INPUT
    return message


def test_valid_pack_loads(tmp_path):
    assert load(tmp_path, RULE).rules[0].id == "NET-TIME-01"


def test_unknown_key_with_suggestion(tmp_path):
    body = RULE.replace("    severity: high", "    severty: high")
    assert error_of(tmp_path, body) == (
        "rules/pack.yaml:8: rule 'NET-TIME-01': unknown key 'severty' (did you mean 'severity'?)"
    )


def test_unknown_key_inside_check(tmp_path):
    body = RULE.replace("      pattern:", "      patern:")
    assert error_of(tmp_path, body) == (
        "rules/pack.yaml:14: rule 'NET-TIME-01': unknown key 'patern' (did you mean 'pattern'?)"
    )


def test_bad_yaml(tmp_path):
    message = error_of(tmp_path, RULE + "    tags: [a, b\n")
    assert message.startswith("rules/pack.yaml:") and "malformed YAML" in message


def test_wrong_type(tmp_path):
    message = error_of(
        tmp_path, RULE.replace("kind: line\n", "kind: line\n      min_count: many\n")
    )
    assert message.startswith("rules/pack.yaml:14: rule 'NET-TIME-01': 'min_count':"), message


def test_duplicate_rule_id(tmp_path):
    message = error_of(tmp_path, RULE + RULE)
    assert message == (
        "rules/pack.yaml:17: rule 'NET-TIME-01': duplicate rule id (first at line 6); "
        "ids must be unique"
    )


def test_duplicate_key(tmp_path):
    message = error_of(
        tmp_path, RULE.replace("    severity: high\n", "    severity: high\n    severity: low\n")
    )
    assert message == (
        "rules/pack.yaml:9: duplicate key 'severity' (first defined at line 8); "
        "remove or rename one of them"
    )


def test_unknown_check_kind(tmp_path):
    message = error_of(tmp_path, RULE.replace("kind: line", "kind: lines"))
    assert message.startswith(
        "rules/pack.yaml:12: rule 'NET-TIME-01': unknown check kind 'lines' (did you mean 'line'?)"
    ), message


def test_bad_regex(tmp_path):
    message = error_of(tmp_path, RULE.replace("'^ntp server (\\S+)'", "'^ntp server (\\S+'"))
    assert message.startswith(
        "rules/pack.yaml:14: rule 'NET-TIME-01': 'pattern': bad regular expression"
    ), message


def test_unknown_variable_and_platform(tmp_path):
    message = error_of(
        tmp_path, RULE.replace("kind: line\n", "kind: line\n      min_count: $limmit\n")
    )
    assert (
        message
        == "rules/pack.yaml:14: rule 'NET-TIME-01': unknown variable '$limmit'; define it under 'vars'"
    )
    message = error_of(tmp_path, RULE.replace("[cisco_ios]", "[cisco_iso]"))
    assert "unknown platform 'cisco_iso' (did you mean 'cisco_ios'?)" in message


def test_bad_expression_and_template(tmp_path):
    body = RULE.replace("kind: line\n", "kind: line\n      where: [{value: __import__('os')}]\n")
    assert error_of(tmp_path, body) == ("rules/pack.yaml:14: rule 'NET-TIME-01': 'value': expression "
                                        "\"__import__('os')\": only abs, min and max may be called")
    body = RULE + "      commands: {cisco_ios: '{% for x in %}'}\n"
    message = error_of(tmp_path, body)
    assert (
        message.startswith("rules/pack.yaml:") and "remediation template for cisco_ios" in message
    )


def test_empty_and_not_a_mapping(tmp_path):
    assert "rules/pack.yaml:1: a rule pack is a mapping" in error_of(tmp_path, "pack")
    assert isinstance(RulePackError("x"), InputError)
