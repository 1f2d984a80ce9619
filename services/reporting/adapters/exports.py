"""The day's figures per feed and per township as CSV (UTF-8 with BOM, so Excel shows the
Chinese headers) and XLSX (one sheet each), ready to forward."""

from __future__ import annotations

import csv
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

HEADERS = ["今日推送", "已核实", "系统故障无法审核", "无人接听", "正在核查",
           "累计推送", "累计已核实", "累计系统故障", "累计无人接听", "累计正在核查"]
_KEYS = ["pushed", "verified", "system_fault", "unreachable", "pending"]


def _row(item: dict[str, Any]) -> list[int]:
    return [item["today"][k] for k in _KEYS] + [item["cumulative"][k] for k in _KEYS]


def _total(report: dict[str, Any]) -> list[int]:
    return [report["today"][k] for k in _KEYS] + [report["cumulative"][k] for k in _KEYS]


def rows(report: dict[str, Any]) -> list[list[Any]]:
    """One table: 分组 (按渠道 / 按乡镇), 名称, then the figures; a 合计 row closes each group."""
    out: list[list[Any]] = [["日期", "分组", "名称", *HEADERS]]
    day = report["date"]
    for feed in report["feeds"]:
        out.append([day, "按渠道", feed["name"], *_row(feed)])
    out.append([day, "按渠道", "合计", *_total(report)])
    for town in report["townships"]:
        out.append([day, "按乡镇", town["name"], *_row(town)])
    out.append([day, "按乡镇", "合计", *_total(report)])
    return out


def to_csv(report: dict[str, Any]) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows(report))
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(report: dict[str, Any]) -> bytes:
    book = Workbook()
    feeds = book.active
    assert feeds is not None
    feeds.title = "按渠道"
    towns = book.create_sheet("按乡镇")
    briefing = book.create_sheet("简报")
    for sheet, group, first in ((feeds, "按渠道", "渠道"), (towns, "按乡镇", "乡镇")):
        sheet.append(["日期", first, *HEADERS])
        for row in rows(report)[1:]:
            if row[1] == group:
                sheet.append([row[0], *row[2:]])
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        sheet.column_dimensions["A"].width = 12
        sheet.column_dimensions["B"].width = 20
    briefing.append([f"{report['date']} 风险人员排查管控工作情况"])
    for sentence in report["briefing"]:
        briefing.append([sentence])
    briefing.column_dimensions["A"].width = 120
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
