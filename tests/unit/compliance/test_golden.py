"""Golden config: the sample templates render compliant switches; per-feature comparison and
remediation (the scoped remediation of ictops.switchconfig)."""

from __future__ import annotations

import pytest

from ictops.compliance import StaticEvidence, Verdict, evaluate
from ictops.compliance.golden import compare, golden_report
from ictops.compliance.templating import TemplateRenderError, render_intended
from ictops.inventory import load_inventory
from ictops.switchconfig import FeatureError
from ictops.switchconfig.features import platform_features
from tests.fixtures import fixture

from .conftest import REPO, make_host

TEMPLATES = REPO / "templates"
DATA = {
    "domain_name": "school.obec.go.th",
    "mgmt_vlan": 99,
    "mgmt_network": "10.1.99.0",
    "mgmt_wildcard": "0.0.0.255",
    "mgmt_acl": "MGMT-ACCESS",
    "mgmt_acl_number": 2099,
    "log_server": "10.1.0.5",
    "ntp_servers": ["time1.nimt.or.th", "time.navy.mi.th"],
    "vlans": [{"id": 10, "name": "STAFF"}, {"id": 99, "name": "MANAGEMENT"}],
}


@pytest.fixture
def intended() -> str:
    return render_intended(TEMPLATES, make_host(**DATA))


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp"])
def test_sample_templates_are_compliant(pack, platform):
    host = make_host(platform, **DATA)
    text = render_intended(TEMPLATES, host)
    if platform == "cisco_ios":  # secrets are set by hand, not templated
        text = text.replace("\nend\n", "\nenable secret 9 $9$salted$hash\nend\n")
    result = evaluate(pack, host, StaticEvidence(text, age_days=0.5, saved=True))
    bad = [
        (r.rule_id, r.message)
        for r in result.results
        if r.status not in (Verdict.PASS, Verdict.NA) and r.rule_id != "NET-TIME-02"
    ]
    assert bad == []


def test_every_sample_switch_renders_as_shipped():
    inventory = load_inventory(REPO / "inventory", REPO)
    switches = [h for h in inventory.hosts.values() if h.is_switch]
    assert switches
    logging = {"cisco_ios": "logging host {}", "huawei_vrp": "info-center loghost {}",
               "hp_procurve": "logging {}"}
    assert {h.platform_name for h in switches} == set(logging)
    for host in switches:
        text = render_intended(TEMPLATES, host)
        assert logging[host.platform_name].format(host.data["log_server"]) in text.splitlines()


def test_missing_data_names_template_line_key_and_host():
    data = dict(DATA)
    del data["log_server"]
    with pytest.raises(TemplateRenderError) as caught:
        render_intended(TEMPLATES, make_host(**data))
    message = str(caught.value)
    line = next(
        i
        for i, text in enumerate((TEMPLATES / "switch/cisco_ios.j2").read_text().splitlines(), 1)
        if "data.log_server" in text
    )
    assert message == (
        f"templates/switch/cisco_ios.j2:{line}: host 'h-cisco_ios' has no value for 'log_server';"
        " set data.log_server on the host or one of its groups in inventory/"
    )


def test_sandbox_refuses_unsafe_template(tmp_path):
    (tmp_path / "switch").mkdir()
    (tmp_path / "switch" / "cisco_ios.j2").write_text("{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(TemplateRenderError):
        render_intended(tmp_path, make_host())


def test_a_template_line_in_no_feature_is_an_error(tmp_path):
    (tmp_path / "switch").mkdir()
    (tmp_path / "switch" / "cisco_ios.j2").write_text(
        "ntp server time1.nimt.or.th\nboot system flash:x.bin\n"
    )
    with pytest.raises(
        FeatureError, match="templates/switch/cisco_ios.j2: line 'boot system flash:x.bin'"
    ):
        golden_report(tmp_path, make_host(), "ntp server time1.nimt.or.th\n")


def test_intended_against_itself_is_compliant_with_no_remediation(intended):
    report = compare(intended, intended, "cisco_ios")
    assert report.compliant and report.remediation == []


def test_features_compared_are_those_the_template_has(intended):
    report = compare(intended, intended, "cisco_ios")
    names = {f.feature for f in report.features}
    assert {"ntp", "logging", "aaa", "vty", "vlan", "banner", "acl"} <= names
    assert not names & {"hostname", "interfaces", "snmp", "gateway"}
    assert names <= set(platform_features("cisco_ios"))


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
    assert features["vty"].remediation == ("line vty 0 4", " transport input ssh", " exit")
    assert features["logging"].compliant and features["vlan"].compliant
    assert report.remediation == [*features["ntp"].remediation, *features["vty"].remediation]
    fixed = running.replace(
        " transport input telnet\nline vty 5 15", " transport input ssh\nline vty 5 15"
    ).replace("ntp server 69.89.207.99\n", "ntp server time.navy.mi.th\n")
    assert compare(fixed, intended, "cisco_ios").compliant


def test_vlans_the_template_does_not_name_are_left_alone(intended):
    running = intended.replace("vlan 10\n", "vlan 20\n name STUDENT\nvlan 30\n name LAB\nvlan 10\n")
    report = compare(running, intended, "cisco_ios")
    assert report.compliant and report.remediation == []


def test_masked_backup_gives_no_remediation(intended):
    running = intended.replace("ntp server time.navy.mi.th\n", "").replace(
        "\nend\n", "\nsnmp-server community <removed> RO\nend\n"
    )
    report = compare(running, intended, "cisco_ios")
    ntp = next(f for f in report.features if f.feature == "ntp")
    assert ntp.missing and ntp.remediation == () and any("masked" in n for n in ntp.notes)
    assert report.remediation == []


def test_secrets_are_not_compared_and_banners_set_apart(intended):
    running = intended.replace("authorised use only.", "welcome!").replace(
        "\nend\n", "\nusername admin secret 9 $9$x$y\nend\n"
    )
    wanted = intended.replace("\nend\n", "\nusername admin secret 9 $9$other$z\nend\n")
    report = compare(running, wanted, "cisco_ios")
    features = {f.feature: f for f in report.features}
    assert features["aaa"].compliant and any("secret" in n for n in features["aaa"].notes)
    banner = features["banner"]
    assert not banner.compliant
    assert banner.remediation[0] == "banner login #" and banner.remediation[-1] == "#"
    assert "nong: authorised use only." in banner.remediation
    assert not any("username" in line for line in report.remediation)


def test_real_config_against_template(intended):
    backup = fixture("corpus/cisco_ios/batfish-lv-as2dept1.cfg").read_text()
    report = golden_report(TEMPLATES, make_host(**DATA), backup)
    template_features = {f.feature for f in report.features}
    assert report.to_dict()["compliant"] is False
    for line in report.remediation:
        assert not line.startswith(("no interface", "no vlan", "hostname", "no hostname"))
    assert {f.feature for f in report.features if f.remediation} <= template_features
