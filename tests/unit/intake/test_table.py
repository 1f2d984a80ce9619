"""Spreadsheet rows: header row detection, required columns, Excel row numbers, cell values."""

from __future__ import annotations

from datetime import datetime

from services.intake.domain import problems as p
from services.intake.domain.normalize import Normalized, normalize
from services.intake.domain.problems import Problem
from services.intake.domain.table import Header, data_rows, find_header, row_fields
from tests.unit.intake.builders import id_number

HEADER = ["序号", "姓名", "公民身份号码", "联系电话", "来源地", "来源地区划代码", "到达时间",
          "乡镇（街道）", "信号类型（必填）", "备注"]
ROW = [1, "测试一", id_number(1), 19900000001, "测试区", 110105.0, datetime(2022, 8, 1, 10),
       130826100, "电子围栏", ""]


def test_the_header_may_sit_below_a_title_row_and_row_numbers_stay_excel_s():
    rows = [(1, ["丰宁县返乡人员排查表", None]), (2, HEADER), (3, ROW), (4, [None] * 10),
            (5, ROW)]
    header = find_header(rows, "bigdata")
    assert isinstance(header, Header) and header.row == 2
    assert [n for n, _ in data_rows(rows, header)] == [3, 5]
    assert header.ignored == ["序号", "备注"]
    assert header.column_of("id_number") == "公民身份号码"


def test_excel_typed_cells_normalize():
    header = find_header([(1, HEADER)], "bigdata")
    assert isinstance(header, Header)
    fields = row_fields(header, ROW)
    assert isinstance(fields, dict)
    result = normalize("bigdata", fields, cells=True)
    assert isinstance(result, Normalized), result
    assert result.shape["person"]["mobile"] == "19900000001"
    assert result.shape["origin"]["area_code"] == "110105"
    assert result.shape["current"] == {"county_code": "130826", "township_code": "130826100"}


def test_an_id_number_excel_turned_into_a_number_gets_a_hint():
    header = find_header([(1, HEADER)], "bigdata")
    assert isinstance(header, Header)
    fields = row_fields(header, [*ROW[:2], float(id_number(1)[:17] + "7"), *ROW[3:]])
    assert isinstance(fields, dict)
    result = normalize("bigdata", fields, cells=True)
    assert isinstance(result, Problem) and result.reason == p.INVALID_ID_NUMBER
    assert "format the column as text" in result.message


def test_missing_required_columns_are_named_in_chinese():
    problem = find_header([(1, ["姓名", "身份证号", "到达时间"])], "bigdata")
    assert isinstance(problem, Problem) and problem.reason == p.MISSING_FIELD
    assert "来源地区划代码" in problem.message and "信号类型" in problem.message
    assert "源记录编号" not in problem.message  # optional in files: derived from the row


def test_no_recognizable_header_is_a_file_level_problem():
    problem = find_header([(1, ["a", "b"]), (2, [1, 2])], "bigdata")
    assert isinstance(problem, Problem) and "姓名" in problem.message


def test_two_columns_of_one_field_must_agree():
    header = find_header([(1, ["姓名", "身份证号", "公民身份号码"])], "bigdata")
    assert isinstance(header, Header) or header.reason == p.MISSING_FIELD
    header = Header(1, ("姓名", "身份证号", "公民身份号码"), ("name", "id_number", "id_number"))
    assert row_fields(header, ["测试一", id_number(1), id_number(1)]) == {
        "name": "测试一", "id_number": id_number(1)}
    conflict = row_fields(header, ["测试一", id_number(1), id_number(2)])
    assert isinstance(conflict, Problem) and conflict.reason == p.INVALID_VALUE


def test_the_header_is_the_row_naming_most_columns_and_given_values_count_as_columns():
    header_2022 = ["序号", "姓名", "性别", "身份证号", "联系电话", "从何地返回（具体到县区）",
                   "返回时间", "交通方式", "所属乡镇", "所属村", "是否已做核酸", "备注"]
    rows = [(1, ["丰宁县返丰人员排查登记表"]), (2, ["填报单位：", "大阁镇", "联系电话：", "1"]),
            (3, header_2022)]
    refused = find_header(rows, "screening")
    assert isinstance(refused, Problem) and refused.field == "screened_by"
    header = find_header(rows, "screening", provided={"screened_by"})
    assert isinstance(header, Header) and header.row == 3
    assert header.column_of("origin_area_name") == "从何地返回（具体到县区）"
    assert header.column_of("current_village_code") == "所属村"
    assert header.ignored == ["序号", "性别", "交通方式", "是否已做核酸", "备注"]
