"""Trust hosts' SSH keys: plan = scan the key and compare with the project's known_hosts;
apply = record it. A key that differs from the recorded one is always refused.

It changes the trust store (state/known_hosts), not the host; every decision is one record
of the audit trail (process 4, data security: the identity of the devices we talk to).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ictops.actions.base import Context
from ictops.connections.hostkeys import TrustOutcome, fingerprint, known_keys, trust
from ictops.facts import HOST_KEY
from ictops.results import Change, ErrorKind, HostFailure, Outcome, Plan


@dataclass(frozen=True)
class TrustHostKey:
    known_hosts: Path
    name: str = "hostkeys trust"
    changes_hosts = False

    def plan(self, ctx: Context) -> Plan:
        key = ctx.facts.get(HOST_KEY, str(self.known_hosts))
        shown = f"{key.get_name()} {fingerprint(key)}"
        known = known_keys(self.known_hosts, ctx.host)
        if any(k.get_name() == key.get_name() and k.asbytes() == key.asbytes() for k in known):
            return Plan(reason=f"already trusted {shown}")
        if known:  # another key is recorded (as trust() decides): refused, never replaced
            raise _refused(ctx, shown)
        return Plan((Change(f"record {shown}"),), state=key)

    def apply(self, ctx: Context, plan: Plan) -> Outcome:
        # trust() takes a lock, so hosts decide in parallel and the file stays whole; the
        # result (and so the audit record) is the final decision, not the scan
        key = plan.state
        shown = f"{key.get_name()} {fingerprint(key)}"
        outcome = trust(self.known_hosts, ctx.host, key)
        if outcome is TrustOutcome.ADDED:
            return Outcome.changed(f"recorded {shown}")
        if outcome is TrustOutcome.ALREADY_TRUSTED:
            return Outcome.ok(f"already trusted {shown}")
        raise _refused(ctx, shown)


def _refused(ctx: Context, shown: str) -> HostFailure:
    return HostFailure(
        f"REFUSED: key changed, now {shown}; if the device was really replaced run: "
        f"ictops hostkeys forget {ctx.host.name}", ErrorKind.HOSTKEY_CHANGED)
