"""File readers on in-memory bytes: CSV in UTF-8 and GBK, XLSX, and what is refused."""

from __future__ import annotations

import io
from datetime import datetime

import pytest
from openpyxl import Workbook

from services.intake.adapters.files import FileRefused, read_table

HEADER = ["姓名", "身份证号", "到达时间"]


def test_a_gbk_csv_is_detected_and_decoded():
    text = "姓名,身份证号,来源地,到达时间\n测试一,130826199001010011,河北省测试县,2022/8/1 10:00\n"
    sheet = read_table(text.encode("gbk"), "名单.csv")
    assert sheet.format == "csv" and sheet.encoding in ("gb18030", "gbk", "gb2312")
    assert sheet.rows[1] == (2, ["测试一", "130826199001010011", "河北省测试县", "2022/8/1 10:00"])


def test_a_utf8_csv_with_bom_and_a_quoted_multiline_cell_keeps_excel_row_numbers():
    text = '\ufeff姓名,现住址\n测试一,"测试镇\n测试村"\n测试二,测试镇\n'
    sheet = read_table(text.encode("utf-8"), "list.csv")
    assert sheet.encoding == "utf-8"
    assert [n for n, _ in sheet.rows] == [1, 2, 3]
    assert sheet.rows[0][1][0] == "姓名"


def test_a_tab_separated_export_is_read():
    sheet = read_table("姓名\t身份证号\n测试一\t1\n".encode(), "export.txt")
    assert sheet.rows[1][1] == ["测试一", "1"]


def test_xlsx_rows_keep_excel_numbers_types_and_empty_rows():
    book = Workbook()
    sheet = book.active
    sheet.append(HEADER)
    sheet.append(["测试一", "130826199001010011", datetime(2022, 8, 1, 10)])
    sheet.append([])
    sheet.append(["测试二", "130826199001010011", "2022-08-01 10:00"])
    buffer = io.BytesIO()
    book.save(buffer)
    read = read_table(buffer.getvalue(), "名单.xlsx")
    assert read.format == "xlsx"
    assert [n for n, _ in read.rows] == [1, 2, 3, 4]
    assert read.rows[1][1][2] == datetime(2022, 8, 1, 10)


@pytest.mark.parametrize(("data", "name", "reason"), [
    (b"", "a.csv", "unsupported_file"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old.xls", "unsupported_file"),
    (b"PK\x03\x04not really a zip", "broken.xlsx", "unsupported_file"),
    (b"\x89PNG\r\n\x1a\n", "photo.png", "unsupported_file"),
    (bytes(range(128, 256)) * 8, "list.csv", "bad_encoding"),
])
def test_unreadable_files_are_refused_with_a_reason(data, name, reason):
    with pytest.raises(FileRefused) as info:
        read_table(data, name)
    assert info.value.reason == reason and info.value.message
