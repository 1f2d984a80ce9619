"""Spreadsheet rows to records: find the header row, map its columns to fields, check the
required columns are there, and turn each data row into canonical fields.

Row numbers are the ones a user sees in Excel (first row = 1); a title row above the header
(e.g. "XX县返乡人员排查表") is allowed, so the header is the row among the top ten that names
the most known columns (at least two).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from services.intake.domain import problems as p
from services.intake.domain.aliases import field_for
from services.intake.domain.convert import is_empty
from services.intake.domain.fields import field_names, specs_for
from services.intake.domain.problems import Problem

HEADER_SEARCH_ROWS = 10
Row = tuple[int, Sequence[object]]
"""(Excel row number, cell values)."""


@dataclass(frozen=True, slots=True)
class Header:
    row: int
    names: tuple[str, ...]
    """The header cells as written (for messages and rejected payloads)."""
    fields: tuple[str | None, ...]
    """Canonical field of each column, None for a column this feed does not use."""

    @property
    def ignored(self) -> list[str]:
        return [n for n, f in zip(self.names, self.fields, strict=True) if f is None and n]

    def column_of(self, field: str | None) -> str | None:
        """The header text of the first column holding ``field``."""
        for name, mapped in zip(self.names, self.fields, strict=True):
            if mapped == field:
                return name
        return None


def _header(row_number: int, cells: Sequence[object], feed: str) -> Header:
    allowed = field_names(feed)
    names = tuple("" if is_empty(c) else str(c).strip() for c in cells)
    fields = tuple(f if (f := field_for(n) if n else None) in allowed else None for n in names)
    return Header(row_number, names, fields)


def find_header(rows: Sequence[Row], feed: str, *, default_county: str | None = None,
                provided: Iterable[str] = ()) -> Header | Problem:
    """The header among the first rows (the one naming most known columns, so a title row or
    a 填报单位/日期 line above it is passed over), or a missing_field Problem naming missing
    columns. ``provided``: fields given once for the whole upload (they need no column)."""
    best: Header | None = None
    best_count = 1
    for row_number, cells in rows[:HEADER_SEARCH_ROWS]:
        header = _header(row_number, cells, feed)
        count = sum(f is not None for f in header.fields)
        if count > best_count:
            best, best_count = header, count
    if best is None:
        labels = "、".join(s.label for s in specs_for(feed) if s.required)
        return Problem(p.MISSING_FIELD, None, "no header row with known column names in the "
                       f"first {HEADER_SEARCH_ROWS} rows; expected columns such as {labels}")
    present = set(best.fields) | set(provided)
    has_area = bool(present & {"current_township_code", "current_village_code"})
    # The origin: a code, a name (resolved to its code), or a country for arrivals from abroad.
    has_origin = bool(present & {"origin_area_code", "origin_area_name", "origin_country"})
    missing = [
        s for s in specs_for(feed)
        if s.required and s.name not in present and not (
            s.name == "source_record_id"
            or (s.name in ("origin_area_code", "origin_area_name") and has_origin)
            or (s.name == "current_county_code" and (has_area or default_county)))
    ]
    if missing:
        labels = "、".join(f"{s.label} ({s.name})" for s in missing)
        return Problem(p.MISSING_FIELD, missing[0].name, f"missing required column(s): {labels}")
    return best


def data_rows(rows: Iterable[Row], header: Header) -> Iterable[Row]:
    """Rows below the header that have any value."""
    for row_number, cells in rows:
        if row_number > header.row and not all(is_empty(c) for c in cells):
            yield row_number, cells


def row_fields(header: Header, cells: Sequence[object]) -> dict[str, object] | Problem:
    """Canonical fields of a row; two columns of one field must not disagree."""
    out: dict[str, object] = {}
    for field, value in zip(header.fields, cells, strict=False):
        if field is None or is_empty(value):
            continue
        if field in out and out[field] != value:
            return Problem(p.INVALID_VALUE, field,
                           f"columns for {field} disagree: {out[field]!r} and {value!r}")
        out[field] = value
    return out


def row_payload(header: Header, cells: Sequence[object]) -> dict[str, str]:
    """The row as the user wrote it, header -> cell text (for rejected-input events)."""
    return {
        name or f"column {i + 1}": "" if is_empty(value) else str(value)
        for i, (name, value) in enumerate(zip(header.names, cells, strict=False))
    }
