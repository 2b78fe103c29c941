"""Shared fixtures for the compliance tests: the built-in pack, hosts, sample evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from ictops.compliance import RulePack, StaticEvidence, evaluate, load_pack
from ictops.compliance.evaluate import RuleResult
from ictops.inventory.host import Host

REPO = Path(__file__).resolve().parents[3]
PACK_PATH = REPO / "rules" / "th-baseline.yaml"

# A compliant school switch (IOS), what each NET rule's "fail" case breaks one line of.
GOOD_IOS = """\
! Last configuration change at 10:00:00 ICT Mon Jan 6 2025
version 15.2
service timestamps debug datetime msec localtime show-timezone year
service timestamps log datetime msec localtime show-timezone year
service password-encryption
hostname sw-good
enable secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ
username admin privilege 15 secret 9 $9$abcdefghijklmn$abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ
aaa new-model
aaa authentication login default local
aaa authorization exec default local
aaa accounting exec default start-stop group tacacs+
clock timezone ICT 7 0
ip ssh version 2
no ip http server
no ip http secure-server
login on-failure log
login on-success log
archive
 log config
  logging enable
ip access-list standard MGMT-ACCESS
 permit 10.1.99.0 0.0.0.255
logging trap informational
logging source-interface Vlan99
logging host 10.1.0.5
ntp server time1.nimt.or.th
ntp server time.navy.mi.th
banner login ^CAuthorised use only^C
line con 0
line vty 0 4
 access-class MGMT-ACCESS in
 exec-timeout 10 0
 transport input ssh
line vty 5 15
 access-class MGMT-ACCESS in
 exec-timeout 5 0
 transport input ssh
end
"""

SSHD_T = """\
port 22
permitrootlogin no
passwordauthentication no
kbdinteractiveauthentication no
loglevel VERBOSE
banner /etc/issue.net
clientaliveinterval 300
clientalivecountmax 2
ciphers chacha20-poly1305@openssh.com,aes256-gcm@openssh.com,aes128-ctr
macs hmac-sha2-256-etm@openssh.com,hmac-sha2-512-etm@openssh.com
kexalgorithms sntrup761x25519-sha512@openssh.com,curve25519-sha256
"""

TIMEDATECTL = """\
Timezone=Asia/Bangkok
LocalRTC=no
CanNTP=yes
NTP=yes
NTPSynchronized=yes
TimeUSec=Mon 2025-01-06 10:00:00 +07
"""

CHRONY_TRACKING = """\
Reference ID    : CB9A2D01 (203.154.45.1)
Stratum         : 2
System time     : 0.000812345 seconds slow of NTP time
Last offset     : -0.000122101 seconds
Leap status     : Normal
"""

GOOD_LINUX_FILES = {
    "/etc/chrony/chrony.conf": "# Thai sources\npool 2.debian.pool.ntp.org iburst\nserver time1.nimt.or.th iburst\n",
    "/etc/systemd/journald.conf": "[Journal]\nStorage=persistent\nMaxRetentionSec=100day\n",
    "/etc/logrotate.conf": "weekly\nrotate 4\ninclude /etc/logrotate.d\n",
    "/etc/logrotate.d/rsyslog": "/var/log/syslog\n/var/log/auth.log\n/var/log/kern.log\n{\n\tweekly\n\trotate 14\n\tcompress\n}\n",
    "/etc/rsyslog.conf": 'module(load="imuxsock")\n*.* @@10.1.0.5:514\n',
}
GOOD_LINUX_COMMANDS = {
    "sshd_effective": SSHD_T,
    "timedatectl": TIMEDATECTL,
    "chrony_tracking": CHRONY_TRACKING,
}


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_pack(PACK_PATH, "rules/th-baseline.yaml")


def make_host(platform: str = "cisco_ios", **data: Any) -> Host:
    return Host(
        name=f"h-{platform}", hostname="127.0.2.1", platform_name=platform, site="nong", data=data
    )


def run_rule(
    pack: RulePack, rule_id: str, evidence: StaticEvidence, platform: str = "cisco_ios", **data: Any
) -> RuleResult:
    result = evaluate(pack, make_host(platform, **data), evidence, rule_ids=[rule_id])
    (only,) = result.results
    return only


