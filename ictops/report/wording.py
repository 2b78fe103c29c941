"""What the director reads instead of ictops's internal names: the work done, and why
something failed with what to do about it (Thai and English).

Action names in the trail (``backup``, ``plan.make``, ``notify.run``...) become the work they
stand for; a name this module does not know is named by its family (``notify.*``: informing
those concerned), never shown raw. Run bookkeeping (``playbook.start``/``end``) is not work.
"""

from __future__ import annotations

from collections.abc import Mapping

# Records that mark a run's boundaries (or repeat its hosts' results): not work done, not counted.
BOOKKEEPING = frozenset({"playbook.start", "playbook.end", "run.start", "run.end", "backup.commit"})

ACTIONS: Mapping[str, tuple[str, str]] = {
    "backup": ("สำรองค่าตั้งของเครื่อง", "configuration backup"),
    "restore": ("คืนค่าตั้งจากข้อมูลสำรอง", "restore from a backup"),
    "backup.restore": ("คืนค่าตั้งจากข้อมูลสำรอง", "restore from a backup"),
    "backup.recover": ("กู้คลังข้อมูลสำรองหลังหยุดกะทันหัน", "backup store recovered after a crash"),
    "audit": ("ตรวจสอบความสอดคล้องตามมาตรฐาน", "compliance audit"),
    "switch_config": ("เปลี่ยนค่าตั้งของสวิตช์", "switch configuration change"),
    "audit.files": ("ตรวจสอบไฟล์ค่าตั้งที่ส่งมา", "configuration files audited"),
    "cmd": ("สั่งงานหรือตรวจดูเครื่อง", "command on the hosts"),
    "hostkeys.trust": ("รับรองกุญแจของเครื่อง", "host keys trusted"),
    "hostkeys.forget": ("ยกเลิกการรับรองกุญแจของเครื่อง", "host keys forgotten"),
    "plan.make": ("จัดทำแผนการเปลี่ยนแปลง", "change plan made"),
    "plan.approve": ("อนุมัติแผนการเปลี่ยนแปลง", "change plan approved"),
    "notify": ("แจ้งผลให้ผู้เกี่ยวข้องทราบ", "those concerned informed"),
    "notify.plan": ("แจ้งแผนให้ผู้เกี่ยวข้องทราบ", "plan announced"),
    "notify.approve": ("แจ้งผลการอนุมัติแผน", "approval announced"),
    "notify.run": ("แจ้งผลการดำเนินงาน", "results announced"),
    "report": ("จัดทำรายงานสรุปผล", "summary report"),
    "report.write": ("จัดทำรายงานสรุปผล", "summary report"),
    "audit.prune": ("จัดเก็บบันทึกเก่าเข้าคลัง", "old trail records archived"),
    "audit.recover": ("กู้บันทึกหลังเครื่องหยุดกะทันหัน", "trail recovered after a crash"),
    "audit.key_on": ("เริ่มลงลายมือชื่อดิจิทัลในบันทึก", "trail signing turned on"),
    "run.lock_takeover": ("รับช่วงการทำงานต่อจากรอบที่หยุดกะทันหัน", "lock taken over from a stopped run"),
    "playbook.not_started": ("งดทำงานตามปฏิทินหรือช่วงเวลาบำรุงรักษา", "not started: calendar or window"),
}
FAMILIES: Mapping[str, tuple[str, str]] = {
    "notify": ("แจ้งผู้เกี่ยวข้อง", "informing those concerned"),
    "plan": ("งานด้านแผนการเปลี่ยนแปลง", "change planning"),
    "playbook": ("การควบคุมรอบการทำงาน", "run control"),
    "run": ("การควบคุมรอบการทำงาน", "run control"),
    "audit": ("การดูแลบันทึกการปฏิบัติงาน", "audit trail upkeep"),
    "hostkeys": ("การดูแลกุญแจของเครื่อง", "host key upkeep"),
    "backup": ("งานสำรองค่าตั้ง", "backup work"),
    "report": ("งานรายงาน", "reporting"),
}
OTHER = ("งานอื่น ๆ", "other work")


