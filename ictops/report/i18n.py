"""The director's report strings, Thai and English. The template holds no prose of its own."""

from __future__ import annotations

from typing import Mapping

LANGUAGES = ("th", "en")

STRINGS: Mapping[str, Mapping[str, str]] = {
    "th": {
        "title": "สรุปผลการดำเนินงานบำรุงรักษาระบบเทคโนโลยีสารสนเทศ",
        "group": "กลุ่มส่งเสริมการศึกษาทางไกล เทคโนโลยีสารสนเทศและการสื่อสาร",
        "period": "ช่วงเวลา",
        "period_to": "ถึง",
        "fiscal_year": "ปีงบประมาณ",
        "generated": "จัดทำเมื่อ",
        "page": "หน้า",
        "of": "จาก",
        "summary": "สรุปผลการดำเนินงาน",
        "actions_total": "จำนวนการดำเนินงานทั้งหมด",
        "runs": "จำนวนรอบการทำงาน",
        "hosts": "จำนวนเครื่อง",
        "by_step": "ผลการดำเนินงานตามกระบวนการและขั้นตอนของคู่มือการปฏิบัติงาน",
        "process": "กระบวนการ",
        "step": "ขั้นตอน",
        "actions": "งานที่ทำ",
        "total": "รวม",
        "failures": "รายการที่ไม่สำเร็จและสาเหตุ",
        "no_failures": "ไม่มีรายการที่ไม่สำเร็จในช่วงเวลานี้",
        "time": "เวลา",
        "host": "เครื่อง",
        "action": "งาน",
        "reason": "สาเหตุ",
        "compliance": "คะแนนความสอดคล้องตามมาตรฐานการตั้งค่า",
        "fleet": "ภาพรวมทั้งหมด",
        "score": "คะแนน (%)",
        "trend": "แนวโน้ม",
        "change": "เปลี่ยนแปลง",
        "no_compliance": "ยังไม่มีผลการตรวจสอบความสอดคล้อง",
        "backups": "สถานะการสำรองข้อมูลการตั้งค่า",
        "last_backup": "สำรองล่าสุด",
        "age_days": "อายุ (วัน)",
        "unsaved": "การตั้งค่าที่ยังไม่บันทึก",
        "unsaved_yes": "มี (running ≠ startup)",
        "unsaved_no": "ไม่มี",
        "never": "ยังไม่เคยสำรอง",
        "stale": "เกินกำหนด",
        "no_backups": "ยังไม่มีข้อมูลการสำรอง",
        "patches": "แพตช์ที่รอติดตั้ง",
        "pending": "จำนวนที่รอ",
        "security": "ด้านความปลอดภัย",
        "no_patches": "ไม่มีแพตช์ที่รอติดตั้ง",
        "run_list": "รอบการทำงาน",
        "run_id": "รหัสรอบ",
        "operator": "ผู้ปฏิบัติงาน",
        "started": "เริ่ม",
        "reporter": "ผู้รายงาน",
        "director": "ผู้อำนวยการสำนักงานเขตพื้นที่การศึกษา",
        "sign_line": "ลงชื่อ",
        "date_line": "วันที่",
        "na": "-",
        "legend": "สำเร็จ = ตรวจแล้วถูกต้อง ไม่ต้องแก้ไข; เปลี่ยนแปลง = ดำเนินการแก้ไขหรือติดตั้งสำเร็จ",
        "more_failures": "และรายการอื่นอีก",
        "runs_hidden": "รอบการทำงานมีจำนวนมาก แสดงเฉพาะจำนวนรวม",
        "witness": "หลักฐานความครบถ้วนของบันทึกการปฏิบัติงาน ณ เวลาที่จัดทำรายงาน "
        "(ตรวจได้ด้วย ictops log verify --witness ไฟล์รายงานนี้)",
    },
    "en": {
        "title": "IT Systems Maintenance Summary Report",
        "group": "ICT Group (Distance Education, Information and Communication Technology)",
        "period": "Period",
        "period_to": "to",
        "fiscal_year": "Fiscal year",
        "generated": "Generated",
        "page": "Page",
        "of": "of",
        "summary": "Summary",
        "actions_total": "Actions in total",
        "runs": "Runs",
        "hosts": "Hosts",
        "by_step": "Results by process and step of the work manual",
        "process": "Process",
        "step": "Step",
        "actions": "Actions",
        "total": "Total",
        "failures": "Failures and their reasons",
        "no_failures": "No failures in this period",
        "time": "Time",
        "host": "Host",
        "action": "Action",
        "reason": "Reason",
        "compliance": "Configuration compliance scores",
        "fleet": "Whole fleet",
        "score": "Score (%)",
        "trend": "Trend",
        "change": "Change",
        "no_compliance": "No compliance results yet",
        "backups": "Configuration backup freshness",
        "last_backup": "Last backup",
        "age_days": "Age (days)",
        "unsaved": "Unsaved changes",
        "unsaved_yes": "yes (running ≠ startup)",
        "unsaved_no": "no",
        "never": "never backed up",
        "stale": "overdue",
        "no_backups": "No backup data yet",
        "patches": "Pending patches",
        "pending": "Pending",
        "security": "Security",
        "no_patches": "No pending patches",
        "run_list": "Runs",
        "run_id": "Run id",
        "operator": "Operator",
        "started": "Started",
        "reporter": "Reported by",
        "director": "Director of the Educational Service Area Office",
        "sign_line": "Signature",
        "date_line": "Date",
        "na": "-",
        "legend": "OK = checked, nothing to change; Changed = a change or install was made",
        "more_failures": "and more:",
        "runs_hidden": "Too many runs to list; only their number is shown",
        "witness": "The audit trail as it stood when this report was made "
        "(check it with: ictops log verify --witness this-report)",
    },
}

