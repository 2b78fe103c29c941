"""Thai calendar helpers: Buddhist-Era dates, month names, fiscal year, Bangkok time.

Pure functions, no locale needed. Times are stored in UTC and shown in Asia/Bangkok.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone, tzinfo

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    BANGKOK: tzinfo = ZoneInfo("Asia/Bangkok")
except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - no tzdata installed
    # Thailand has kept UTC+7 without daylight saving since 1920.
    BANGKOK = timezone(timedelta(hours=7), "ICT")

BE_OFFSET = 543

THAI_MONTHS = (
    "มกราคม", "กุมภาพันธ์", "มีนาคม", "เมษายน", "พฤษภาคม", "มิถุนายน",
    "กรกฎาคม", "สิงหาคม", "กันยายน", "ตุลาคม", "พฤศจิกายน", "ธันวาคม",
)  # fmt: skip
THAI_MONTHS_SHORT = (
    "ม.ค.", "ก.พ.", "มี.ค.", "เม.ย.", "พ.ค.", "มิ.ย.",
    "ก.ค.", "ส.ค.", "ก.ย.", "ต.ค.", "พ.ย.", "ธ.ค.",
)  # fmt: skip
ENGLISH_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

_THAI_DIGITS = str.maketrans("0123456789", "๐๑๒๓๔๕๖๗๘๙")


def thai_digits(text: str | int) -> str:
    """Arabic digits 0-9 replaced by Thai digits ๐-๙."""
    return str(text).translate(_THAI_DIGITS)


def be_year(year_ce: int) -> int:
    """Buddhist-Era year of a Common-Era year (2026 -> 2569)."""
    return year_ce + BE_OFFSET


def parse_utc(text: str) -> datetime:
    """Parse an ISO time such as ``2026-11-21T07:05:00Z``; naive times are taken as UTC."""
    value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def to_bangkok(moment: datetime) -> datetime:
    """The same instant in Asia/Bangkok; a naive datetime is taken as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(BANGKOK)


def _local_date(day: date | datetime) -> date:
    return to_bangkok(day).date() if isinstance(day, datetime) else day


def format_date_th(day: date | datetime, thai_numerals: bool = False) -> str:
    """Long Thai date: ``21 พฤศจิกายน 2569`` (or ``๒๑ พฤศจิกายน ๒๕๖๙``)."""
    d = _local_date(day)
    text = f"{d.day} {THAI_MONTHS[d.month - 1]} {be_year(d.year)}"
    return thai_digits(text) if thai_numerals else text


def format_date_th_short(day: date | datetime, thai_numerals: bool = False) -> str:
    """Short Thai date: ``21 พ.ย. 2569``."""
    d = _local_date(day)
    text = f"{d.day} {THAI_MONTHS_SHORT[d.month - 1]} {be_year(d.year)}"
    return thai_digits(text) if thai_numerals else text


def format_datetime_th(moment: datetime, thai_numerals: bool = False) -> str:
    """Short Thai date and Bangkok time: ``21 พ.ย. 2569 14:05 น.``."""
    local = to_bangkok(moment)
    text = f"{format_date_th_short(local.date())} {local:%H:%M} น."
    return thai_digits(text) if thai_numerals else text


def format_date_en(day: date | datetime) -> str:
    """Long English date, Common Era: ``21 November 2026``."""
    d = _local_date(day)
    return f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"


def format_datetime_en(moment: datetime) -> str:
    """English date and Bangkok time: ``21 Nov 2026 14:05``."""
    local = to_bangkok(moment)
    return f"{local.day} {ENGLISH_MONTHS[local.month - 1][:3]} {local.year} {local:%H:%M}"


def fiscal_year_ce(day: date | datetime) -> int:
    """Thai government fiscal year (1 October - 30 September), named by the CE year it ends in."""
    d = _local_date(day)
    return d.year + 1 if d.month >= 10 else d.year


def fiscal_year_be(day: date | datetime) -> int:
    """Fiscal year in Buddhist Era: 1 Oct 2026 -> 2570, 30 Sep 2026 -> 2569."""
    return be_year(fiscal_year_ce(day))


def fiscal_year_bounds(year_be: int) -> tuple[date, date]:
    """First and last day of a fiscal year in Buddhist Era (2570 -> 1 Oct 2026, 30 Sep 2027)."""
    end_ce = year_be - BE_OFFSET
    return date(end_ce - 1, 10, 1), date(end_ce, 9, 30)
