"""`paicha grids load` reads YAML, CSV (UTF-8 or GBK) and XLSX with Chinese headers."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from services.tasking.adapters.grid_files import GridFileError, read_grids

ROOT = Path(__file__).resolve().parents[3]
HEADER = "网格编号,网格名称,乡镇代码,乡镇,村代码,村,网格员编号,网格员,联系电话"
_G = "130826100-g1,大阁镇第1网格,130826100,大阁镇"
ROWS = [f"{_G},130826100200,北关村,g-1,大阁镇网格员1,13800000001",
        f"{_G},130826100201,南关村,g-1,大阁镇网格员1,13800000001",
        f"{_G},130826100200,北关村,g-2,大阁镇网格员2,13800000002"]


def test_the_demo_directory_covers_townships_with_villages_only() -> None:
    grids = read_grids(ROOT / "deploy/demo/130826-grids.yaml")
    assert len(grids) == 10
    assert {g["township_code"] for g in grids} == {
        "130826100", "130826101", "130826102", "130826200", "130826201"}
    assert all(1 <= len(g["workers"]) <= 2 for g in grids)
    assert all(w["phone"].startswith("1380000") for g in grids for w in g["workers"])


@pytest.mark.parametrize("encoding", ["utf-8", "gb18030"])
def test_a_csv_row_per_grid_village_worker_makes_one_grid(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "grids.csv"
    path.write_bytes("\n".join([HEADER, *ROWS]).encode(encoding))
    (grid,) = read_grids(path)
    assert [v["code"] for v in grid["villages"]] == ["130826100200", "130826100201"]
    assert [w["worker_id"] for w in grid["workers"]] == ["g-1", "g-2"]
    assert grid["township_name"] == "大阁镇"


def test_an_xlsx_sheet_reads_the_same(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for line in [HEADER, *ROWS]:
        sheet.append(line.split(","))
    book.save(tmp_path / "grids.xlsx")
    (grid,) = read_grids(tmp_path / "grids.xlsx")
    assert len(grid["villages"]) == 2 and len(grid["workers"]) == 2


def test_missing_columns_and_empty_cells_are_named(tmp_path: Path) -> None:
    path = tmp_path / "grids.csv"
    path.write_text("网格编号,乡镇\nx,y\n", "utf-8")
    with pytest.raises(GridFileError, match="missing column\\(s\\): 乡镇代码、村代码、村"):
        read_grids(path)
    path.write_text("\n".join([HEADER, ",,130826100,大阁镇,130826100200,北关村,,,"]), "utf-8")
    with pytest.raises(GridFileError, match="row 2: empty grid_id"):
        read_grids(path)