STATUS_LABELS: Mapping[str, Mapping[str, str]] = {
    "th": {
        "ok": "สำเร็จ",
        "changed": "เปลี่ยนแปลง",
        "failed": "ไม่สำเร็จ",
        "unreachable": "ติดต่อไม่ได้",
        "skipped": "ข้าม",
    },
    "en": {
        "ok": "OK",
        "changed": "Changed",
        "failed": "Failed",
        "unreachable": "Unreachable",
        "skipped": "Skipped",
    },
}

ERROR_KIND_LABELS: Mapping[str, Mapping[str, str]] = {
    "th": {
        "unreachable": "ติดต่อเครื่องไม่ได้",
        "auth_failed": "ยืนยันตัวตนไม่ผ่าน",
        "hostkey_unknown": "ยังไม่ได้รับรองกุญแจของเครื่อง",
        "hostkey_changed": "กุญแจของเครื่องเปลี่ยนไป",
        "timeout": "หมดเวลารอ",
        "connection_lost": "การเชื่อมต่อขาดระหว่างทำงาน",
        "command_failed": "คำสั่งทำงานไม่สำเร็จ",
        "invalid_output": "ผลลัพธ์ผิดปกติ",
        "config_error": "ข้อมูลเครื่องในบัญชีรายการไม่ถูกต้อง",
        "internal": "ข้อผิดพลาดภายในโปรแกรม",
    },
    "en": {
        "unreachable": "unreachable",
        "auth_failed": "authentication failed",
        "hostkey_unknown": "host key not trusted yet",
        "hostkey_changed": "host key changed",
        "timeout": "timed out",
        "connection_lost": "connection lost",
        "command_failed": "command failed",
        "invalid_output": "invalid output",
        "config_error": "inventory entry unusable",
        "internal": "internal error",
    },
}


def check_lang(lang: str) -> str:
    """The language code, or ValueError naming the ones available."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown report language {lang!r}; use one of: {', '.join(LANGUAGES)}")
    return lang


def strings(lang: str) -> Mapping[str, str]:
    """All report strings of one language."""
    return STRINGS[check_lang(lang)]


def status_label(lang: str, status: str) -> str:
    return STATUS_LABELS[check_lang(lang)].get(status, status)


def error_kind_label(lang: str, kind: str | None) -> str:
    if not kind:
        return ""
    return ERROR_KIND_LABELS[check_lang(lang)].get(kind, kind)
