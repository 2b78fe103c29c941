"""The one clock of ictops: what time it is, how times are stored, shown and read.

- ``now()`` is the current instant (aware, UTC). ``ICTOPS_NOW`` (an ISO time such as
  ``2026-12-01T04:59:00+07:00``; without an offset it is Thai time) freezes it, for tests and
  for reproducing a report; every module asks this clock, never ``datetime.now()``.
- Stored times (the trail, plans, backups' status, file names) are UTC: ``stamp()``,
  ``compact()``, read back with ``parse_stored()``.
- Shown times are Asia/Bangkok (ICT, UTC+7, no daylight saving), everywhere: ``show()``.
- Times an officer types are Thai time, and the year may be Buddhist Era (2569) or Common Era
  (2026): ``parse_user()`` reads both and says when it read B.E.
- Thai calendar: B.E. years, Thai month names and digits, the fiscal year (1 Oct - 30 Sep).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from ictops.errors import InputError

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    BANGKOK: tzinfo = ZoneInfo("Asia/Bangkok")
except (ImportError, ZoneInfoNotFoundError):  # pragma: no cover - no tzdata installed
    # Thailand has kept UTC+7 without daylight saving since 1920.
    BANGKOK = timezone(timedelta(hours=7), "ICT")

UTC = timezone.utc
NOW_ENV = "ICTOPS_NOW"
BE_OFFSET = 543
# A typed year from this one on is Buddhist Era (B.E. 2400 is C.E. 1857; C.E. 2400 is far off).
BE_FROM = 2400

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


# -- now ------------------------------------------------------------------------------------


def now() -> datetime:
    """The current instant, aware, in UTC (``ICTOPS_NOW`` when set)."""
    fixed = os.environ.get(NOW_ENV, "").strip()
    if not fixed:
        return datetime.now(UTC)
    try:
        moment = datetime.fromisoformat(fixed.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"{NOW_ENV}='{fixed}' is not a time; write it as 2026-12-01T04:59:00+07:00 or unset it"
        ) from None
    return (moment if moment.tzinfo else moment.replace(tzinfo=BANGKOK)).astimezone(UTC)


def today() -> date:
    """Today's date in Bangkok."""
    return local(now()).date()


# -- storage (UTC) ----------------------------------------------------------------------------


def _utc(moment: datetime) -> datetime:
    """The instant in UTC; a naive datetime is taken as UTC (how ictops stores times)."""
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def stamp(moment: datetime | None = None, *, ms: bool = False) -> str:
    """Stored form: ``2026-11-30T21:59:00Z`` (``ms``: ``...:00.000Z``, the trail's)."""
    value = _utc(moment or now())
    if ms:
        return value.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")


def compact(moment: datetime | None = None, *, micro: bool = False) -> str:
    """For file names and run ids: ``20261130T215900Z`` (``micro``: ``...T215900.000000Z``)."""
    return _utc(moment or now()).strftime("%Y%m%dT%H%M%S.%fZ" if micro else "%Y%m%dT%H%M%SZ")


def parse_stored(text: str) -> datetime:
    """A stored time (``Z`` or an offset; naive is UTC) as an aware UTC datetime.

    ValueError when it is not a time.
    """
    return _utc(datetime.fromisoformat(str(text).strip().replace("Z", "+00:00")))


# -- display (Asia/Bangkok) -----------------------------------------------------------------


def local(moment: datetime | str) -> datetime:
    """The same instant in Asia/Bangkok (a string is read as a stored time)."""
    value = parse_stored(moment) if isinstance(moment, str) else _utc(moment)
    return value.astimezone(BANGKOK)


def show(moment: datetime | str, *, seconds: bool = True) -> str:
    """How every terminal line shows a time: ``2026-12-01 04:59:00``, Bangkok time."""
    return local(moment).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")


# -- what an officer types ------------------------------------------------------------------

_DATE = re.compile(
    r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"
    r"(?:[T ](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?(?P<tz>Z|[+-]\d{2}:?\d{2})?"
)
_THAI_STYLE = re.compile(r"(?P<d>\d{1,2})/(?P<m>\d{1,2})/(?P<y>\d{4})")


@dataclass(frozen=True)
class UserTime:
    """A time an officer typed, read: the instant, and whether its year was Buddhist Era."""

    moment: datetime  # aware, UTC
    text: str
    buddhist: bool
    whole_day: bool

    @property
    def note(self) -> str:
        """One line saying how a B.E. year was read ('' for a C.E. one)."""
        if not self.buddhist:
            return ""
        day = local(self.moment).date()
        return (
            f"'{self.text}' read as Buddhist Era {day.year + BE_OFFSET}: "
            f"{day.isoformat()} C.E. ({format_date_th(day)})"
        )


def parse_user(text: str, *, end: bool = False, what: str = "time") -> UserTime:
    """Read a date or time an officer typed, in Thai time.

    Accepts ``2026-12-01``, ``2026-12-01T08:30`` (or a space), an offset or ``Z``, and
    ``1/12/2026``; a year from 2400 on is Buddhist Era (``2569-12-01`` is 1 Dec 2026). A bare
    date means the start of that day, or its end when ``end``. InputError names ``what``.
    """
    raw = str(text).strip()
    found = _DATE.fullmatch(raw) or _THAI_STYLE.fullmatch(raw)
    if not found:
        raise InputError(
            f"{what}: cannot read '{raw}' as a date; write 2569-12-01 (B.E.) or 2026-12-01 (C.E.),"
            " optionally with a Thai time: 2026-12-01T08:30"
        )
    parts = found.groupdict()
    year = int(parts["y"])
    buddhist = year >= BE_FROM
    if buddhist:
        year -= BE_OFFSET
    clock = parts.get("H")
    try:
        day = date(year, int(parts["m"]), int(parts["d"]))
        at = (
            time(int(clock), int(parts["M"]), int(parts.get("S") or 0))
            if clock is not None
            else (time.max if end else time.min)
        )
    except ValueError as exc:
        raise InputError(f"{what}: '{raw}' is not a real date or time ({exc})") from None
    zone = _offset(parts["tz"]) if parts.get("tz") else BANGKOK
    moment = datetime.combine(day, at).replace(tzinfo=zone).astimezone(UTC)
    return UserTime(moment, raw, buddhist, clock is None)


def _offset(text: str) -> tzinfo:
    """``Z``, ``+07:00`` or ``+0700`` as a fixed zone."""
    if text == "Z":
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


# -- the Thai calendar ----------------------------------------------------------------------


def thai_digits(text: str | int) -> str:
    """Arabic digits 0-9 replaced by Thai digits ๐-๙."""
    return str(text).translate(_THAI_DIGITS)


def be_year(year_ce: int) -> int:
    """Buddhist-Era year of a Common-Era year (2026 -> 2569)."""
    return year_ce + BE_OFFSET


def _local_date(day: date | datetime) -> date:
    return local(day).date() if isinstance(day, datetime) else day


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
    at = local(moment)
    text = f"{format_date_th_short(at.date())} {at:%H:%M} น."
    return thai_digits(text) if thai_numerals else text


def format_date_en(day: date | datetime) -> str:
    """Long English date, Common Era: ``21 November 2026``."""
    d = _local_date(day)
    return f"{d.day} {ENGLISH_MONTHS[d.month - 1]} {d.year}"


def format_datetime_en(moment: datetime) -> str:
    """English date and Bangkok time: ``21 Nov 2026 14:05``."""
    at = local(moment)
    return f"{at.day} {ENGLISH_MONTHS[at.month - 1][:3]} {at.year} {at:%H:%M}"


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
