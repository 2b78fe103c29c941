"""Brand/model text and other tools' platform names -> ictops platforms (data-driven)."""

from __future__ import annotations

import pytest

from ictops.inventory.importers.platform_rules import UNMANAGED, _verdict, builtin_rules

BRANDS = [
    ("Cisco Catalyst 2960", "cisco_ios"),
    ("Cisco Catalyst 2960-X 24GigE", "cisco_ios"),
    ("WS-C3850-24T", "cisco_ios"),
    ("ซิสโก้ C9200L-24T-4G", "cisco_ios"),
    ("Cisco SG350-28", UNMANAGED),  # Small Business: not IOS
    ("Cisco CBS350-24T", UNMANAGED),
    ("Cisco Aironet 1832i", UNMANAGED),
    ("Huawei S5720", "huawei_vrp"),
    ("Huawei S5720-28X-LI-AC", "huawei_vrp"),
    ("หัวเว่ย S5735-L24T4S", "huawei_vrp"),
    ("HPE Aruba 2530", "hp_procurve"),
    ("HPE Aruba 2530-24G", "hp_procurve"),
    ("HP ProCurve 2610-24", "hp_procurve"),
    ("ProCurve J9019B", "hp_procurve"),
    ("Aruba 2930F-48G", "hp_procurve"),
    ("Aruba CX 6300M", UNMANAGED),  # AOS-CX
    ("HPE 1920S 24G", UNMANAGED),  # web-managed
    ("HPE OfficeConnect 1820", UNMANAGED),
    ("Aruba AP-305", UNMANAGED),
    ("Ruijie RG-S2910", "ruijie_os"),
    ("Ruijie RG-S2910-24GT4XS-E", "ruijie_os"),
    ("Ruijie Reyee RG-ES209GC-P", UNMANAGED),
    ("MikroTik CRS", "mikrotik_routeros"),
    ("MikroTik CRS326-24G-2S+RM", "mikrotik_routeros"),
    ("Dell PowerEdge R740 (Ubuntu 22.04)", "linux"),
    ("HPE ProLiant DL380 Gen10", "linux"),
    ("Lenovo ThinkSystem SR250", "linux"),
    ("เครื่องแม่ข่าย Debian 12", "linux"),
    ("Dell PowerEdge R740 Windows Server 2019", UNMANAGED),
    ("TP-Link TL-SG1024D", UNMANAGED),
    ("Ubiquiti UniFi AP AC Pro", UNMANAGED),
    ("Fortinet FortiGate 60F", UNMANAGED),
]


@pytest.mark.parametrize("text,platform", BRANDS)
def test_brand_text_names_its_platform(text, platform):
    rule = builtin_rules().brand_rule(text)
    assert rule is not None and rule.platform == platform


def test_unknown_brand_is_no_rule():
    assert builtin_rules().brand_rule("Acme NetSwitch 9000") is None
    assert builtin_rules().brand("Acme NetSwitch 9000") is None


NAMES = [
    ("cisco.ios.ios", "cisco_ios"), ("ios", "cisco_ios"), ("IOS", "cisco_ios"),
    ("cisco_ios", "cisco_ios"), ("huawei", "huawei_vrp"), ("community.network.ce", "huawei_vrp"),
    ("huawei_vrp", "huawei_vrp"), ("hp_procurve", "hp_procurve"),
    ("arubanetworks.aos_switch.arubaoss", "hp_procurve"), ("linux", "linux"),
    ("community.routeros.routeros", "mikrotik_routeros"), ("ruijie_os", "ruijie_os"),
    ("eos", UNMANAGED), ("junipernetworks.junos.junos", UNMANAGED), ("cisco.nxos.nxos", UNMANAGED),
]


@pytest.mark.parametrize("name,platform", NAMES)
def test_platform_names_of_other_tools(name, platform):
    assert builtin_rules().names[name.lower()][0] == platform


def test_unmanaged_and_not_yet_supported_are_left_out_with_the_reason():
    eos = builtin_rules().name("eos")
    assert eos is not None and eos.platform is None
    assert eos.reason == "Arista EOS, a platform ictops does not manage"
    assert _verdict("cisco_ios").platform == "cisco_ios"
    missing = _verdict("no_such_os")
    assert (missing.platform, missing.reason) == (
        None, "a no_such_os device; this ictops has no no_such_os platform yet")
    assert builtin_rules().name("nonsense-os") is None  # unknown: the caller's error
