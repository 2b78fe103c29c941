"""HMAC signing of the trail as verify sees it: every record signed, except records written
before the key was turned on, which a signed ``audit.key_on`` event right after them pins.

A trail of which nothing is signed yet is noted, not failed: the next record written records
the switch-over (ictops.audit.trail). Used by ictops.audit.verify.
"""

from __future__ import annotations

import hmac as hmac_lib
from typing import TYPE_CHECKING, Any

from ictops.audit.record import EVENT, KEY_ON, record_hmac

if TYPE_CHECKING:
    from ictops.audit.verify import VerifyReport


class Signing:
    """With a key: every record signed, but for unsigned runs pinned by a signed key_on event."""

    def __init__(self, key: bytes | None):
        self.key = key
        self.unsigned: list[tuple[int, int]] = []  # (line, seq) of the current unsigned run

    def see(self, report: VerifyReport, rec: dict[str, Any], line_no: int) -> None:
        if self.key is None:
            return
        seq, mac = rec["seq"], rec.get("hmac")
        if not mac:
            self.unsigned.append((line_no, seq))
            return
        if not hmac_lib.compare_digest(str(mac), record_hmac(rec, self.key)):
            report.problem(line_no, seq, "HMAC mismatch: record forged or edited (or wrong key)")
            return
        if self.unsigned:
            first_line, first_seq = self.unsigned[0]
            last_seq = self.unsigned[-1][1]
            through = (rec.get("data") or {}).get("unsigned_through_seq")
            if rec.get("kind") == EVENT and rec.get("action") == KEY_ON and through == last_seq:
                report.notes.append(
                    f"seq {first_seq}-{last_seq} were written before the HMAC key was turned on; "
                    f"the signed switch-over at seq {seq} pins them (chain checked, not HMAC)"
                )
            else:
                report.problem(
                    first_line, first_seq,
                    f"record has no HMAC although seq {seq} after it is signed and no switch-over "
                    "(audit.key_on) accounts for it: written without the key, or forged")
            self.unsigned = []
        if report.signed_from is None:
            report.signed_from = seq

    def finish(self, report: VerifyReport) -> None:
        if self.key is None or not self.unsigned:
            return
        first_line, first_seq = self.unsigned[0]
        if report.signed_from is None:
            report.notes.append(
                f"none of the {len(self.unsigned)} record(s) is signed: the HMAC key was turned on "
                "after them; the next record written records the switch-over (audit.key_on) and "
                "signs from then on"
            )
            return
        report.problem(
            first_line, first_seq,
            f"record(s) seq {first_seq}-{self.unsigned[-1][1]} at the end have no HMAC although the "
            f"trail is signed from seq {report.signed_from}: written without the key, or forged")