def action_name(action: str, lang: str) -> str:
    """The work an action name stands for, in ``lang`` ("th" or "en")."""
    index = 0 if lang == "th" else 1
    action = action.replace(" ", ".")  # "hostkeys trust": a verb's name
    if action in ACTIONS:
        return ACTIONS[action][index]
    family = action.split(".", 1)[0]
    return FAMILIES.get(family, OTHER)[index]


# error kind -> (title, what it means, what to do), per language. None: failed, no kind.
FAILURE_KINDS: Mapping[str, Mapping[str | None, tuple[str, str, str]]] = {
    "th": {
        "unreachable": (
            "ติดต่อเครื่องไม่ได้",
            "เครื่องไม่ตอบทางเครือข่าย: ปิดอยู่ สายหรืออุปกรณ์เครือข่ายขัดข้อง หรือไฟร์วอลล์กั้นไว้",
            "ตรวจว่าเครื่องเปิดอยู่และต่อเครือข่ายได้ แล้วสั่งงานนั้นซ้ำ",
        ),
        "auth_failed": (
            "เข้าสู่ระบบของเครื่องไม่ได้",
            "เครื่องไม่ยอมรับชื่อผู้ใช้ รหัสผ่าน หรือกุญแจ SSH ที่ใช้",
            "ตรวจบัญชีผู้ใช้และรหัสผ่านของเครื่องนั้นในบัญชีรายการเครื่อง (inventory) และบนตัวเครื่อง",
        ),
        "hostkey_unknown": (
            "ยังไม่ได้รับรองตัวตนของเครื่อง",
            "ยังไม่เคยบันทึกกุญแจประจำเครื่อง จึงไม่เชื่อมต่อ เพื่อป้องกันการปลอมตัว",
            "ตรวจสอบว่าเป็นเครื่องจริงแล้วรับรองด้วยคำสั่ง ictops hostkeys trust",
        ),
        "hostkey_changed": (
            "กุญแจประจำเครื่องเปลี่ยนไป",
            "เครื่องแสดงกุญแจต่างจากที่บันทึกไว้: อาจเปลี่ยนเครื่องหรือติดตั้งระบบใหม่ หรืออาจมีผู้ปลอมตัว",
            "สอบถามผู้ดูแลเครื่องให้แน่ใจก่อน แล้วจึงรับรองกุญแจใหม่ (ictops hostkeys forget แล้ว trust)",
        ),
        "timeout": (
            "เครื่องตอบช้าเกินเวลาที่กำหนด",
            "เครื่องหรือเครือข่ายตอบช้าจนหมดเวลารอ",
            "ตรวจภาระงานของเครื่องและเครือข่าย แล้วสั่งงานซ้ำ หรือเพิ่มเวลารอ (timeouts) ของเครื่องนั้น",
        ),
        "connection_lost": (
            "การเชื่อมต่อขาดระหว่างทำงาน",
            "เครื่องตัดการเชื่อมต่อก่อนงานเสร็จ",
            "ตรวจความเสถียรของเครือข่ายและเครื่อง แล้วสั่งงานซ้ำ",
        ),
        "command_failed": (
            "เครื่องปฏิเสธคำสั่งหรือคำสั่งทำงานไม่สำเร็จ",
            "คำสั่งถูกส่งถึงเครื่องแล้ว แต่เครื่องรายงานข้อผิดพลาด",
            "ดูข้อความจากเครื่องในภาคผนวก แล้วแก้คำสั่งหรือค่าตั้งของเครื่องนั้น",
        ),
        "invalid_output": (
            "ข้อมูลที่เครื่องส่งกลับผิดปกติ",
            "ข้อมูลไม่ครบหรือไม่ถูกต้อง จึงไม่ได้นำไปใช้ และข้อมูลเดิมที่ดียังอยู่",
            "ตรวจเครื่องนั้น (อาจขัดข้องหรือถูกแก้ไขโดยไม่ได้รับอนุญาต)",
        ),
        "config_error": (
            "ข้อมูลเครื่องในบัญชีรายการไม่ถูกต้อง",
            "ข้อมูลของเครื่องนั้นในบัญชีรายการ (inventory) ใช้งานไม่ได้ เช่น ไม่ได้ตั้งรหัสผ่าน",
            "แก้ไขบัญชีรายการแล้วตรวจด้วย ictops inventory check",
        ),
        "rollback_failed": (
            "เปลี่ยนค่าตั้งสวิตช์ไม่สำเร็จและย้อนกลับไม่ได้",
            "การเปลี่ยนค่าตั้งล้มเหลวกลางทาง และคืนค่าตั้งเดิมไม่ได้หรือตรวจยืนยันไม่ผ่าน สวิตช์อาจอยู่ในสภาพเปลี่ยนไปเพียงบางส่วน",
            "ตรวจสวิตช์นั้นทันที เทียบกับข้อมูลสำรองก่อนเปลี่ยน (ictops backup diff) แล้วคืนค่าด้วย ictops backup restore",
        ),
        "internal": (
            "ข้อผิดพลาดภายในโปรแกรม",
            "โปรแกรม ictops ทำงานผิดพลาดเอง ไม่ใช่ความผิดของเครื่อง",
            "แจ้งผู้พัฒนาพร้อมรหัสรอบการทำงานและบันทึก state/logs/ictops.log",
        ),
        None: (
            "ไม่สำเร็จด้วยสาเหตุอื่น",
            "งานไม่สำเร็จ โดยไม่ได้ระบุประเภทของสาเหตุ",
            "ดูรายละเอียดในภาคผนวก",
        ),
    },
    "en": {
        "unreachable": (
            "Host unreachable",
            "The host did not answer on the network: switched off, cabling or network fault, or a firewall.",
            "Check that the host is on and reachable, then run the task again.",
        ),
        "auth_failed": (
            "Login refused",
            "The host refused the user name, password or SSH key.",
            "Check the host's account and password in the inventory and on the device.",
        ),
        "hostkey_unknown": (
            "Host identity not confirmed yet",
            "Its host key was never recorded, so ictops did not connect (no impostor can pass).",
            "Make sure it is the real host, then run: ictops hostkeys trust",
        ),
        "hostkey_changed": (
            "Host key changed",
            "The host showed another key than the recorded one: replaced or reinstalled, or an impostor.",
            "Confirm with the host's administrator first, then forget and trust the new key.",
        ),
        "timeout": (
            "Host too slow to answer",
            "The host or the network answered too slowly.",
            "Check the load of the host and network, run again, or raise the host's timeouts.",
        ),
        "connection_lost": (
            "Connection lost during the work",
            "The host closed the connection before the work was done.",
            "Check the network and the host, then run again.",
        ),
        "command_failed": (
            "Command refused or failed on the host",
            "The command reached the host, which reported an error.",
            "Read the host's message in the appendix and fix the command or the configuration.",
        ),
        "invalid_output": (
            "Host sent unusable data",
            "The answer was incomplete or malformed, so it was not used; the last good data stays.",
            "Inspect the host (it may be faulty or tampered with).",
        ),
        "config_error": (
            "Inventory entry unusable",
            "The host's inventory entry cannot be used (a secret is not set, for example).",
            "Fix the inventory and check it with: ictops inventory check",
        ),
        "rollback_failed": (
            "Switch change failed and was not undone",
            ("A configuration change failed half-way and putting the previous configuration "
             "back failed or could not be verified: the switch may be half-changed."),
            ("Check the switch now against its pre-change backup (ictops backup diff), then "
             "put it back with: ictops backup restore"),
        ),
        "internal": (
            "Internal ictops error",
            "ictops itself went wrong; the host is not at fault.",
            "Report it with the run id and state/logs/ictops.log.",
        ),
        None: (
            "Failed for another reason",
            "The work failed without a known kind of cause.",
            "See the appendix for details.",
        ),
    },
}


def failure_kind(kind: str | None, lang: str) -> tuple[str, str, str]:
    """(title, what it means, what to do) of a failure kind."""
    table = FAILURE_KINDS["th" if lang == "th" else "en"]
    return table.get(kind, table[None])
