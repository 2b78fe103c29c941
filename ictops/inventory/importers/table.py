"""Read an asset register, CSV or Excel .xlsx, into rows of cell text, within bounds.

Both kinds are read through ``yamlfile.read_input`` (a regular file, at most MAX_BYTES), like
every input file. An .xlsx is a zip: its parts may unpack to at most MAX_UNPACKED bytes, checked
against the zip's directory before openpyxl opens it (zipfile then refuses a part that unpacks to
more than its directory says), and at most MAX_ROWS rows are read. openpyxl parses the XML with
defusedxml, which refuses entity expansion ("billion laughs").
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Iterable

from ictops.errors import InputError
from ictops.yamlfile import read_input

MAX_BYTES = 16 * 2**20  # a register file; 10,000 rows of a district's register take ~1 MiB
MAX_UNPACKED = 128 * 2**20  # what an .xlsx's parts may unpack to, in all
MAX_ROWS = 50_000
MAX_COLUMNS = 500
_INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u200c\u200d\u00a0"), " ")


@dataclass
class Table:
    """The rows of one sheet: (row number as the spreadsheet shows it, cell texts)."""

    file: str
    rows: list[tuple[int, list[str]]]
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def row_label(self, row: int) -> str:
        return f"sheet '{self.sheet}' row {row}" if self.sheet else f"row {row}"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA (as a spreadsheet names its columns)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def cell_text(value: Any) -> str:
    """A cell as text: whole numbers without '.0' (school codes typed as numbers), dates ISO."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    return " ".join(str(value).translate(_INVISIBLE).split())


def _rows(values: Iterable[Iterable[Any]], shown: str) -> list[tuple[int, list[str]]]:
    rows: list[tuple[int, list[str]]] = []
    for number, cells in enumerate(values, 1):
        if number > MAX_ROWS:
            raise InputError(f"more than {MAX_ROWS:,} rows; split the register", shown)
        texts = [cell_text(v) for v in cells]
        while texts and not texts[-1]:
            texts.pop()
        if len(texts) > MAX_COLUMNS:
            raise InputError(f"row {number} has more than {MAX_COLUMNS} columns", shown)
        rows.append((number, texts))
    return rows


def _decode(data: bytes, shown: str) -> tuple[str, list[str]]:
    """UTF-8 (with or without Excel's BOM), else Windows-874, as Thai Excel saves "CSV"."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp874")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"neither UTF-8 nor Thai Windows-874 text (byte {exc.start}); save it as 'CSV UTF-8'",
            shown,
        ) from None
    return text, [f"{shown}: read as Thai Windows-874 (not UTF-8); save it as 'CSV UTF-8' to be sure"]


def read_csv(path: Path, shown: str) -> Table:
    text, notes = _decode(read_input(path, shown, InputError, MAX_BYTES), shown)
    first = text.split("\n", 1)[0]
    try:
        dialect: Any = csv.Sniffer().sniff(first, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    try:
        rows = _rows(reader, shown)
    except csv.Error as exc:
        raise InputError(f"row {reader.line_num}: not CSV ({exc})", shown) from None
    return Table(file=shown, rows=rows, notes=notes)


def _check_zip(data: bytes, shown: str) -> None:
    try:
        parts = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except zipfile.BadZipFile:
        hint = "an old Excel .xls file" if data[:4] == b"\xd0\xcf\x11\xe0" else "not an .xlsx file"
        raise InputError(f"{hint}; save it from Excel as .xlsx or as 'CSV UTF-8'", shown) from None
    unpacked = sum(p.file_size for p in parts)
    if unpacked > MAX_UNPACKED:
        raise InputError(
            f"the workbook unpacks to {unpacked / 2**20:,.0f} MiB, more than ictops reads "
            f"({MAX_UNPACKED / 2**20:g} MiB); save the register sheet alone, or as CSV",
            shown,
        )


def read_xlsx(path: Path, shown: str, sheet: str | None = None) -> Table:
    import openpyxl  # only when a workbook is read

    data = read_input(path, shown, InputError, MAX_BYTES)
    _check_zip(data, shown)
    try:
        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a bad workbook
        raise InputError(f"cannot read the workbook ({type(exc).__name__}: {exc})", shown) from None
    try:
        names = book.sheetnames
        if sheet is not None and sheet not in names:
            raise InputError(f"no sheet '{sheet}'; the sheets are: {', '.join(names)}", shown)
        ws = book[sheet] if sheet is not None else book.worksheets[0]
        try:
            rows = _rows(ws.iter_rows(values_only=True), shown)
        except zipfile.BadZipFile as exc:
            raise InputError(f"the workbook is damaged ({exc})", shown) from None
    finally:
        book.close()
    return Table(file=shown, rows=rows, sheet=ws.title if len(names) > 1 else None)
