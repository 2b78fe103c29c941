"""Every real config in tests/fixtures/corpus parses and audits with no ERROR from parsing."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ictops.compliance import StaticEvidence, Verdict, evaluate
from ictops.compliance.configtree import parse_config
from ictops.compliance.evaluate import LIVE_NEEDED

from tests.fixtures import corpus_files, fixture

from .conftest import make_host

FILES = corpus_files()


@pytest.mark.parametrize("name", FILES)
def test_corpus_file_audits_without_error(pack, name):
    path: Path = fixture(f"corpus/{name}")
    platform = path.parent.name
    text = path.read_text(encoding="utf-8")
    tree = parse_config(text, platform)
    assert tree.roots and tree.roots[0].text  # something was read
    result = evaluate(pack, make_host(platform), StaticEvidence(text, age_days=1, saved=True))
    errors = [r for r in result.results if r.status == Verdict.ERROR and r.message != LIVE_NEEDED]
    assert not errors, errors
    assert result.score is not None
    for r in result.results:  # masked evidence never shows a hash or community
        assert "5baa61e4c9b93f3f0682250b6cf8331b7ee68fd8" not in r.evidence


def test_dc1_border_has_both_aaa_lines(pack):
    text = fixture("corpus/cisco_ios/batfish-example2-dc1-border-01.cfg").read_text()
    tree = parse_config(text, "cisco_ios")
    texts = [n.text for n in tree.roots]
    assert "no aaa new-model" in texts and "aaa new-model" in texts
    aaa = evaluate(pack, make_host(), StaticEvidence(text), rule_ids=["NET-AAA-01"]).results[0]
    assert (
        aaa.status == Verdict.FAIL and "accounting" in aaa.message
    )  # aaa new-model itself is found


def test_oxidized_headers_are_comments():
    text = fixture("corpus/cisco_ios/oxidized-c9200l-24p.cfg").read_text()
    assert text.startswith("! Cisco IOS XE Software")
    tree = parse_config(text, "cisco_ios")
    assert tree.comments > 30
    assert not any(n.text.startswith("!") for n in tree.nodes())
    banners = [n for n in tree.roots if n.text.startswith("banner")]
    assert [b.text for b in banners] == ["banner exec ^C", "banner login ^C"]
    assert "Login banner." in banners[1].body


def test_inline_banner_of_wireless_controller():
    tree = parse_config(
        fixture("corpus/cisco_ios/oxidized-c9800-wlc.cfg").read_text(), "cisco_ios"
    )
    banner = next(n for n in tree.roots if n.text.startswith("banner login"))
    assert banner.body[0] == "This is an actively monitored system!"
    assert any(
        n.text.startswith("wlan test ") for n in tree.roots
    )  # parsing continues after the banner


def test_split_vty_blocks_and_certificate(pack):
    text = fixture("corpus/cisco_ios/ntc-netimporter-hou-bb-01.cfg").read_text()
    tree = parse_config(text, "cisco_ios")
    assert [s.text for s in tree.sections(re.compile("^line vty"))] == [
        "line vty 0",
        "line vty 1",
        "line vty 2 4",
    ]
    cert = next(n for n in tree.roots if n.text.startswith("crypto pki certificate chain"))
    assert len(list(cert.walk())) > 10 and tree.has_end


def test_hpeimc_blank_lines_between_lines():
    text = fixture("corpus/hp_procurve/hpeimc-2530-final.cfg").read_text()
    lines = text.splitlines()
    assert lines[1] == "" and lines[3] == ""  # the trap: a blank line after every line
    tree = parse_config(text, "hp_procurve")
    vlan = next(n for n in tree.roots if n.text == "vlan 1")
    assert vlan.children[0].text == 'name "DEFAULT_VLAN"'
    assert not any(n.text == "exit" for n in tree.nodes())
