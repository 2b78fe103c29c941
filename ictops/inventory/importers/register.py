"""An asset register (ทะเบียนครุภัณฑ์), read as a table, into inventory hosts and groups.

Each row is a device: its address, brand/model (-> platform), school and district. Rows are
grouped into one group per school (``sch_<school code>``, holding ``school:``) under one group
per district (``dist_<อำเภอ>``, holding ``district:``). A row without a name gets one made from
what it holds (kind, school code, address): the same row always gets the same name.
"""

from __future__ import annotations

import re
from typing import Any

from ictops.inventory.importers.draft import Draft, Entry, LeftOut, Spot, ordered
from ictops.inventory.importers.mapping import Mapping
from ictops.inventory.importers.table import Table, column_letter
from ictops.platforms import platforms

HEADER_SEARCH = 20  # rows above the header (a title, the office's name) are skipped
_DISTRICT_PREFIX = re.compile(r"^(?:อำเภอ|อ\.)\s*")
_NAME_UNSAFE = re.compile(r"[^a-z0-9]+")


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


def district_name(text: str) -> str:
    """ภูเขียว from 'อำเภอภูเขียว', 'อ.ภูเขียว' or 'ภูเขียว'."""
    return _DISTRICT_PREFIX.sub("", text.strip())


def made_name(kind: str, school_code: str, address: str) -> str:
    """A stable host name from a row: sw-1036300101-10-36-1-2."""
    parts = ["srv" if kind == "server" else "sw", school_code, address.lower()]
    return "-".join(p for p in (_NAME_UNSAFE.sub("-", p).strip("-") for p in parts) if p)


class _Sheet:
    """The header row and the column of each field."""

    def __init__(self, table: Table, mapping: Mapping, draft: Draft):
        self.table = table
        self.mapping = mapping
        self.draft = draft
        wanted = {_norm(h) for hs in (*mapping.columns.values(), *mapping.data.values()) for h in hs}
        for number, cells in table.rows[:HEADER_SEARCH]:
            if sum(_norm(c) in wanted for c in cells) >= 2:
                self.header_row, self.header = number, cells
                break
        else:
            raise Spot(table.file, 1, "row 1").error(
                "no header row: none of the first rows names at least two of the columns "
                f"({', '.join(mapping.columns['hostname'][:1] + mapping.columns['brand_model'][:1])}, ...); "
                "name your headers in a mapping file (--mapping, docs/inventory-import.md)"
            )
        found = {}
        for index, cell in enumerate(self.header):
            found.setdefault(_norm(cell), index)
        self.field_column = {
            f: next((found[_norm(h)] for h in hs if _norm(h) in found), None)
            for f, hs in mapping.columns.items()
        }
        self.data_column = {
            k: next((found[_norm(h)] for h in hs if _norm(h) in found), None)
            for k, hs in mapping.data.items()
        }

    def label(self, row: int, column: int) -> str:
        return f"{self.table.row_label(row)}, column {column_letter(column)} '{self.header[column]}'"

    def spot(self, row: int, column: int | None = None) -> Spot:
        text = self.label(row, column) if column is not None else self.table.row_label(row)
        return Spot(self.table.file, row, text)

    def missing(self, field: str, why: str) -> None:
        looked = ", ".join(f"'{h}'" for h in self.mapping.columns[field]) or "(none in the mapping)"
        self.draft.errors.append(
            self.spot(self.header_row).error(
                f"no column for {field} ({why}); looked for {looked}; the header has "
                f"{', '.join(repr(h) for h in self.header if h)}; name the column in a mapping "
                f"file (columns: {field}: YOUR HEADER)"
            )
        )

    def check_columns(self) -> bool:
        ok = True
        if self.field_column["hostname"] is None:
            self.missing("hostname", "every device needs its address")
            ok = False
        if all(self.field_column[f] is None for f in ("brand_model", "brand", "model", "platform")):
            self.missing("brand_model", "the brand and model tell the platform")
            ok = False
        return ok


