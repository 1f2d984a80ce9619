"""Reads an uploaded CSV (UTF-8 or GBK/GB18030, detected with charset-normalizer) or XLSX
(openpyxl, read-only) into numbered rows, as the user sees them in Excel (first row = 1)."""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass

import charset_normalizer
from openpyxl import load_workbook

from services.intake.domain import problems as p
from services.intake.domain.table import Row

_ZIP, _OLE = b"PK\x03\x04", b"\xd0\xcf\x11\xe0"
# What Chinese government spreadsheets are saved as; GB18030 is a superset of GBK and GB2312.
_CANDIDATES = ["utf_8", "gb18030", "big5", "utf_16"]
_TEXT_SUFFIXES = {"", "csv", "txt", "tsv"}


class FileRefused(Exception):
    """The file as a whole cannot be read; ``reason`` is a RejectReason value."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason, self.message = reason, message


@dataclass(frozen=True, slots=True)
class Sheet:
    format: str
    rows: list[Row]
    encoding: str | None = None


def read_table(data: bytes, filename: str | None) -> Sheet:
    """Detect the format from the content (the name only breaks ties) and read every row."""
    name = (filename or "").lower()
    if not data:
        raise FileRefused(p.UNSUPPORTED_FILE, "the file is empty")
    if data.startswith(_OLE):
        raise FileRefused(p.UNSUPPORTED_FILE, "legacy Excel .xls files are not read; "
                          "save the sheet as .xlsx (Excel Workbook) or CSV")
    if data.startswith(_ZIP):
        return _read_xlsx(data)
    suffix = name.rsplit(".", 1)[1] if "." in name else ""
    if suffix not in _TEXT_SUFFIXES:
        raise FileRefused(p.UNSUPPORTED_FILE, f"{filename} is not a CSV or XLSX file")
    return _read_csv(data)


def _read_xlsx(data: bytes) -> Sheet:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise FileRefused(p.UNSUPPORTED_FILE, f"not a readable XLSX workbook: {exc}") from None
    try:
        sheet = book.active or book.worksheets[0]
        # values_only rows start at row 1 and include empty rows, so the count is Excel's.
        rows = [(n, row) for n, row in enumerate(sheet.iter_rows(values_only=True), start=1)]
    finally:
        book.close()
    return Sheet("xlsx", rows)


def decode_text(data: bytes) -> tuple[str, str]:
    """(text, encoding): UTF-8 (with or without BOM) first, else charset-normalizer's guess."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data, cp_isolation=_CANDIDATES).best()
    if best is None or best.encoding is None:
        raise FileRefused(p.BAD_ENCODING, "the CSV is neither UTF-8 nor GBK/GB18030 text; "
                          "save it as \"CSV UTF-8\" or as .xlsx")
    return str(best), best.encoding


def _read_csv(data: bytes) -> Sheet:
    text, encoding = decode_text(data)
    if "\x00" in text:
        raise FileRefused(p.UNSUPPORTED_FILE, "binary content: not a CSV or XLSX file")
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if first_line.count("\t") > first_line.count(",") else ","
    # csv yields one list per record: a quoted multi-line cell is one row, as in Excel.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows: list[Row] = [(n, row) for n, row in enumerate(reader, start=1)]
    except csv.Error as exc:
        raise FileRefused(p.UNSUPPORTED_FILE, f"not a readable CSV: {exc}") from None
    return Sheet("csv", rows, encoding)
