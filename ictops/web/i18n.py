"""The dashboard's words, Thai (the default) and English, and how it shows times.

Times are shown in Bangkok time, dates in the Buddhist Era in Thai (ictops.clock). The
templates hold no prose of their own: every label is a key here, in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from ictops import clock

LANGUAGES = ("th", "en")
DEFAULT = "th"

_TH: dict[str, str] = {
    "app": "ictops แผงภาพรวม",
    "fleet": "สถานะเครื่อง",
    "compliance": "ความสอดคล้อง",
    "backups": "การสำรองการตั้งค่า",
    "trail": "บันทึกการปฏิบัติงาน",
    "runs": "รอบการทำงานและแผน",
    "reports": "รายงาน",
    "read_only": "อ่านอย่างเดียว: หน้านี้ไม่เปลี่ยนแปลงสิ่งใดในระบบ",
    "data_as_of": "ข้อมูล ณ",
    "updating": "กำลังอ่านข้อมูลใหม่ หน้านี้ยังแสดงข้อมูลชุดก่อน",
    "state_error": "อ่านข้อมูลชุดใหม่ไม่ได้ จึงแสดงชุดก่อน",
    "inventory_error": "อ่านบัญชีเครื่อง (inventory) ไม่ได้",
    "empty_state": "ยังไม่มีข้อมูล: ยังไม่เคยสำรอง ตรวจสอบ หรือรันงานใดในโครงการนี้",
    "empty_hint": "เริ่มด้วย ictops backup แล้ว ictops audit หรือ ictops run playbooks/nightly.yaml",
    "host": "เครื่อง",
    "hosts": "เครื่อง",
    "school": "โรงเรียน",
    "district": "อำเภอ",
    "site": "ที่ตั้ง",
    "platform": "แพลตฟอร์ม",
    "role": "บทบาท",
    "severity": "ระดับความรุนแรง",
    "all": "ทั้งหมด",
    "filter": "กรอง",
    "clear": "ล้าง",
    "last_run": "รอบล่าสุด",
    "last_good_backup": "สำรองสำเร็จล่าสุด",
    "score": "คะแนน",
    "pending_updates": "อัปเดตที่รอติดตั้ง",
    "never": "ยังไม่เคย",
    "unknown": "ไม่ทราบ",
    "none": "ไม่มี",
    "not_in_inventory": "ไม่อยู่ในบัญชีเครื่อง",
    "status": "สถานะ",
    "st_ok": "ปกติ",
    "st_changed": "เปลี่ยนแปลง",
    "st_failed": "ล้มเหลว",
    "st_unreachable": "ติดต่อไม่ได้",
    "st_skipped": "ข้าม",
    "v_pass": "ผ่าน",
    "v_fail": "ไม่ผ่าน",
    "v_warn": "เตือน",
    "v_n/a": "ไม่เกี่ยวข้อง",
    "v_error": "ตรวจไม่ได้",
    "sev_critical": "วิกฤต",
    "sev_high": "สูง",
    "sev_medium": "กลาง",
    "sev_low": "ต่ำ",
    "sev_info": "ข้อมูล",
    "totals": "สรุป",
    "backup_failed": "สำรองล้มเหลวล่าสุด",
    "fleet_score": "คะแนนเฉลี่ย",
    "trend": "แนวโน้มคะแนน",
    "trend_note": "คะแนนเฉลี่ยของเครื่องที่เลือกในแต่ละวันที่มีการตรวจ",
    "rules": "กฎ",
    "rule": "กฎ",
    "title": "หัวข้อ",
    "pass_rate": "ผ่าน (%)",
    "checked_hosts": "เครื่องที่ตรวจ",
    "no_compliance": "ยังไม่มีผลการตรวจความสอดคล้อง (ictops audit)",
    "audits": "ครั้งที่ตรวจ",
    "last_audit": "ตรวจล่าสุด",
    "message": "ข้อความ",
    "evidence": "หลักฐาน",
    "audited_at": "ตรวจเมื่อ",
    "history": "ประวัติ",
    "revision": "รุ่น",
    "date": "วันที่",
    "change": "การเปลี่ยนแปลง",
    "compare": "เปรียบเทียบ",
    "from_rev": "จากรุ่น",
    "to_rev": "ถึงรุ่น",
    "diff_masked": "ความต่าง (ปิดบังรหัสผ่านและความลับแล้ว)",
    "no_diff": "สองรุ่นนี้ไม่ต่างกัน",
    "no_backup": "ยังไม่มีการสำรองของเครื่องนี้",
    "no_backups": "ยังไม่มีการสำรองการตั้งค่า (ictops backup)",
    "files": "ไฟล์ที่เก็บ",
    "file": "ไฟล์",
    "show_file": "ดูไฟล์ (ปิดบังความลับแล้ว)",
    "verify": "ตรวจความถูกต้องของบันทึก",
    "verify_ok": "บันทึกครบถ้วน ไม่ถูกแก้ไข",
    "verify_bad": "บันทึกถูกแก้ไขหรือเสียหาย",
    "verify_unknown": "ตรวจไม่ได้",
    "records": "รายการ",
    "hmac_checked": "ตรวจ HMAC แล้ว",
    "hmac_none": "ไม่ได้ตั้งกุญแจ HMAC: ตรวจจับการแก้ไขได้ แต่ไม่กันการเขียนใหม่ทั้งชุด",
    "process": "กระบวนการ",
    "step": "ขั้นตอน",
    "run": "รอบ",
    "operator": "ผู้ปฏิบัติงาน",
    "action": "งาน",
    "summary": "สรุป",
    "since": "ตั้งแต่",
    "until": "ถึง",
    "time": "เวลา",
    "no_records": "ไม่มีบันทึกที่ตรงกับตัวกรอง",
    "page": "หน้า",
    "older": "เก่ากว่า",
    "newer": "ใหม่กว่า",
    "plans": "แผน (ขั้นตอนที่ 2-3)",
    "plan": "แผน",
    "playbook": "playbook",
    "planned_at": "วางแผนเมื่อ",
    "planned_by": "ผู้วางแผน",
    "plan_planned": "รออนุมัติ",
    "plan_approved": "อนุมัติแล้ว",
    "plan_run": "ดำเนินการแล้ว",
    "approved_by": "ผู้อนุมัติ",
    "order": "คำสั่ง",
    "would_change": "จะเปลี่ยน",
    "no_plans": "ยังไม่มีแผน (ictops plan PLAYBOOK)",
    "run_list": "รอบการทำงาน",
    "check_run": "ตรวจแผน (ไม่เปลี่ยนแปลง)",
    "routine": "งานประจำที่อนุมัติล่วงหน้า",
    "started": "เริ่ม",
    "what": "งานที่ทำ",
    "no_runs": "ยังไม่มีรอบการทำงาน",
    "no_reports": "ยังไม่มีรายงาน (ictops report)",
    "size": "ขนาด",
    "open": "เปิด",
    "language": "English",
    "login": "เข้าสู่ระบบ",
    "logout": "ออกจากระบบ",
    "username": "ชื่อผู้ใช้",
    "password": "รหัสผ่าน",
    "login_needed": "แผงนี้เปิดให้เครื่องอื่นในเครือข่ายเข้าถึง จึงต้องเข้าสู่ระบบด้วยรหัสผ่านในไฟล์คณะทำงาน",
    "login_failed": "ชื่อผู้ใช้หรือรหัสผ่านไม่ถูกต้อง",
    "login_wait": "ใส่รหัสผิดหลายครั้ง กรุณารอสักครู่แล้วลองใหม่",
    "signed_in_as": "เข้าสู่ระบบเป็น",
    "not_found": "ไม่พบหน้าที่ต้องการ",
    "bad_request": "คำขอไม่ถูกต้อง",
    "details": "รายละเอียด",
    "changes": "สิ่งที่จะเปลี่ยน",
    "nothing_to_do": "ไม่มีอะไรต้องทำ",
    "back": "กลับ",
    "of_hosts": "จากทั้งหมด",
}

_EN: dict[str, str] = {
    "app": "ictops dashboard",
    "fleet": "Fleet",
    "compliance": "Compliance",
    "backups": "Backups",
    "trail": "Audit trail",
    "runs": "Runs and plans",
    "reports": "Reports",
    "read_only": "Read-only: nothing on this dashboard changes anything",
    "data_as_of": "Data as of",
    "updating": "Reading newer data; this page still shows the previous read",
    "state_error": "The newer data could not be read; showing the previous read",
    "inventory_error": "The inventory cannot be read",
    "empty_state": "Nothing yet: this project has not been backed up, audited or run",
    "empty_hint": "Start with ictops backup, then ictops audit, or ictops run playbooks/nightly.yaml",
    "host": "Host",
    "hosts": "hosts",
    "school": "School",
    "district": "District",
    "site": "Site",
    "platform": "Platform",
    "role": "Role",
    "severity": "Severity",
    "all": "All",
    "filter": "Filter",
    "clear": "Clear",
    "last_run": "Last run",
    "last_good_backup": "Last good backup",
    "score": "Score",
    "pending_updates": "Pending updates",
    "never": "never",
    "unknown": "unknown",
    "none": "none",
    "not_in_inventory": "not in the inventory",
    "status": "Status",
    "st_ok": "ok",
    "st_changed": "changed",
    "st_failed": "failed",
    "st_unreachable": "unreachable",
    "st_skipped": "skipped",
    "v_pass": "pass",
    "v_fail": "fail",
    "v_warn": "warn",
    "v_n/a": "n/a",
    "v_error": "error",
    "sev_critical": "critical",
    "sev_high": "high",
    "sev_medium": "medium",
    "sev_low": "low",
    "sev_info": "info",
    "totals": "Totals",
    "backup_failed": "Last backup failure",
    "fleet_score": "Average score",
    "trend": "Score trend",
    "trend_note": "Average score of the selected hosts on each day they were audited",
    "rules": "Rules",
    "rule": "Rule",
    "title": "Title",
    "pass_rate": "Pass (%)",
    "checked_hosts": "Hosts checked",
    "no_compliance": "No compliance audit yet (ictops audit)",
    "audits": "Audits",
    "last_audit": "Last audit",
    "message": "Message",
    "evidence": "Evidence",
    "audited_at": "Audited",
    "history": "History",
    "revision": "Revision",
    "date": "Date",
    "change": "Change",
    "compare": "Compare",
    "from_rev": "From",
    "to_rev": "To",
    "diff_masked": "Differences (passwords and secrets masked)",
    "no_diff": "These two revisions do not differ",
    "no_backup": "No backup of this host yet",
    "no_backups": "No configuration backup yet (ictops backup)",
    "files": "Stored files",
    "file": "File",
    "show_file": "Show file (secrets masked)",
    "verify": "Trail verification",
    "verify_ok": "Intact: no record edited, deleted or inserted",
    "verify_bad": "TAMPERED or damaged",
    "verify_unknown": "Could not be checked",
    "records": "records",
    "hmac_checked": "HMAC checked",
    "hmac_none": "No HMAC key configured: edits are caught, a consistent rewrite is not",
    "process": "Process",
    "step": "Step",
    "run": "Run",
    "operator": "Operator",
    "action": "Action",
    "summary": "Summary",
    "since": "Since",
    "until": "Until",
    "time": "Time",
    "no_records": "No record matches the filters",
    "page": "Page",
    "older": "Older",
    "newer": "Newer",
    "plans": "Plans (steps 2-3)",
    "plan": "Plan",
    "playbook": "Playbook",
    "planned_at": "Planned",
    "planned_by": "Planned by",
    "plan_planned": "pending approval",
    "plan_approved": "approved",
    "plan_run": "run",
    "approved_by": "Approved by",
    "order": "Order",
    "would_change": "Would change",
    "no_plans": "No plan yet (ictops plan PLAYBOOK)",
    "run_list": "Runs",
    "check_run": "check (changes nothing)",
    "routine": "routine, approved for the year",
    "started": "Started",
    "what": "What",
    "no_runs": "No run yet",
    "no_reports": "No report yet (ictops report)",
    "size": "Size",
    "open": "Open",
    "language": "ภาษาไทย",
    "login": "Sign in",
    "logout": "Sign out",
    "username": "Username",
    "password": "Password",
    "login_needed": "This dashboard is reachable from other machines, so it asks for a password set in the team file",
    "login_failed": "Wrong username or password",
    "login_wait": "Too many wrong passwords; wait a moment and try again",
    "signed_in_as": "Signed in as",
    "not_found": "No such page",
    "bad_request": "Bad request",
    "details": "Details",
    "changes": "Changes",
    "nothing_to_do": "Nothing to do",
    "back": "Back",
    "of_hosts": "of",
}

STRINGS: Mapping[str, Mapping[str, str]] = {"th": _TH, "en": _EN}


class Words:
    """One language's words for templates: ``t.clear`` and ``t['v_n/a']`` both work (a dict
    would answer ``t.clear`` with its own method)."""

    def __init__(self, table: Mapping[str, str]):
        self._table = table

    def __getitem__(self, key: str) -> str:
        return self._table[key]

    def __getattr__(self, key: str) -> str:
        try:
            return self._table[key]
        except KeyError:
            raise AttributeError(key) from None

    def __contains__(self, key: object) -> bool:
        return key in self._table


_WORDS = {lang: Words(table) for lang, table in STRINGS.items()}


def words(lang: str) -> Words:
    return _WORDS[lang if lang in _WORDS else DEFAULT]


def when(moment: dt.datetime | None, lang: str) -> str:
    """A time as the office reads it: ``1 ธ.ค. 2569 19:51 น.`` or ``1 Dec 2026 19:51``."""
    if moment is None:
        return "-"
    return clock.format_datetime_th(moment) if lang == "th" else clock.format_datetime_en(moment)


def day(value: dt.date | dt.datetime | None, lang: str) -> str:
    """A date: ``1 ธ.ค. 2569`` (Buddhist Era) or ``1 Dec 2026``."""
    if value is None:
        return "-"
    if lang == "th":
        return clock.format_date_th_short(value)
    text = clock.format_date_en(value)
    parts = text.split(" ")
    return f"{parts[0]} {parts[1][:3]} {parts[2]}"


def stored(text: str | None) -> dt.datetime | None:
    """A stored time (the trail's, a plan's) as an aware datetime; None when absent or bad."""
    if not text:
        return None
    try:
        return clock.parse_stored(text)
    except ValueError:
        return None