class _Rows:
    """Turns each row into a host entry and collects schools and districts."""

    def __init__(self, sheet: _Sheet, draft: Draft):
        self.sheet = sheet
        self.draft = draft
        self.by_address: dict[str, int] = {}
        self.name_row: dict[str, int] = {}

    def cell(self, cells: list[str], field: str) -> tuple[str, int | None]:
        column = self.sheet.field_column.get(field)
        if column is None:
            return "", None
        return (cells[column] if column < len(cells) else ""), column

    def error(self, row: int, column: int | None, message: str) -> None:
        self.draft.errors.append(self.sheet.spot(row, column).error(message))

    def platform(self, row: int, cells: list[str]) -> tuple[str | None, int | None, str]:
        """(platform, column it came from, brand/model text); None when left out or unknown."""
        rules = self.sheet.mapping.rules
        texts = [self.cell(cells, f) for f in ("brand_model", "brand", "model")]
        text = " ".join(t for t, _ in texts if t)
        text_column = next((c for t, c in texts if t), next((c for _, c in texts if c is not None), None))
        named, column = self.cell(cells, "platform")
        if named:
            verdict = rules.name(named)
            if verdict is None:
                rules.named(named, self.sheet.spot(row, column), self.draft.errors, f"'{named}'")
                return None, column, text
        elif text:
            column = text_column
            verdict = rules.brand(text)
            if verdict is None:
                self.error(
                    row, column,
                    f"'{text}' matches no platform rule; write a rule for it in a mapping file "
                    "(platforms: - {match: ..., platform: ...}) or mark it unmanaged",
                )
                return None, column, text
        else:
            self.error(row, text_column, "empty; every device needs its brand and model")
            return None, text_column, text
        if verdict.platform is None:
            address = self.cell(cells, "hostname")[0]
            self.draft.left_out.append(LeftOut(
                self.sheet.spot(row).where(), f"{text or named} ({address or 'no address'})",
                verdict.reason))
        return verdict.platform, column, text

    def row(self, row: int, cells: list[str]) -> None:
        platform, platform_column, text = self.platform(row, cells)
        address, address_column = self.cell(cells, "hostname")
        if platform is None:
            return
        if not address:
            self.error(row, address_column, "empty; every device needs its address (IP)")
            return
        kind = platforms()[platform].kind
        school = self.school(row, cells)
        name, name_column = self.cell(cells, "name")
        if not name:
            name = made_name(kind, school[0] if school else "", address)
            name_column = None
        if not self.unique(row, name, name_column, address, address_column):
            return
        spot = self.sheet.spot
        body: dict[str, Any] = {"hostname": address, "platform": platform,
                                "role": "server" if kind == "server" else "switch"}
        entry = Entry(name, body, spot(row))
        entry.spots[("hostname",)] = spot(row, address_column)
        entry.spots[("platform",)] = entry.spots[("role",)] = spot(row, platform_column)
        groups = self.groups(row, cells, school)
        extra = self.sheet.mapping.platform_groups.get(platform, ())
        if groups or extra:
            body["groups"] = [*groups[:1], *extra]
            entry.spots[("groups",)] = groups[1] if groups else spot(row)
        for field in ("port", "username", "site"):
            value, column = self.cell(cells, field)
            if value:
                body[field] = int(value) if field == "port" and value.isdigit() else value
                entry.spots[(field,)] = spot(row, column)
        data: dict[str, Any] = {"model": text} if text else {}
        if text:
            entry.spots[("data", "model")] = spot(row, platform_column)
        for key, column in self.sheet.data_column.items():
            if column is not None and column < len(cells) and cells[column]:
                data[key] = cells[column]
                entry.spots[("data", key)] = spot(row, column)
        if data:
            body["data"] = data
        entry.body = ordered(body)
        self.draft.hosts[name] = entry

    def unique(self, row: int, name: str, name_column: int | None, address: str, address_column: int | None) -> bool:
        if name in self.name_row:
            first = self.name_row[name]
            if name_column is None:
                self.error(row, address_column, f"address {address} is also on row {first}; "
                           "each device is one row")
            else:
                self.error(row, name_column, f"duplicate name '{name}' (first on row {first}); "
                           "give each device its own name")
            return False
        if address in self.by_address:
            self.error(row, address_column, f"address {address} is also on row "
                       f"{self.by_address[address]}; each device is one row")
            return False
        self.name_row[name] = row
        self.by_address[address] = row
        return True

    def school(self, row: int, cells: list[str]) -> tuple[str, str] | None:
        code, _ = self.cell(cells, "school_code")
        name, _ = self.cell(cells, "school_name")
        if not code and not name:
            return None
        return code, name

    def groups(self, row: int, cells: list[str], school: tuple[str, str] | None) -> tuple[str, Spot] | tuple[()]:
        """The host's place group (school, else district) and where it came from."""
        district, district_column = self.cell(cells, "district")
        district = district_name(district)
        parent = self.district_group(row, district, district_column) if district else None
        if school is None:
            return (parent, self.sheet.spot(row, district_column)) if parent else ()
        code, name = school
        code_column = self.sheet.field_column["school_code"]
        name_column = self.sheet.field_column["school_name"]
        if not code:
            self.error(row, code_column, f"empty; the school '{name}' needs its code (รหัสโรงเรียน)")
            return ()
        group = f"sch_{code}"
        entry = self.draft.groups.get(group)
        if entry is None:
            body: dict[str, Any] = {"school": {"name": name, "code": code}}
            entry = Entry(group, body, self.sheet.spot(row))
            entry.spots[("school", "name")] = self.sheet.spot(row, name_column)
            entry.spots[("school", "code")] = self.sheet.spot(row, code_column)
            if parent:
                body["groups"] = [parent]
                entry.spots[("groups",)] = self.sheet.spot(row, district_column)
            self.draft.groups[group] = entry
        else:
            first = entry.spot.label
            if entry.body["school"]["name"] != name:
                self.error(row, name_column, f"school {code} is '{entry.body['school']['name']}' on "
                           f"{first}; one code, one name")
            if entry.body.get("groups", [None])[0] != parent:
                self.error(row, district_column, f"school {code} is in another district on {first}")
        return group, self.sheet.spot(row, code_column)

    def district_group(self, row: int, district: str, column: int | None) -> str:
        group = "dist_" + "_".join(district.split())
        if group not in self.draft.groups:
            entry = Entry(group, {"district": district}, self.sheet.spot(row, column))
            self.draft.groups[group] = entry
        return group


def draft_from_table(table: Table, mapping: Mapping, kind: str) -> Draft:
    """The draft of one register table (rows with errors are reported, not imported)."""
    draft = Draft(source=table.file, kind=kind, notes=list(table.notes))
    sheet = _Sheet(table, mapping, draft)
    if not sheet.check_columns():
        return draft
    rows = _Rows(sheet, draft)
    for number, cells in table.rows:
        if number <= sheet.header_row or not any(cells):
            continue
        rows.row(number, cells)
    # districts first, then schools, each in the order the sheet names them
    draft.groups = dict(sorted(draft.groups.items(), key=lambda kv: not kv[0].startswith("dist_")))
    return draft
