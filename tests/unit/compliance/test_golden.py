"""Golden config: the sample template renders a compliant switch; comparison and remediation."""

from __future__ import annotations

import pytest

from ictops.compliance import StaticEvidence, Verdict, evaluate
from ictops.compliance.golden import TemplateRenderError, compare, golden_report, render_intended

from tests.fixtures import fixture

from .conftest import REPO, make_host

TEMPLATES = REPO / "templates"
DATA = {
    "mgmt_vlan": 99,
    "mgmt_ip": "10.1.99.2",
    "mgmt_mask": "255.255.255.0",
    "gateway": "10.1.99.1",
    "mgmt_network": "10.1.99.0",
    "mgmt_wildcard": "0.0.0.255",
    "log_server": "10.1.0.5",
    "access_ports": ["GigabitEthernet1/0/1"],
    "uplink": "GigabitEthernet1/0/24",
}


@pytest.fixture
def intended() -> str:
    return render_intended(TEMPLATES, make_host(**DATA))


def test_sample_template_is_compliant(pack, intended):
    # secrets are set by hand, not templated
    text = intended.replace("\nend\n", "\nenable secret 9 $9$salted$hash\nend\n")
    result = evaluate(pack, make_host(**DATA), StaticEvidence(text, age_days=0.5, saved=True))
    bad = [
        (r.rule_id, r.message)
        for r in result.results
        if r.status not in (Verdict.PASS, Verdict.NA) and r.rule_id != "NET-TIME-02"
    ]
    assert not bad
    assert result.score == 100.0


def test_missing_data_names_template_line():
    data = dict(DATA)
    del data["log_server"]
    with pytest.raises(TemplateRenderError) as caught:
        render_intended(TEMPLATES, make_host(**data))
    message = str(caught.value)
    assert message.startswith("templates/switch/cisco_ios.j2:") and "log_server" in message


def test_sandbox_refuses_unsafe_template(tmp_path):
    (tmp_path / "switch").mkdir()
    (tmp_path / "switch" / "cisco_ios.j2").write_text("{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(TemplateRenderError):
        render_intended(tmp_path, make_host())


def test_intended_against_itself_is_compliant_with_no_remediation(intended):
    report = compare(intended, intended, "cisco_ios")
    assert report.compliant and report.remediation == []


def test_drift_is_reported_per_feature_with_remediation(intended):
    running = intended.replace(
        " transport input ssh\nline vty 5 15", " transport input telnet\nline vty 5 15"
    ).replace("ntp server time.navy.mi.th\n", "ntp server 69.89.207.99\n")
    report = compare(running, intended, "cisco_ios", host="sw-1")
    features = {f.feature: f for f in report.features}
    assert features["ntp"].missing == ("ntp server time.navy.mi.th",)
    assert features["ntp"].extra == ("ntp server 69.89.207.99",)
    assert features["ntp"].remediation == (
        "no ntp server 69.89.207.99",
        "ntp server time.navy.mi.th",
    )
    assert features["vty"].missing == ("line vty 0 4", " transport input ssh")
    # replace-in-place: no "no transport input telnet" first
    assert [line.strip() for line in features["vty"].remediation] == [
        "line vty 0 4",
        "transport input ssh",
        "exit",
    ]
    assert features["logging"].compliant and features["interfaces"].compliant
    # applying the remediation yields the intended config: a second pass has nothing to do
    fixed = running.replace(
        " transport input telnet\nline vty 5 15", " transport input ssh\nline vty 5 15"
    ).replace("ntp server 69.89.207.99\n", "ntp server time.navy.mi.th\n")
    assert compare(fixed, intended, "cisco_ios").compliant


def test_masked_backup_gives_no_remediation(intended):
    running = intended.replace("ntp server time.navy.mi.th\n", "").replace(
        "\nend\n", "\nsnmp-server community <removed> RO\nend\n"
    )
    report = compare(running, intended, "cisco_ios")
    ntp = next(f for f in report.features if f.feature == "ntp")
    assert ntp.missing and ntp.remediation == () and any("masked" in n for n in ntp.notes)


def test_secrets_and_banners_are_not_fed_to_hier_config(intended):
    running = intended.replace("authorised use only.", "welcome!").replace(
        "\nend\n", "\nusername admin secret 9 $9$x$y\nend\n"
    )
    wanted = intended.replace("\nend\n", "\nusername admin secret 9 $9$other$z\nend\n")
    report = compare(running, wanted, "cisco_ios")
    features = {f.feature: f for f in report.features}
    assert features["aaa"].compliant and any("secret" in n for n in features["aaa"].notes)
    assert not features["management"].compliant
    assert all("banner" not in line for line in features["management"].remediation)


def test_real_config_against_template(intended):
    backup = fixture("corpus/cisco_ios/batfish-lv-as2dept1.cfg").read_text()
    report = golden_report(TEMPLATES, make_host(**DATA), backup)
    interfaces = next(f for f in report.features if f.feature == "interfaces")
    assert not any(
        line.startswith("no interface") for line in interfaces.remediation
    )  # ports are never negated
    assert report.to_dict()["compliant"] is False
