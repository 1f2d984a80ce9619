"""Reads a county's grid directory from YAML (``grids: [...]``, as deploy/demo/) or from a CSV
/ XLSX sheet with Chinese headers, one row per grid × village × worker:
网格编号, 网格名称, 乡镇代码, 乡镇, 村代码, 村, 网格员编号, 网格员, 联系电话.
Returns the grid bodies of ``PUT /v1/grids/{grid_id}``; GridFileError names the bad row."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

COLUMNS = {"网格编号": "grid_id", "网格名称": "name", "乡镇代码": "township_code",
           "乡镇": "township_name", "村代码": "village_code", "村": "village_name",
           "网格员编号": "worker_id", "网格员": "worker_name", "联系电话": "phone"}
REQUIRED = ("grid_id", "township_code", "township_name", "village_code", "village_name")


class GridFileError(ValueError):
    """The file cannot be read as a grid directory."""


def read_grids(path: Path) -> list[dict[str, Any]]:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _from_yaml(path)
    if suffix == ".xlsx":
        rows = _xlsx_rows(path.read_bytes())
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(path.read_bytes())
    else:
        raise GridFileError(f"{path.name}: not YAML, CSV or XLSX")
    return _from_rows(rows)


def _from_yaml(path: Path) -> list[dict[str, Any]]:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except yaml.YAMLError as exc:
        raise GridFileError(f"{path.name}: not valid YAML: {exc}") from exc
    grids = data.get("grids") if isinstance(data, dict) else None
    if not isinstance(grids, list) or not all(isinstance(g, dict) and "grid_id" in g
                                              for g in grids):
        raise GridFileError(f"{path.name}: expected `grids:` with a list of grids, each with "
                            "grid_id")
    return [{**g, "grid_id": str(g["grid_id"]), "township_code": str(g.get("township_code"))}
            for g in grids]


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise GridFileError("the CSV is neither UTF-8 nor GBK/GB18030")
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx_rows(data: bytes) -> list[list[str]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise GridFileError(f"not a readable XLSX workbook: {exc}") from exc
    sheet = book.active or book.worksheets[0]
    return [["" if v is None else str(v).strip() for v in row]
            for row in sheet.iter_rows(values_only=True)]


def _from_rows(rows: list[list[str]]) -> list[dict[str, Any]]:
    if not rows:
        raise GridFileError("the sheet is empty")
    header = [COLUMNS.get(h.strip()) for h in rows[0]]
    missing = [zh for zh, key in COLUMNS.items() if key in REQUIRED and key not in header]
    if missing:
        raise GridFileError(f"missing column(s): {'、'.join(missing)}")
    grids: dict[str, dict[str, Any]] = {}
    for number, raw in enumerate(rows[1:], start=2):
        row = {key: (raw[i].strip() if i < len(raw) else "") for i, key in enumerate(header)
               if key}
        if not any(row.values()):
            continue
        empty = [k for k in REQUIRED if not row.get(k)]
        if empty:
            raise GridFileError(f"row {number}: empty {', '.join(empty)}")
        grid = grids.setdefault(row["grid_id"], {
            "grid_id": row["grid_id"], "name": row.get("name") or row["grid_id"],
            "township_code": row["township_code"], "township_name": row["township_name"],
            "villages": [], "workers": []})
        if row["township_code"] != grid["township_code"]:
            raise GridFileError(f"row {number}: grid {row['grid_id']} is in township "
                                f"{grid['township_code']}, not {row['township_code']}")
        village = {"code": row["village_code"], "name": row["village_name"]}
        if village not in grid["villages"]:
            grid["villages"].append(village)
        if row.get("worker_id"):
            worker = {"worker_id": row["worker_id"], "name": row.get("worker_name") or
                      row["worker_id"], "phone": row.get("phone", "")}
            if worker["worker_id"] not in {w["worker_id"] for w in grid["workers"]}:
                grid["workers"].append(worker)
    return list(grids.values())
