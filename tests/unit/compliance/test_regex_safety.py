"""Rule regexes that can backtrack catastrophically are refused at load (issue 8 item 3)."""

from __future__ import annotations

import pytest

from ictops.compliance.backtracking import Backtracking, check_backtracking
from tests.unit.compliance.test_pack_errors import RULE, error_of

# Each takes seconds (doubling per character) on 'a' * 25 + '!' or the like with Python's re.
EXPONENTIAL = [
    r"^(a+)+$", r"(a*)*$", r"(a+)*b", r"(\w+\s?)+$", r"(.*,)+x", r"(a|aa)+$", r"(a+|b)+$",
    r"(a|a)+$", r"(ab|ab)+$", r"(\s*\S+\s*)+x$", r"(a?a)+$", r"((a+)b?)+$", r"(?i)(A+a)+$",
    r"(x+x+)+y", r"(a+){2,}$", r"(a+){1,20}$", r"([a-z]+[0-9]?)+$", r"((a|a)?b)+$",
    r"^(?=(a+)+$)", r"^(\d+)*\.\d+$", r"(?:[\w.-]+@?)+$",
]
# Repetitions whose passes the text splits in one way only.
LINEAR = [
    r"(\d+\.)+\d+", r"(\S+\s+)+", r"(ab|cd)+", r"^(?:\d{1,3}\.){3}\d{1,3}$", r"(ab|ac)+",
    r"(a+b+)+$", r"(?>a+)+$", r"(a+)++$", r"^a+$", r"(a*b*c)+", r"([a-z]+\.)+[a-z]+$",
    r"(\w|\d)+", r"(\d{1,3}\.){3}", r"(foo|barr)+$", r"((\d+|x)\.)+", r"(ab|abc)+",
    r"^ntp server (?:vrf \S+ )?(?:ip |ipv6 )?(\S+)", r"(?:^|\s)@@?\(?[\w.\-\[\]:]+",
    r"^logging \d{1,3}(?:\.\d{1,3}){3}\b", r'^snmp-server community "?(?:public|private)"?(?:\s|$)',
]


@pytest.mark.parametrize("pattern", EXPONENTIAL)
def test_exponential_patterns_are_refused(pattern):
    with pytest.raises(Backtracking, match="exponential time"):
        check_backtracking(pattern)


@pytest.mark.parametrize("pattern", LINEAR)
def test_unambiguous_patterns_are_accepted(pattern):
    check_backtracking(pattern)


def test_rule_pack_with_a_catastrophic_pattern_is_a_located_error(tmp_path):
    body = RULE.replace("pattern: '^ntp server (\\S+)'", "pattern: '^(a+)+$'")
    message = error_of(tmp_path, body)
    assert message.startswith("rules/pack.yaml:14: rule 'NET-TIME-01': 'pattern': "), message
    assert "'^(a+)+$' can take exponential time" in message and "rewrite it" in message


def test_fields_and_parents_are_checked_too(tmp_path):
    body = RULE.replace(
        "      kind: line\n      pattern: '^ntp server (\\S+)'\n",
        "      kind: line\n      scope: section\n      parent: '^(interface \\S+\\s?)+$'\n"
        "      pattern: '^ntp server (\\S+)'\n",
    )
    message = error_of(tmp_path, body)
    assert message.startswith("rules/pack.yaml:15: rule 'NET-TIME-01': 'parent': "), message
